import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { STORE_KINDS } from "../helpers/broker.js";
import { coreFixture, type CoreFixture } from "../helpers/core.js";

for (const kind of STORE_KINDS) {
  describe(`core redrive and move tasks (${kind} store)`, () => {
    let f: CoreFixture;
    beforeEach(() => {
      f = coreFixture(kind);
    });
    afterEach(() => f.close());

    const withDlq = (name: string, maxReceiveCount: number | string, fifo = false) => {
      const suffix = fifo ? ".fifo" : "";
      const extra: Record<string, string> = fifo ? { FifoQueue: "true", ContentBasedDeduplication: "true" } : {};
      const dlq = f.queue(`${name}-dlq${suffix}`, extra);
      const source = f.queue(`${name}${suffix}`, {
        ...extra,
        VisibilityTimeout: "1",
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
      });
      return { source, dlq };
    };

    test("the receive that would exceed maxReceiveCount moves the message, keeping id, body, attributes and trace", async () => {
      const { source, dlq } = withDlq("orders", "2");
      const sent = f.sqs.messages.send(
        f.caller,
        source,
        { MessageBody: "poison", MessageAttributes: { kind: { DataType: "String", StringValue: "bad" } } },
        "Root=1-abc",
      );
      for (let i = 0; i < 2; i++) {
        assert.equal((await f.sqs.messages.receive(source, {})).length, 1);
        f.clock.advance(1_000);
      }
      assert.deepEqual(await f.sqs.messages.receive(source, {}), []);
      const [dead] = await f.sqs.messages.receive(dlq, { MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] });
      assert.equal(dead.MessageId, sent.MessageId);
      assert.equal(dead.Body, "poison");
      assert.equal(dead.MessageAttributes?.kind.StringValue, "bad");
      assert.equal(dead.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.equal(dead.Attributes?.AWSTraceHeader, "Root=1-abc");
      assert.equal(dead.Attributes?.DeadLetterQueueSourceArn, source.arn);
    });

    test("a parked receive on the dead-letter queue wakes when a message is moved there", async () => {
      const { source, dlq } = withDlq("wake", 1);
      f.sqs.messages.send(f.caller, source, { MessageBody: "x" });
      await f.sqs.messages.receive(source, {});
      const parked = f.sqs.messages.receive(dlq, { WaitTimeSeconds: 20 });
      f.clock.advance(1_000);
      await f.sqs.messages.receive(source, {});
      assert.equal((await parked)[0]?.Body, "x");
    });

    test("RedrivePolicy validation: target exists, same type, count in range, \"\" removes it", () => {
      const dlq = f.queue("v-dlq");
      const fifoDlq = f.queue("v-dlq.fifo", { FifoQueue: "true" });
      const q = f.queue("v");
      const set = (policy: string) => f.sqs.setAttributes(f.caller, q, { RedrivePolicy: policy });
      assert.throws(() => set(JSON.stringify({ deadLetterTargetArn: `${dlq.arn}-nope`, maxReceiveCount: 3 })), /Dead letter target does not exist/);
      assert.throws(() => set(JSON.stringify({ deadLetterTargetArn: fifoDlq.arn, maxReceiveCount: 3 })), /same type/);
      assert.throws(() => set(JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1001 })), /valid values are from 1 to 1000/);
      assert.throws(() => set(JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 0 })), /valid values are from 1 to 1000/);
      assert.throws(() => set("not json"), /not a valid JSON map/);
      set(JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: "1000" }));
      assert.equal(JSON.parse(f.sqs.getAttributes(q, ["RedrivePolicy"]).RedrivePolicy).maxReceiveCount, 1000);
      set("");
      assert.equal(f.sqs.getAttributes(q, ["RedrivePolicy"]).RedrivePolicy, undefined);
    });

    test("RedriveAllowPolicy decides which sources may use a dead-letter queue", () => {
      const dlq = f.queue("allow-dlq", { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }) });
      const policy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 });
      assert.throws(() => f.queue("denied", { RedrivePolicy: policy }), /is not allowed to use/);
      const allowed = f.queue("allowed");
      f.sqs.setAttributes(f.caller, dlq, {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [allowed.arn] }),
      });
      f.sqs.setAttributes(f.caller, allowed, { RedrivePolicy: policy });
      assert.throws(() => f.queue("other", { RedrivePolicy: policy }), /is not allowed to use/);
      assert.throws(
        () => f.sqs.setAttributes(f.caller, dlq, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue" }) }),
        /at least one source queue ARN/,
      );
    });

    test("ListDeadLetterSourceQueues pages through the queues that use a dead-letter queue", () => {
      const dlq = f.queue("shared-dlq");
      const policy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 });
      for (const name of ["s1", "s2", "s3"]) f.queue(name, { RedrivePolicy: policy });
      const first = f.sqs.listDeadLetterSourceQueues(dlq, 2);
      assert.deepEqual(first.items.map((q) => q.name), ["s1", "s2"]);
      const second = f.sqs.listDeadLetterSourceQueues(dlq, 2, first.nextToken);
      assert.deepEqual(second.items.map((q) => q.name), ["s3"]);
      assert.equal(second.nextToken, undefined);
    });

    const deadLetter = async (source: ReturnType<CoreFixture["queue"]>, count: number) => {
      for (let i = 0; i < count; i++) f.sqs.messages.send(f.caller, source, { MessageBody: `m${i}`, MessageGroupId: source.fifo ? "g" : undefined });
      for (let round = 0; round < 3; round++) {
        while ((await f.sqs.messages.receive(source, { MaxNumberOfMessages: 10 })).length > 0);
        f.clock.advance(1_000);
      }
    };

    test("a move task sends messages back to their source queues at the requested rate and completes", async () => {
      const { source, dlq } = withDlq("move", 1);
      await deadLetter(source, 5);
      assert.equal(f.sqs.getAttributes(dlq, ["ApproximateNumberOfMessages"]).ApproximateNumberOfMessages, "5");
      assert.throws(() => f.sqs.moveTasks.start(f.caller, { SourceArn: source.arn }), /must be configured as a Dead Letter Queue/);
      const handle = f.sqs.moveTasks.start(f.caller, { SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 2 });
      assert.throws(() => f.sqs.moveTasks.start(f.caller, { SourceArn: dlq.arn }), /Only one active task is allowed/);
      f.clock.advance(1_000);
      const [running] = f.sqs.moveTasks.list(f.caller, dlq.arn, 10);
      assert.equal(running.Status, "RUNNING");
      assert.equal(running.TaskHandle, handle);
      assert.equal(running.ApproximateNumberOfMessagesMoved, 2);
      assert.equal(running.ApproximateNumberOfMessagesToMove, 5);
      f.clock.advance(3_000);
      const [done] = f.sqs.moveTasks.list(f.caller, dlq.arn, 1);
      assert.equal(done.Status, "COMPLETED");
      assert.equal(done.TaskHandle, undefined);
      assert.equal(done.ApproximateNumberOfMessagesMoved, 5);
      const back = await f.sqs.messages.receive(source, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] });
      assert.equal(back.length, 5);
      assert.ok(back.every((m) => m.Attributes?.ApproximateReceiveCount === "1" && !m.Attributes.DeadLetterQueueSourceArn));
    });

    test("a move task to an explicit destination can be cancelled, and fails honestly when the destination goes", async () => {
      const { source, dlq } = withDlq("cancel", 1);
      const destination = f.queue("elsewhere");
      await deadLetter(source, 6);
      const handle = f.sqs.moveTasks.start(f.caller, { SourceArn: dlq.arn, DestinationArn: destination.arn, MaxNumberOfMessagesPerSecond: 1 });
      f.clock.advance(1_000);
      assert.equal(f.sqs.moveTasks.cancel(f.caller, handle), 1);
      assert.equal(f.sqs.moveTasks.list(f.caller, dlq.arn, 1)[0].Status, "CANCELLED");
      assert.throws(() => f.sqs.moveTasks.cancel(f.caller, "garbage"), /Value for parameter TaskHandle is invalid/);

      f.sqs.moveTasks.start(f.caller, { SourceArn: dlq.arn, DestinationArn: destination.arn, MaxNumberOfMessagesPerSecond: 1 });
      f.clock.advance(1_000);
      f.sqs.deleteQueue(destination);
      f.clock.advance(1_000);
      const [failed] = f.sqs.moveTasks.list(f.caller, dlq.arn, 1);
      assert.equal(failed.Status, "FAILED");
      assert.equal(failed.FailureReason, "AWS.SimpleQueueService.NonExistentQueue");
      assert.equal(failed.ApproximateNumberOfMessagesMoved, 1);
      assert.equal(f.sqs.getAttributes(dlq, ["ApproximateNumberOfMessages"]).ApproximateNumberOfMessages, "4");
    });

    if (kind === "sqlite") {
      test("a move task resumes after a restart without losing or duplicating messages", async () => {
        const { source, dlq } = withDlq("resume", 1);
        await deadLetter(source, 7);
        f.sqs.moveTasks.start(f.caller, { SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 3 });
        f.clock.advance(1_000);
        f = f.reopen();
        const dlqAgain = f.sqs.registry.byQueueArn(dlq.arn);
        const sourceAgain = f.sqs.registry.byQueueArn(source.arn);
        assert.ok(dlqAgain && sourceAgain);
        assert.equal(f.sqs.moveTasks.list(f.caller, dlq.arn, 1)[0].ApproximateNumberOfMessagesMoved, 3);
        f.clock.advance(3_000);
        assert.equal(f.sqs.moveTasks.list(f.caller, dlq.arn, 1)[0].Status, "COMPLETED");
        const back = await f.sqs.messages.receive(sourceAgain, { MaxNumberOfMessages: 10 });
        assert.deepEqual(back.map((m) => m.Body).sort(), ["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
        assert.equal(f.sqs.getAttributes(dlqAgain, ["ApproximateNumberOfMessages"]).ApproximateNumberOfMessages, "0");
      });

      test("a message moved to the dead-letter queue is there after a restart, and only there", async () => {
        const { source, dlq } = withDlq("crash", 1);
        f.sqs.messages.send(f.caller, source, { MessageBody: "x" });
        await f.sqs.messages.receive(source, {});
        f.clock.advance(1_000);
        await f.sqs.messages.receive(source, {});
        f = f.reopen();
        assert.equal(f.sqs.getAttributes(f.sqs.registry.byQueueArn(source.arn)!, ["All"]).ApproximateNumberOfMessages, "0");
        assert.equal(f.sqs.getAttributes(f.sqs.registry.byQueueArn(dlq.arn)!, ["All"]).ApproximateNumberOfMessages, "1");
      });
    }

    test("FIFO dead-letter queues keep group order", async () => {
      const { source, dlq } = withDlq("ordered", 1, true);
      for (const body of ["1", "2", "3"]) f.sqs.messages.send(f.caller, source, { MessageBody: body, MessageGroupId: "g" });
      for (let i = 0; i < 6; i++) {
        await f.sqs.messages.receive(source, { MaxNumberOfMessages: 10 });
        f.clock.advance(1_000);
      }
      const dead = await f.sqs.messages.receive(dlq, { MaxNumberOfMessages: 10 });
      assert.deepEqual(dead.map((m) => m.Body), ["1", "2", "3"]);
    });
  });
}
