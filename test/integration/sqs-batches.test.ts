import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { STORE_KINDS } from "../helpers/broker.js";
import { PROTOCOLS } from "../helpers/clients.js";
import { createQueue, nonExistentQueue, queueCounts, rejectsWith, useBroker, type ExpectedError, type Fixture } from "./sqs-support.js";

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

const batchError = (shape: string, message: string | RegExp): ExpectedError => ({
  name: shape,
  code: `AWS.SimpleQueueService.${shape}`,
  status: 400,
  message,
});

type BatchKind = "SendMessageBatch" | "DeleteMessageBatch" | "ChangeMessageVisibilityBatch";
const KINDS: BatchKind[] = ["SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"];
const ENTRY_NAMES: Record<BatchKind, string> = {
  SendMessageBatch: "SendMessageBatchRequestEntry",
  DeleteMessageBatch: "DeleteMessageBatchRequestEntry",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibilityBatchRequestEntry",
};

/** Issues a batch of `ids` of the given kind; entries are valid apart from their ids. */
function batch(f: Fixture, kind: BatchKind, queueUrl: string, ids: string[]) {
  if (kind === "SendMessageBatch") {
    return f.client.send(new f.sdk.SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ids.map((Id) => ({ Id, MessageBody: "b" })) }));
  }
  if (kind === "DeleteMessageBatch") {
    return f.client.send(new f.sdk.DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: ids.map((Id) => ({ Id, ReceiptHandle: "x" })) }));
  }
  return f.client.send(
    new f.sdk.ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: ids.map((Id) => ({ Id, ReceiptHandle: "x", VisibilityTimeout: 1 })) }),
  );
}

async function receiveAll(f: Fixture, queueUrl: string, visibility = 30) {
  const out = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibility }));
  return out.Messages ?? [];
}

for (const protocol of PROTOCOLS) {
  for (const store of STORE_KINDS) {
    describe(`SQS batches over ${protocol} (${store} store)`, () => {
      const f = useBroker(protocol, store);

      it("SendMessageBatch sends every entry with its own MD5s and delay", async () => {
        const queueUrl = await createQueue(f);
        const attributes = { MyAttribute: { DataType: "String", StringValue: "foobar" } };
        const out = await f.client.send(
          new f.sdk.SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: [
              { Id: "plain", MessageBody: "one" },
              { Id: "with-attrs", MessageBody: "two", MessageAttributes: attributes },
              { Id: "delayed_3", MessageBody: "three", DelaySeconds: 60 },
            ],
          }),
        );
        assert.equal(out.$metadata.httpStatusCode, 200);
        assert.equal((out.Failed ?? []).length, 0);
        const byId = new Map((out.Successful ?? []).map((e) => [e.Id, e]));
        assert.deepEqual([...byId.keys()].sort(), ["delayed_3", "plain", "with-attrs"]);
        assert.equal(byId.get("plain")?.MD5OfMessageBody, md5("one"));
        assert.equal(byId.get("plain")?.MD5OfMessageAttributes, undefined);
        assert.equal(byId.get("with-attrs")?.MD5OfMessageAttributes, "adb59cd4678ea5a855436b949cd07ab6");
        assert.equal(new Set((out.Successful ?? []).map((e) => e.MessageId)).size, 3);
        assert.deepEqual(await queueCounts(f, queueUrl), [2, 0, 1]);
        const got = await receiveAll(f, queueUrl);
        assert.deepEqual(got.map((m) => m.Body).sort(), ["one", "two"]);
      });

      it("SendMessageBatch reports bad entries in Failed with HTTP 200 and sends the rest", async () => {
        const queueUrl = await createQueue(f, { MaximumMessageSize: "1024" });
        const out = await f.client.send(
          new f.sdk.SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: [
              { Id: "good", MessageBody: "fine" },
              { Id: "bad-chars", MessageBody: "nul\u0000" },
              { Id: "too-big", MessageBody: "x".repeat(1025) },
              { Id: "empty-attr", MessageBody: "a", MessageAttributes: { e: { DataType: "String", StringValue: "" } } },
              { Id: "bad-delay", MessageBody: "d", DelaySeconds: 901 },
            ],
          }),
        );
        assert.equal(out.$metadata.httpStatusCode, 200);
        assert.deepEqual(
          (out.Successful ?? []).map((e) => e.Id),
          ["good"],
        );
        const failed = new Map((out.Failed ?? []).map((e) => [e.Id, e]));
        assert.deepEqual([...failed.keys()].sort(), ["bad-chars", "bad-delay", "empty-attr", "too-big"]);
        for (const entry of failed.values()) assert.equal(entry.SenderFault, true);
        assert.equal(failed.get("bad-chars")?.Code, "InvalidMessageContents");
        assert.match(failed.get("bad-chars")?.Message ?? "", /^Invalid binary character '#x0' was found in the message body/);
        assert.equal(failed.get("too-big")?.Code, "InvalidParameterValue");
        assert.equal(failed.get("too-big")?.Message, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
        assert.equal(failed.get("empty-attr")?.Code, "InvalidParameterValue");
        assert.equal(failed.get("empty-attr")?.Message, "Message (user) attribute 'e' must contain a non-empty value of type 'String'.");
        assert.equal(failed.get("bad-delay")?.Code, "InvalidParameterValue");
        assert.deepEqual(await queueCounts(f, queueUrl), [1, 0, 0]);
      });

      it("SendMessageBatch refuses a batch over 1 MiB in total and sends nothing", async () => {
        const queueUrl = await createQueue(f);
        const body = "x".repeat(600000);
        await rejectsWith(
          f,
          f.client.send(
            new f.sdk.SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: [
                { Id: "a", MessageBody: body },
                { Id: "b", MessageBody: body },
              ],
            }),
          ),
          batchError("BatchRequestTooLong", "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."),
        );
        assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 0]);
        // Exactly 1 MiB in total is allowed.
        const half = "y".repeat(524288);
        const ok = await f.client.send(
          new f.sdk.SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: [
              { Id: "a", MessageBody: half },
              { Id: "b", MessageBody: half },
            ],
          }),
        );
        assert.equal(ok.Successful?.length, 2);
      });

      for (const kind of KINDS) {
        it(`${kind} validates the batch as a whole`, async () => {
          const queueUrl = await createQueue(f);
          await rejectsWith(f, batch(f, kind, queueUrl, []), batchError("EmptyBatchRequest", `There should be at least one ${ENTRY_NAMES[kind]} in the request.`));
          const twenty = Array.from({ length: 20 }, (_, i) => `id${i}`);
          await rejectsWith(
            f,
            batch(f, kind, queueUrl, twenty),
            batchError("TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 20."),
          );
          const badId = batchError(
            "InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
          );
          await rejectsWith(f, batch(f, kind, queueUrl, ["ok", "invalid:id"]), badId);
          await rejectsWith(f, batch(f, kind, queueUrl, ["x".repeat(81)]), badId);
          await rejectsWith(f, batch(f, kind, queueUrl, ["a", "b", "a"]), batchError("BatchEntryIdsNotDistinct", "Id a repeated."));
          await rejectsWith(f, batch(f, kind, `${queueUrl}-missing`, ["a"]), nonExistentQueue(protocol));
          // Ten entries and an 80-character id are within the rules.
          const ten = Array.from({ length: 9 }, (_, i) => `id${i}`).concat("x".repeat(80));
          const out = await batch(f, kind, queueUrl, ten);
          assert.equal(out.$metadata.httpStatusCode, 200);
          assert.equal((out.Successful ?? []).length + (out.Failed ?? []).length, 10);
          if (kind === "SendMessageBatch") assert.deepEqual(await queueCounts(f, queueUrl), [10, 0, 0]);
          else assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 0]);
        });
      }

      it("DeleteMessageBatch deletes good handles and reports bad ones per entry", async () => {
        const queueUrl = await createQueue(f);
        await f.client.send(
          new f.sdk.SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ["1", "2", "3"].map((n) => ({ Id: `m${n}`, MessageBody: n })) }),
        );
        const got = await receiveAll(f, queueUrl);
        assert.equal(got.length, 3);
        const out = await f.client.send(
          new f.sdk.DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: [
              { Id: "first", ReceiptHandle: got[0].ReceiptHandle },
              { Id: "second", ReceiptHandle: got[1].ReceiptHandle },
              { Id: "again", ReceiptHandle: got[1].ReceiptHandle },
              { Id: "garbage", ReceiptHandle: "garbage" },
            ],
          }),
        );
        assert.equal(out.$metadata.httpStatusCode, 200);
        assert.deepEqual((out.Successful ?? []).map((e) => e.Id).sort(), ["again", "first", "second"]);
        assert.deepEqual(out.Failed, [
          { Id: "garbage", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: 'The input receipt handle "garbage" is not a valid receipt handle.' },
        ]);
        assert.deepEqual(await queueCounts(f, queueUrl), [0, 1, 0]);
      });

      it("ChangeMessageVisibilityBatch changes good handles and reports bad ones per entry", async () => {
        const queueUrl = await createQueue(f);
        await f.client.send(
          new f.sdk.SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ["1", "2"].map((n) => ({ Id: `m${n}`, MessageBody: n })) }),
        );
        const got = await receiveAll(f, queueUrl);
        assert.equal(got.length, 2);
        const out = await f.client.send(
          new f.sdk.ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: [
              { Id: "now", ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 0 },
              { Id: "later", ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: 600 },
              { Id: "garbage", ReceiptHandle: "garbage", VisibilityTimeout: 0 },
              { Id: "range", ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: 43201 },
            ],
          }),
        );
        assert.equal(out.$metadata.httpStatusCode, 200);
        assert.deepEqual((out.Successful ?? []).map((e) => e.Id).sort(), ["later", "now"]);
        const failed = new Map((out.Failed ?? []).map((e) => [e.Id, e]));
        assert.deepEqual([...failed.keys()].sort(), ["garbage", "range"]);
        assert.equal(failed.get("garbage")?.Code, "ReceiptHandleIsInvalid");
        assert.equal(failed.get("range")?.Code, "InvalidParameterValue");
        assert.equal(failed.get("range")?.SenderFault, true);
        const again = await receiveAll(f, queueUrl);
        assert.deepEqual(again.map((m) => m.Body), [got[0].Body]);
      });
    });
  }
}
