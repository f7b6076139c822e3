import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { FakeClock } from "../../src/core/clock.js";
import { SCHEMA_VERSION } from "../../src/store/sqlite-schema.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { STORE_KINDS } from "../helpers/broker.js";
import { coreFixture, type CoreFixture } from "../helpers/core.js";

// The SQLite store keeps large bodies and attributes in a table of their own; none of that may show.
const bigBody = `${"é".repeat(30_000)}end`;
const bigAttribute = { big: { DataType: "String", StringValue: "v".repeat(10_000) }, bin: { DataType: "Binary", BinaryValue: Buffer.alloc(5_000, 7) } };

for (const kind of STORE_KINDS) {
  describe(`large payloads (${kind} store)`, () => {
    let f: CoreFixture;
    beforeEach(() => {
      f = coreFixture(kind);
    });
    afterEach(() => f.close());

    test("bodies and attributes come back whole on every receive, after redrive and after a move back", async () => {
      const dlq = f.queue("big-dlq");
      const q = f.queue("big", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
      const sent = f.sqs.messages.send(f.caller, q, { MessageBody: bigBody, MessageAttributes: bigAttribute });
      f.sqs.messages.send(f.caller, q, { MessageBody: "small" });
      for (let round = 0; round < 2; round++) {
        const got = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] });
        const big = got.find((m) => m.MessageId === sent.MessageId);
        assert.equal(big?.Body, bigBody);
        assert.equal(big?.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
        assert.deepEqual(Buffer.from(big?.MessageAttributes?.bin?.BinaryValue ?? []), bigAttribute.bin.BinaryValue);
        f.clock.advance(1_000);
      }
      assert.deepEqual(await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 }), []);
      const [dead] = (await f.sqs.messages.receive(dlq, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).filter((m) => m.MessageId === sent.MessageId);
      assert.equal(dead.Body, bigBody);
      f.sqs.moveTasks.start(f.caller, { SourceArn: dlq.arn });
      f.clock.advance(2_000);
      const back = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10, MessageAttributeNames: ["big"] });
      assert.equal(back.find((m) => m.MessageId === sent.MessageId)?.Body, bigBody);
    });

    if (kind === "sqlite") {
      test("payload rows are stored apart, survive a reopen and go with their message however it goes", async () => {
        const payloads = () => (f.store as SqliteStore).database.prepare("SELECT count(*) AS n FROM message_payloads").get() as { n: number };
        const q = f.queue("kept", { MessageRetentionPeriod: "60" });
        const other = f.queue("other");
        for (let i = 0; i < 3; i++) f.sqs.messages.send(f.caller, q, { MessageBody: `${bigBody}${i}` });
        f.sqs.messages.send(f.caller, other, { MessageBody: bigBody });
        f.sqs.messages.send(f.caller, other, { MessageBody: "small" });
        assert.equal(payloads().n, 4);

        f = f.reopen();
        const [first] = await f.sqs.messages.receive(f.sqs.resolve(f.caller, "kept", "ReceiveMessage"), {});
        assert.ok(first.Body.startsWith(bigBody));
        f.sqs.messages.delete(f.sqs.resolve(f.caller, "kept", "DeleteMessage"), first.ReceiptHandle);
        assert.equal(payloads().n, 3);
        // Retention: the sweep removes the two left in "kept".
        f.clock.advance(61_000);
        assert.equal(payloads().n, 1);
        f.sqs.deleteQueue(f.sqs.resolve(f.caller, "other", "DeleteQueue"));
        assert.equal(payloads().n, 0);
      });
    }
  });
}

describe("a data file from schema 1", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sluice-schema1-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("is migrated on open and keeps its messages", async () => {
    const clock = new FakeClock();
    let f = coreFixture("sqlite", { dir, clock });
    const q = f.queue("old");
    const sent = f.sqs.messages.send(f.caller, q, { MessageBody: "from before" });
    f.sqs.close();
    f.store.close();
    // Take the file back to schema 1: no payload table, trigger or column.
    const db = new Database(join(dir, "sluice.db"));
    db.exec("DROP TRIGGER message_payloads_follow; DROP TABLE message_payloads; ALTER TABLE messages DROP COLUMN payload_elsewhere");
    db.pragma("user_version = 1");
    db.close();

    f = coreFixture("sqlite", { dir, clock });
    const old = f.sqs.resolve(f.caller, "old", "ReceiveMessage");
    const [got] = await f.sqs.messages.receive(old, {});
    assert.equal(got.MessageId, sent.MessageId);
    assert.equal(got.Body, "from before");
    f.sqs.messages.send(f.caller, old, { MessageBody: bigBody });
    const [big] = await f.sqs.messages.receive(old, {});
    assert.equal(big.Body, bigBody);
    assert.equal((f.store as SqliteStore).database.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    f.sqs.close();
    f.store.close();
  });
});

describe("a data file from schema 2 or 3", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sluice-schema2-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const indexes = (db: Database.Database) =>
    db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' ORDER BY name").all() as Array<{ name: string; sql: string | null }>;

  for (const version of [2, 3]) {
    test(`from schema ${version}: loses the indexes by expiry and by group visibility, keeps its messages and locks`, async () => {
      const clock = new FakeClock();
      let f = coreFixture("sqlite", { dir, clock });
      const q = f.queue("old", { MessageRetentionPeriod: "60" });
      const fifo = f.queue("old.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
      const sent = f.sqs.messages.send(f.caller, q, { MessageBody: "from before" });
      f.sqs.messages.send(f.caller, q, { MessageBody: "expires" });
      f.sqs.messages.send(f.caller, fifo, { MessageBody: "first", MessageGroupId: "g" });
      f.sqs.messages.send(f.caller, fifo, { MessageBody: "second", MessageGroupId: "g" });
      f.sqs.close();
      f.store.close();
      // Take the file back: both versions had an index by (group, visibility); 2 also one by expiry and a
      // queue index over every message.
      const db = new Database(join(dir, "sluice.db"));
      db.exec("CREATE INDEX messages_by_group_visibility ON messages (queue_id, group_id, visible_at) WHERE group_id IS NOT NULL");
      if (version === 2) {
        db.exec(`DROP INDEX messages_by_queue;
          CREATE INDEX messages_by_queue ON messages (queue_id, seq);
          CREATE INDEX messages_by_expiry ON messages (expires_at)`);
      }
      db.pragma(`user_version = ${version}`);
      db.close();

      f = coreFixture("sqlite", { dir, clock });
      const migrated = indexes((f.store as SqliteStore).database);
      assert.equal(migrated.some((i) => i.name === "messages_by_expiry"), false);
      assert.equal(migrated.some((i) => i.name === "messages_by_group_visibility"), false);
      assert.match(migrated.find((i) => i.name === "messages_by_queue")?.sql ?? "", /WHERE group_id IS NOT NULL/);
      assert.equal((f.store as SqliteStore).database.pragma("user_version", { simple: true }), SCHEMA_VERSION);
      const old = f.sqs.resolve(f.caller, "old", "ReceiveMessage");
      const [got] = await f.sqs.messages.receive(old, { VisibilityTimeout: 0 });
      assert.equal(got.MessageId, sent.MessageId);
      const oldFifo = f.sqs.resolve(f.caller, "old.fifo", "ReceiveMessage");
      assert.deepEqual((await f.sqs.messages.receive(oldFifo, { MaxNumberOfMessages: 1 })).map((m) => m.Body), ["first"]);
      assert.deepEqual(await f.sqs.messages.receive(oldFifo, { MaxNumberOfMessages: 10 }), []);
      // Retention still sweeps without the expiry index.
      const rows = () => ((f.store as SqliteStore).database.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n;
      assert.equal(rows(), 4);
      clock.advance(61_000);
      assert.equal(rows(), 2);
      f.sqs.close();
      f.store.close();
    });
  }
});
