import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { STORE_KINDS } from "../helpers/broker.js";
import { coreFixture, type CoreFixture } from "../helpers/core.js";

for (const kind of STORE_KINDS) {
  describe(`core visibility, delays and retention (${kind} store)`, () => {
    let f: CoreFixture;
    beforeEach(() => {
      f = coreFixture(kind);
    });
    afterEach(() => f.close());

    test("a received message stays invisible for the visibility timeout, then returns with a new handle", async () => {
      const q = f.queue("vis", { VisibilityTimeout: "30" });
      f.sqs.messages.send(f.caller, q, { MessageBody: "m" });
      const [first] = await f.sqs.messages.receive(q, { MessageSystemAttributeNames: ["All"] });
      assert.equal(first.Attributes?.ApproximateReceiveCount, "1");
      f.clock.advance(29_999);
      assert.deepEqual(await f.sqs.messages.receive(q, {}), []);
      f.clock.advance(1);
      const [second] = await f.sqs.messages.receive(q, { MessageSystemAttributeNames: ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"] });
      assert.equal(second.MessageId, first.MessageId);
      assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
      assert.equal(second.Attributes?.ApproximateReceiveCount, "2");
      assert.equal(second.Attributes?.ApproximateFirstReceiveTimestamp, first.Attributes?.ApproximateFirstReceiveTimestamp);
    });

    test("a stale receipt handle neither deletes nor changes the re-received message", async () => {
      const q = f.queue("stale", { VisibilityTimeout: "10" });
      f.sqs.messages.send(f.caller, q, { MessageBody: "m" });
      const [first] = await f.sqs.messages.receive(q, {});
      f.clock.advance(10_000);
      const [second] = await f.sqs.messages.receive(q, {});
      f.sqs.messages.delete(q, first.ReceiptHandle);
      assert.equal(f.sqs.getAttributes(q, ["ApproximateNumberOfMessagesNotVisible"]).ApproximateNumberOfMessagesNotVisible, "1");
      assert.throws(() => f.sqs.messages.changeVisibility(q, first.ReceiptHandle, 0), /not available for visibility timeout change/);
      f.sqs.messages.delete(q, second.ReceiptHandle);
      f.sqs.messages.delete(q, second.ReceiptHandle);
      assert.equal(f.sqs.getAttributes(q, ["ApproximateNumberOfMessagesNotVisible"]).ApproximateNumberOfMessagesNotVisible, "0");
    });

    test("ChangeMessageVisibility extends, shortens, and is capped at 12 hours after the receive", async () => {
      const q = f.queue("change", { VisibilityTimeout: "30" });
      f.sqs.messages.send(f.caller, q, { MessageBody: "m" });
      const [m] = await f.sqs.messages.receive(q, {});
      f.sqs.messages.changeVisibility(q, m.ReceiptHandle, 100);
      f.clock.advance(99_000);
      assert.deepEqual(await f.sqs.messages.receive(q, {}), []);
      f.sqs.messages.changeVisibility(q, m.ReceiptHandle, 0);
      const [again] = await f.sqs.messages.receive(q, { VisibilityTimeout: 43_200 });
      assert.equal(again.MessageId, m.MessageId);
      f.clock.advance(43_000_000);
      assert.throws(() => f.sqs.messages.changeVisibility(q, again.ReceiptHandle, 43_200), /beyond the limit \[43200 seconds\]/);
    });

    test("queue-level and per-message delays hide messages until they pass, and are counted as delayed", async () => {
      const q = f.queue("delay", { DelaySeconds: "5" });
      f.sqs.messages.send(f.caller, q, { MessageBody: "queue-delay" });
      f.sqs.messages.send(f.caller, q, { MessageBody: "own-delay", DelaySeconds: 10 });
      f.sqs.messages.send(f.caller, q, { MessageBody: "no-delay", DelaySeconds: 0 });
      const attrs = f.sqs.getAttributes(q, ["All"]);
      assert.equal(attrs.ApproximateNumberOfMessagesDelayed, "2");
      assert.equal(attrs.ApproximateNumberOfMessages, "1");
      assert.deepEqual((await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["no-delay"]);
      f.clock.advance(5_000);
      assert.deepEqual((await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["queue-delay"]);
      f.clock.advance(5_000);
      assert.deepEqual((await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["own-delay"]);
    });

    test("retention removes messages once their period runs out, received or not", async () => {
      const q = f.queue("retention", { MessageRetentionPeriod: "60", VisibilityTimeout: "1" });
      f.sqs.messages.send(f.caller, q, { MessageBody: "old" });
      f.clock.advance(30_000);
      f.sqs.messages.send(f.caller, q, { MessageBody: "young" });
      await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 });
      f.clock.advance(30_000);
      assert.equal(f.sqs.getAttributes(q, ["ApproximateNumberOfMessages"]).ApproximateNumberOfMessages, "1");
      assert.deepEqual((await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ["young"]);
      f.clock.advance(31_000);
      assert.deepEqual(await f.sqs.messages.receive(q, { MaxNumberOfMessages: 10 }), []);
      assert.equal(f.sqs.getAttributes(q, ["ApproximateNumberOfMessagesNotVisible"]).ApproximateNumberOfMessagesNotVisible, "0");
    });

    test("a parked long poll wakes on a send, on a visibility expiry and on a delay expiry, without polling", async () => {
      const q = f.queue("poll", { VisibilityTimeout: "3" });
      const onSend = f.sqs.messages.receive(q, { WaitTimeSeconds: 20 });
      f.sqs.messages.send(f.caller, q, { MessageBody: "sent" });
      const [sent] = await onSend;
      assert.equal(sent.Body, "sent");

      const onExpiry = f.sqs.messages.receive(q, { WaitTimeSeconds: 20 });
      f.clock.advance(3_000);
      const [expired] = await onExpiry;
      assert.equal(expired?.MessageId, sent.MessageId);
      f.sqs.messages.delete(q, expired.ReceiptHandle);

      f.sqs.messages.send(f.caller, q, { MessageBody: "delayed", DelaySeconds: 7 });
      const onDelay = f.sqs.messages.receive(q, { WaitTimeSeconds: 20 });
      f.clock.advance(6_999);
      let settled = false;
      void onDelay.then(() => (settled = true));
      await new Promise((r) => setImmediate(r));
      assert.equal(settled, false);
      f.clock.advance(1);
      assert.equal((await onDelay)[0]?.Body, "delayed");

      const empty = f.sqs.messages.receive(q, { WaitTimeSeconds: 2 });
      f.clock.advance(2_000);
      assert.deepEqual(await empty, []);
    });

    test("closing the service answers parked long polls with nothing", async () => {
      const q = f.queue("closing");
      const parked = f.sqs.messages.receive(q, { WaitTimeSeconds: 20 });
      f.sqs.close();
      assert.deepEqual(await parked, []);
    });
  });
}
