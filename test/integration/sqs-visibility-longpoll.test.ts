import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STORE_KINDS } from "../helpers/broker.js";
import { PROTOCOLS } from "../helpers/clients.js";
import { createQueue, invalidParameterValue, names, nonExistentQueue, queueCounts, rejectsWith, sleep, useBroker, type Fixture } from "./sqs-support.js";

/** How late a parked receive may answer after the event that should wake it (SDK and HTTP included). */
const WAKE_SLACK_MS = 150;

function receive(f: Fixture, queueUrl: string, options: { wait?: number; visibility?: number; max?: number; count?: boolean } = {}) {
  return f.client
    .send(
      new f.sdk.ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: options.wait,
        VisibilityTimeout: options.visibility,
        MaxNumberOfMessages: options.max,
        AttributeNames: names("ApproximateReceiveCount"),
      }),
    )
    .then((out) => out.Messages ?? []);
}

const notAvailable = (handle: string) =>
  invalidParameterValue(
    `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
  );

// Every test owns its queue, so tests (and the protocol/store combinations) run side by side to keep the
// wall-clock time of the waits down.
describe("SQS visibility and long polling", { concurrency: true }, () => {
  for (const protocol of PROTOCOLS) {
    for (const store of STORE_KINDS) {
      describe(`over ${protocol} (${store} store)`, { concurrency: true }, () => {
        const f = useBroker(protocol, store);

        it("hides a received message for the visibility timeout, then redelivers it with a new handle", async () => {
          const queueUrl = await createQueue(f, { VisibilityTimeout: "1" });
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "v" }));
          const [first] = await receive(f, queueUrl);
          assert.equal(first?.Attributes?.ApproximateReceiveCount, "1");
          assert.deepEqual(await receive(f, queueUrl), []);
          assert.deepEqual(await queueCounts(f, queueUrl), [0, 1, 0]);
          await sleep(1100);
          const [second] = await receive(f, queueUrl);
          assert.equal(second?.MessageId, first?.MessageId);
          assert.equal(second?.Attributes?.ApproximateReceiveCount, "2");
          assert.notEqual(second?.ReceiptHandle, first?.ReceiptHandle);
          // A superseded handle of a standard queue deletes nothing but does not fail either.
          await f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle }));
          assert.deepEqual(await queueCounts(f, queueUrl), [0, 1, 0]);
          await rejectsWith(
            f,
            f.client.send(new f.sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 5 })),
            notAvailable(first?.ReceiptHandle ?? ""),
          );
          await f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second?.ReceiptHandle }));
          assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 0]);
        });

        it("a receive's own VisibilityTimeout overrides the queue's", async () => {
          const queueUrl = await createQueue(f, { VisibilityTimeout: "600" });
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "short" }));
          assert.equal((await receive(f, queueUrl, { visibility: 1 })).length, 1);
          assert.equal((await receive(f, queueUrl)).length, 0);
          await sleep(1100);
          const [again] = await receive(f, queueUrl, { visibility: 0 });
          assert.equal(again?.Attributes?.ApproximateReceiveCount, "2");
          // Visibility 0: visible again straight away.
          assert.equal((await receive(f, queueUrl)).length, 1);
        });

        it("ChangeMessageVisibility extends, shortens to zero, and refuses what is not in flight", async () => {
          const queueUrl = await createQueue(f, { VisibilityTimeout: "1" });
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "c" }));
          const [message] = await receive(f, queueUrl);
          const handle = message?.ReceiptHandle ?? "";
          await f.client.send(new f.sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: handle, VisibilityTimeout: 60 }));
          await sleep(1100);
          assert.deepEqual(await receive(f, queueUrl), [], "extended past the queue's 1 s");
          await f.client.send(new f.sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));
          const [back] = await receive(f, queueUrl, { visibility: 30 });
          assert.equal(back?.MessageId, message?.MessageId);
          await rejectsWith(
            f,
            f.client.send(new f.sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: back?.ReceiptHandle, VisibilityTimeout: 43201 })),
            invalidParameterValue(/^Value 43201 for parameter VisibilityTimeout is invalid\. Reason: /),
          );
          await f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: back?.ReceiptHandle }));
          await rejectsWith(
            f,
            f.client.send(new f.sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: back?.ReceiptHandle, VisibilityTimeout: 5 })),
            notAvailable(back?.ReceiptHandle ?? ""),
          );
          await rejectsWith(
            f,
            f.client.send(new f.sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: "not-a-handle", VisibilityTimeout: 5 })),
            {
              name: "ReceiptHandleIsInvalid",
              code: "ReceiptHandleIsInvalid",
              status: 404,
              message: 'The input receipt handle "not-a-handle" is not a valid receipt handle.',
            },
          );
        });

        it("a long poll wakes within milliseconds of a send", async () => {
          const queueUrl = await createQueue(f);
          const parked = receive(f, queueUrl, { wait: 10 });
          await sleep(300);
          const sentAt = performance.now();
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "wake" }));
          const messages = await parked;
          const latency = performance.now() - sentAt;
          assert.deepEqual(messages.map((m) => m.Body), ["wake"]);
          assert.ok(latency < WAKE_SLACK_MS, `woke ${latency.toFixed(0)} ms after the send`);
        });

        it("a long poll wakes when a visibility timeout runs out", async () => {
          const queueUrl = await createQueue(f);
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "again" }));
          const receivedAt = performance.now();
          assert.equal((await receive(f, queueUrl, { visibility: 1 })).length, 1);
          const messages = await receive(f, queueUrl, { wait: 10 });
          const elapsed = performance.now() - receivedAt;
          assert.deepEqual(messages.map((m) => m.Attributes?.ApproximateReceiveCount), ["2"]);
          assert.ok(elapsed >= 950 && elapsed < 1000 + WAKE_SLACK_MS, `woke ${elapsed.toFixed(0)} ms after the first receive`);
        });

        it("a long poll wakes when a message's delay runs out", async () => {
          const queueUrl = await createQueue(f);
          const sentAt = performance.now();
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "delayed", DelaySeconds: 1 }));
          assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 1]);
          const messages = await receive(f, queueUrl, { wait: 10 });
          const elapsed = performance.now() - sentAt;
          assert.deepEqual(messages.map((m) => m.Body), ["delayed"]);
          assert.ok(elapsed >= 950 && elapsed < 1000 + WAKE_SLACK_MS, `woke ${elapsed.toFixed(0)} ms after the send`);
        });

        it("a queue's DelaySeconds delays every message; a message's own DelaySeconds overrides it", async () => {
          const queueUrl = await createQueue(f, { DelaySeconds: "1" });
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "queue-delay" }));
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "no-delay", DelaySeconds: 0 }));
          assert.deepEqual(await queueCounts(f, queueUrl), [1, 0, 1]);
          assert.deepEqual((await receive(f, queueUrl, { max: 10 })).map((m) => m.Body), ["no-delay"]);
          const started = performance.now();
          const later = await receive(f, queueUrl, { wait: 5, max: 10 });
          assert.deepEqual(later.map((m) => m.Body), ["queue-delay"]);
          assert.ok(performance.now() - started < 1000 + WAKE_SLACK_MS);
        });

        it("a long poll wakes when ChangeMessageVisibility makes a message visible", async () => {
          const queueUrl = await createQueue(f);
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "cmv" }));
          const [message] = await receive(f, queueUrl, { visibility: 60 });
          const parked = receive(f, queueUrl, { wait: 10 });
          await sleep(200);
          const changedAt = performance.now();
          await f.client.send(new f.sdk.ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle, VisibilityTimeout: 0 }));
          assert.deepEqual((await parked).map((m) => m.Body), ["cmv"]);
          assert.ok(performance.now() - changedAt < WAKE_SLACK_MS);
        });

        it("an empty long poll answers after its wait, also when the wait comes from the queue", async () => {
          const queueUrl = await createQueue(f);
          let started = performance.now();
          assert.deepEqual(await receive(f, queueUrl, { wait: 1 }), []);
          let elapsed = performance.now() - started;
          assert.ok(elapsed >= 950 && elapsed < 1000 + WAKE_SLACK_MS, `answered after ${elapsed.toFixed(0)} ms`);

          await f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { ReceiveMessageWaitTimeSeconds: "1" } }));
          started = performance.now();
          assert.deepEqual(await receive(f, queueUrl), []);
          elapsed = performance.now() - started;
          assert.ok(elapsed >= 950 && elapsed < 1000 + WAKE_SLACK_MS, `answered after ${elapsed.toFixed(0)} ms`);
          started = performance.now();
          assert.deepEqual(await receive(f, queueUrl, { wait: 0 }), []);
          assert.ok(performance.now() - started < WAKE_SLACK_MS, "WaitTimeSeconds 0 overrides the queue's wait");
        });

        it("several parked receivers each get a message", async () => {
          const queueUrl = await createQueue(f);
          const parked = [receive(f, queueUrl, { wait: 10 }), receive(f, queueUrl, { wait: 10 }), receive(f, queueUrl, { wait: 10 })];
          await sleep(200);
          await f.client.send(
            new f.sdk.SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ["a", "b", "c"].map((b) => ({ Id: b, MessageBody: b })) }),
          );
          const bodies = (await Promise.all(parked)).flat().map((m) => m.Body);
          assert.deepEqual(bodies.sort(), ["a", "b", "c"]);
        });

        it("PurgeQueue empties the queue once per 60 seconds", async () => {
          const queueUrl = await createQueue(f, { VisibilityTimeout: "60" });
          for (const body of ["1", "2", "3"]) await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "delayed", DelaySeconds: 60 }));
          await receive(f, queueUrl);
          assert.deepEqual(await queueCounts(f, queueUrl), [2, 1, 1]);
          await f.client.send(new f.sdk.PurgeQueueCommand({ QueueUrl: queueUrl }));
          assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 0]);
          const name = queueUrl.split("/").pop();
          await rejectsWith(f, f.client.send(new f.sdk.PurgeQueueCommand({ QueueUrl: queueUrl })), {
            name: "PurgeQueueInProgress",
            code: "AWS.SimpleQueueService.PurgeQueueInProgress",
            status: 403,
            message: `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
          });
          // Sending still works while the purge rule is in force.
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "after" }));
          assert.deepEqual((await receive(f, queueUrl)).map((m) => m.Body), ["after"]);
          await rejectsWith(f, f.client.send(new f.sdk.PurgeQueueCommand({ QueueUrl: `${queueUrl}-missing` })), nonExistentQueue(protocol));
        });

        it("a parked receive on a queue that is deleted answers empty", async () => {
          const queueUrl = await createQueue(f);
          const parked = receive(f, queueUrl, { wait: 10 });
          await sleep(200);
          const deletedAt = performance.now();
          await f.client.send(new f.sdk.DeleteQueueCommand({ QueueUrl: queueUrl }));
          assert.deepEqual(await parked, []);
          assert.ok(performance.now() - deletedAt < WAKE_SLACK_MS);
        });
      });
    }
  }
});
