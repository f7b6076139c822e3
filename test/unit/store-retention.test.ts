import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { SqliteStore } from "../../src/store/sqlite-store.js";
import { coreFixture, type CoreFixture } from "../helpers/core.js";

// The SQLite store sweeps expired messages without an index by expiry: it keeps a lower bound on the earliest
// expiry and scans only when that is due. Every write that sets an earlier expiry than the bound must lower it,
// or the sweep would leave the message on disk (reads skip it either way, so only the row count shows it).
describe("retention sweep (sqlite store)", () => {
  let f: CoreFixture;
  beforeEach(() => {
    f = coreFixture("sqlite");
  });
  afterEach(() => f.close());

  const rows = () => ((f.store as SqliteStore).database.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n;
  const withDlq = (name: string, dlqRetention: string, sourceRetention = "345600") => {
    const dlq = f.queue(`${name}-dlq`, { MessageRetentionPeriod: dlqRetention });
    const source = f.queue(name, {
      MessageRetentionPeriod: sourceRetention,
      VisibilityTimeout: "1",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
    });
    return { source, dlq };
  };

  test("removes what a shortened retention period and a dead-letter move expire early", async () => {
    const q = f.queue("shortened", { MessageRetentionPeriod: "3600" });
    const { source } = withDlq("moved", "120");
    f.sqs.messages.send(f.caller, q, { MessageBody: "old" });
    f.sqs.messages.send(f.caller, source, { MessageBody: "dead" });
    // The first sweep learns that nothing expires for an hour.
    f.clock.advance(60_000);
    assert.equal(rows(), 2);

    f.sqs.setAttributes(f.caller, q, { MessageRetentionPeriod: "60" });
    f.sqs.messages.send(f.caller, q, { MessageBody: "new" });
    // Dead-lettered 62 s after it was sent, into a queue that keeps messages 120 s from their first send.
    assert.equal((await f.sqs.messages.receive(source, {})).length, 1);
    f.clock.advance(1_000);
    assert.deepEqual(await f.sqs.messages.receive(source, {}), []);
    assert.equal(rows(), 3);

    f.clock.advance(120_000);
    assert.equal(rows(), 1);
    assert.deepEqual((await f.sqs.messages.receive(q, {})).map((m) => m.Body), ["old"]);
  });

  test("removes a message moved back to a queue with a shorter retention period", async () => {
    const { source, dlq } = withDlq("back", "86400", "60");
    f.queue("kept");
    f.sqs.messages.send(f.caller, f.sqs.resolve(f.caller, "kept", "SendMessage"), { MessageBody: "kept" });
    f.sqs.messages.send(f.caller, source, { MessageBody: "m" });
    assert.equal((await f.sqs.messages.receive(source, {})).length, 1);
    f.clock.advance(1_000);
    assert.deepEqual(await f.sqs.messages.receive(source, {}), []);
    // The first sweep learns that nothing expires for a day.
    f.clock.advance(59_000);
    assert.equal(rows(), 2);

    f.sqs.moveTasks.start(f.caller, { SourceArn: dlq.arn });
    f.clock.advance(2_000);
    assert.equal((await f.sqs.messages.receive(source, { VisibilityTimeout: 0 }))[0]?.Body, "m");
    f.clock.advance(130_000);
    assert.equal(rows(), 1);
  });

  test("a large expiry is removed in slices, not in one long pause", () => {
    const q = f.queue("bulk", { MessageRetentionPeriod: "60" });
    const kept = f.queue("bulk-kept");
    const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" }));
    for (let i = 0; i < 500; i++) f.sqs.messages.sendBatch(f.caller, q, entries);
    f.sqs.messages.send(f.caller, kept, { MessageBody: "kept" });
    assert.equal(rows(), 5_001);

    // One slice deletes at most 2,000 rows; the sweep comes back a second later for the next.
    f.clock.advance(60_000);
    assert.equal(rows(), 3_001);
    f.clock.advance(1_000);
    assert.equal(rows(), 1_001);
    f.clock.advance(1_000);
    assert.equal(rows(), 1);
    assert.deepEqual(f.sqs.getAttributes(kept, ["ApproximateNumberOfMessages"]), {
      ApproximateNumberOfMessages: "1",
    });
  });
});
