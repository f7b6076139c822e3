import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { STORE_KINDS } from "../helpers/broker.js";
import { coreFixture, type CoreFixture } from "../helpers/core.js";

const FIFO = { FifoQueue: "true" };

for (const kind of STORE_KINDS) {
  describe(`core FIFO (${kind} store)`, () => {
    let f: CoreFixture;
    beforeEach(() => {
      f = coreFixture(kind);
    });
    afterEach(() => f.close());

    const send = (q: ReturnType<CoreFixture["queue"]>, body: string, group: string, dedup = body) =>
      f.sqs.messages.send(f.caller, q, { MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup });

    test("orders a group, locks it while a message is in flight, and lets other groups flow", async () => {
      const q = f.queue("order.fifo", { ...FIFO, VisibilityTimeout: "10" });
      for (const body of ["a1", "b1", "a2", "b2", "a3"]) send(q, body, body[0]);
      const first = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 2 });
      assert.deepEqual(first.map((m) => m.Body), ["a1", "b1"]);
      assert.deepEqual(await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 }), []);
      f.sqs.messages.delete(q, first[1].ReceiptHandle);
      const next = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 });
      assert.deepEqual(next.map((m) => m.Body), ["b2"]);
      f.clock.advance(10_000);
      const retried = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 });
      // Group a was locked behind a1; b2's visibility also ran out, so it is back, in sequence order.
      assert.deepEqual(retried.map((m) => m.Body), ["a1", "a2", "b2", "a3"]);
    });

    test("with many groups and a long backlog, every locked group stays locked and freed ones flow in order", async () => {
      const q = f.queue("many.fifo", { ...FIFO, VisibilityTimeout: "30" });
      for (let i = 0; i < 400; i++) send(q, `m${i}`, `g${i % 40}`);
      const receive = async () => (await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 })).map((m) => m.Body);
      const heads = [];
      for (let r = 0; r < 4; r++) heads.push(...(await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 })));
      assert.deepEqual(heads.map((m) => m.Body), Array.from({ length: 40 }, (_, i) => `m${i}`));
      // Every group has a message in flight; the other 360 messages are all behind a lock.
      assert.deepEqual(await receive(), []);
      f.sqs.messages.delete(q, heads[7].ReceiptHandle);
      assert.deepEqual(await receive(), Array.from({ length: 9 }, (_, i) => `m${47 + 40 * i}`));
      assert.deepEqual(await receive(), []);
      f.clock.advance(30_000);
      assert.deepEqual(await receive(), ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m8", "m9", "m10"]);
    });

    test("a long poll parked behind a locked group wakes when the lock's visibility runs out", async () => {
      const q = f.queue("parked.fifo", { ...FIFO, VisibilityTimeout: "5" });
      for (const body of ["a1", "a2", "a3"]) send(q, body, "a");
      const [a1, a2] = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 2 });
      assert.deepEqual([a1.Body, a2.Body], ["a1", "a2"]);
      // a1 is visible again but a2 still holds the lock: the poll must wake when a2's runs out, not sleep 20 s.
      f.sqs.messages.changeVisibility(q, a1.ReceiptHandle, 0);
      const parked = f.sqs.messages.receive(q, { WaitTimeSeconds: 20, MaxNumberOfMessages: 10 });
      let settled = false;
      void parked.then(() => (settled = true));
      f.clock.advance(4_999);
      await new Promise((r) => setImmediate(r));
      assert.equal(settled, false);
      f.clock.advance(1);
      assert.deepEqual((await parked).map((m) => m.Body), ["a1", "a2", "a3"]);
    });

    test("a message in flight that the retention period removes no longer locks its group", async () => {
      const q = f.queue("retained.fifo", { ...FIFO, VisibilityTimeout: "43200", MessageRetentionPeriod: "60" });
      send(q, "a1", "a");
      f.clock.advance(30_000);
      send(q, "a2", "a");
      assert.deepEqual((await f.sqs.messages.receive(q, {})).map((m) => m.Body), ["a1"]);
      assert.deepEqual(await f.sqs.messages.receive(q, {}), []);
      // a1 is past its retention (and swept away) while it is still in flight; a2 is not.
      f.clock.advance(40_000);
      assert.deepEqual((await f.sqs.messages.receive(q, {})).map((m) => m.Body), ["a2"]);
    });

    test("deduplicates by id within five minutes, also after the original is deleted", async () => {
      const q = f.queue("dedup.fifo", FIFO);
      const original = send(q, "x", "g", "same");
      const duplicate = send(q, "y", "g", "same");
      assert.equal(duplicate.MessageId, original.MessageId);
      assert.equal(duplicate.SequenceNumber, original.SequenceNumber);
      const [m] = await f.sqs.messages.receive(q, {});
      f.sqs.messages.delete(q, m.ReceiptHandle);
      f.clock.advance(299_000);
      assert.equal(send(q, "z", "g", "same").MessageId, original.MessageId);
      assert.deepEqual(await f.sqs.messages.receive(q, {}), []);
      f.clock.advance(1_000);
      assert.notEqual(send(q, "w", "g", "same").MessageId, original.MessageId);
    });

    test("content-based deduplication uses the body; messageGroup scope dedups per group", async () => {
      const q = f.queue("content.fifo", { ...FIFO, ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup" });
      const a = f.sqs.messages.send(f.caller, q, { MessageBody: "same", MessageGroupId: "g1" });
      const b = f.sqs.messages.send(f.caller, q, { MessageBody: "same", MessageGroupId: "g1" });
      const c = f.sqs.messages.send(f.caller, q, { MessageBody: "same", MessageGroupId: "g2" });
      assert.equal(a.MessageId, b.MessageId);
      assert.notEqual(a.MessageId, c.MessageId);
    });

    test("sequence numbers are increasing 20-digit decimal strings", () => {
      const q = f.queue("seq.fifo", FIFO);
      const numbers = ["1", "2", "3"].map((b) => BigInt(send(q, b, "g").SequenceNumber ?? "0"));
      for (const n of numbers) assert.equal(n.toString().length, 20);
      assert.ok(numbers[0] < numbers[1] && numbers[1] < numbers[2]);
    });

    test("a batch numbers its new messages consecutively and answers repeats with the original's ids", async () => {
      const q = f.queue("batch.fifo", FIFO);
      const before = send(q, "before", "g", "old");
      const entry = (id: string, dedup: string) => ({ Id: id, MessageBody: `body-${id}`, MessageGroupId: "g", MessageDeduplicationId: dedup });
      const out = f.sqs.messages.sendBatch(f.caller, q, [entry("1", "a"), entry("2", "old"), entry("3", "a"), entry("4", "b")]);
      assert.deepEqual(out.Failed, []);
      const [one, two, three, four] = out.Successful;
      assert.deepEqual([two.MessageId, two.SequenceNumber], [before.MessageId, before.SequenceNumber]);
      assert.deepEqual([three.MessageId, three.SequenceNumber], [one.MessageId, one.SequenceNumber]);
      const seq = (n: string | undefined) => BigInt(n ?? "0");
      assert.equal(seq(one.SequenceNumber), seq(before.SequenceNumber) + 1n);
      assert.equal(seq(four.SequenceNumber), seq(one.SequenceNumber) + 1n);
      assert.equal(seq(send(q, "after", "g", "new").SequenceNumber), seq(four.SequenceNumber) + 1n);
      const received = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["SequenceNumber"] });
      assert.deepEqual(
        received.map((m) => [m.Body, m.MessageId, m.Attributes?.SequenceNumber]),
        [
          ["before", before.MessageId, before.SequenceNumber],
          ["body-1", one.MessageId, one.SequenceNumber],
          ["body-4", four.MessageId, four.SequenceNumber],
          ["after", received[3]?.MessageId, received[3]?.Attributes?.SequenceNumber],
        ],
      );
    });

    test("rejects FIFO rule breaks with AWS's messages", () => {
      const q = f.queue("rules.fifo", FIFO);
      assert.throws(() => f.sqs.messages.send(f.caller, q, { MessageBody: "x", MessageDeduplicationId: "d" }), /must contain the parameter MessageGroupId/);
      assert.throws(() => f.sqs.messages.send(f.caller, q, { MessageBody: "x", MessageGroupId: "g" }), /ContentBasedDeduplication enabled or MessageDeduplicationId/);
      assert.throws(
        () => f.sqs.messages.send(f.caller, q, { MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 2 }),
        /Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type./,
      );
      assert.throws(() => f.sqs.setAttributes(f.caller, q, { FifoQueue: "false" }), /Modifying queue type is not supported/);
      const standard = f.queue("standard");
      assert.throws(() => f.sqs.setAttributes(f.caller, standard, { ContentBasedDeduplication: "true" }), /Unknown Attribute ContentBasedDeduplication/);
    });

    test("an expired receipt handle cannot delete a FIFO message", async () => {
      const q = f.queue("expired.fifo", { ...FIFO, VisibilityTimeout: "5" });
      send(q, "x", "g");
      const [m] = await f.sqs.messages.receive(q, {});
      f.clock.advance(5_000);
      assert.throws(() => f.sqs.messages.delete(q, m.ReceiptHandle), /Reason: The receipt handle has expired/);
    });

    test("a retried receive with the same ReceiveRequestAttemptId returns the same messages and handles", async () => {
      const q = f.queue("attempt.fifo", { ...FIFO, VisibilityTimeout: "30" });
      send(q, "x", "g");
      send(q, "y", "h");
      const first = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 1, ReceiveRequestAttemptId: "try-1" });
      const again = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 1, ReceiveRequestAttemptId: "try-1" });
      assert.deepEqual(again, first);
      const other = await f.sqs.messages.receive(q, { MaxNumberOfMessages: 1, ReceiveRequestAttemptId: "try-2" });
      assert.equal(other[0].Body, "y");
    });

    test("standard queues accept a MessageGroupId and return it", async () => {
      const q = f.queue("fair");
      f.sqs.messages.send(f.caller, q, { MessageBody: "x", MessageGroupId: "tenant-1" });
      const [m] = await f.sqs.messages.receive(q, { MessageSystemAttributeNames: ["MessageGroupId"] });
      assert.equal(m.Attributes?.MessageGroupId, "tenant-1");
    });

    if (kind === "sqlite") {
      test("order, in-flight group locks and dedup windows survive a restart", async () => {
        const q = f.queue("durable.fifo", { ...FIFO, VisibilityTimeout: "60" });
        const first = send(q, "a1", "a");
        send(q, "a2", "a");
        const last = send(q, "b1", "b");
        const [inFlight] = await f.sqs.messages.receive(q, {});
        assert.equal(inFlight.Body, "a1");
        f = f.reopen();
        const q2 = f.sqs.registry.get("us-east-1", "000000000000", "durable.fifo");
        assert.ok(q2);
        assert.deepEqual((await f.sqs.messages.receive(q2, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["b1"]);
        assert.equal(send(q2, "again", "a", "a1").MessageId, first.MessageId);
        assert.equal(BigInt(send(q2, "c1", "c").SequenceNumber ?? "0"), BigInt(last.SequenceNumber ?? "0") + 1n);
        f.clock.advance(60_000);
        assert.deepEqual((await f.sqs.messages.receive(q2, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["a1", "a2", "b1", "c1"]);
      });
    }
  });
}
