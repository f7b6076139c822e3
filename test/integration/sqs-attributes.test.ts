import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PROTOCOLS } from "../helpers/clients.js";
import {
  attributes,
  createQueue,
  invalidParameterValue,
  missingParameter,
  names,
  queueCounts,
  rejectsWith,
  uniqueName,
  useBroker,
  type ExpectedError,
} from "./sqs-support.js";

const invalidAttributeValue = (name: string): ExpectedError => ({
  name: "InvalidAttributeValue",
  code: "InvalidAttributeValue",
  status: 400,
  message: `Invalid value for the parameter ${name}.`,
});
const invalidAttributeName = (message: string): ExpectedError => ({ name: "InvalidAttributeName", code: "InvalidAttributeName", status: 400, message });

/** Accepted boundary values and refused values of every numeric or boolean attribute. */
const RANGES: Array<{ name: string; ok: string[]; bad: string[] }> = [
  { name: "VisibilityTimeout", ok: ["0", "43200"], bad: ["-1", "43201", "abc", "1.5", ""] },
  { name: "MaximumMessageSize", ok: ["1024", "1048576", "262144"], bad: ["1023", "1048577"] },
  { name: "MessageRetentionPeriod", ok: ["60", "1209600"], bad: ["59", "1209601"] },
  { name: "DelaySeconds", ok: ["0", "900"], bad: ["-1", "901"] },
  { name: "ReceiveMessageWaitTimeSeconds", ok: ["0", "20"], bad: ["21", "-1"] },
  { name: "KmsDataKeyReusePeriodSeconds", ok: ["60", "86400"], bad: ["59", "86401"] },
  { name: "SqsManagedSseEnabled", ok: ["false", "true"], bad: ["maybe"] },
];

for (const protocol of PROTOCOLS) {
  describe(`SQS queue attributes over ${protocol}`, () => {
    const f = useBroker(protocol);
    const get = async (queueUrl: string, wanted?: string[]): Promise<Record<string, string>> =>
      (await f.client.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: wanted && names(...wanted) }))).Attributes ?? {};

    it("returns every default attribute of a new standard queue for All", async () => {
      const before = Math.floor(Date.now() / 1000);
      const name = uniqueName("defaults");
      const queueUrl = (await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
      const attrs = await get(queueUrl, ["All"]);
      const after = Math.ceil(Date.now() / 1000);
      for (const stamp of ["CreatedTimestamp", "LastModifiedTimestamp"]) {
        const value = Number(attrs[stamp]);
        assert.ok(value >= before && value <= after, `${stamp} ${attrs[stamp]} is epoch seconds`);
      }
      const { CreatedTimestamp: _c, LastModifiedTimestamp: _l, ...rest } = attrs;
      assert.deepEqual(rest, {
        ApproximateNumberOfMessages: "0",
        ApproximateNumberOfMessagesDelayed: "0",
        ApproximateNumberOfMessagesNotVisible: "0",
        DelaySeconds: "0",
        MaximumMessageSize: "1048576",
        MessageRetentionPeriod: "345600",
        QueueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
        ReceiveMessageWaitTimeSeconds: "0",
        SqsManagedSseEnabled: "true",
        VisibilityTimeout: "30",
      });
    });

    it("returns nothing without AttributeNames, only what is asked for otherwise", async () => {
      const queueUrl = await createQueue(f);
      assert.deepEqual(await get(queueUrl), {});
      assert.deepEqual(await get(queueUrl, ["VisibilityTimeout", "DelaySeconds"]), { VisibilityTimeout: "30", DelaySeconds: "0" });
      // Attributes that are not set are left out rather than returned empty.
      assert.deepEqual(await get(queueUrl, ["Policy", "RedrivePolicy"]), {});
      await rejectsWith(
        f,
        f.client.send(new f.sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names("VisibilityTimeout", "Foobar") })),
        invalidAttributeName("Unknown Attribute Foobar."),
      );
    });

    it("counts visible, in-flight and delayed messages", async () => {
      const queueUrl = await createQueue(f, { VisibilityTimeout: "60" });
      assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 0]);
      for (const body of ["a", "b", "c"]) await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "later", DelaySeconds: 60 }));
      assert.deepEqual(await queueCounts(f, queueUrl), [3, 0, 1]);
      const got = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 2 }));
      assert.equal(got.Messages?.length, 2);
      assert.deepEqual(await queueCounts(f, queueUrl), [1, 2, 1]);
      await f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle }));
      assert.deepEqual(await queueCounts(f, queueUrl), [1, 1, 1]);
    });

    it("SetQueueAttributes accepts every settable attribute at its limits", async () => {
      const queueUrl = await createQueue(f);
      for (const { name, ok } of RANGES) {
        for (const value of ok) {
          await f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes({ [name]: value }) }));
          assert.equal((await get(queueUrl, [name]))[name], value, `${name}=${value}`);
        }
      }
      const arn = (await get(queueUrl, ["QueueArn"])).QueueArn;
      const policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: arn }],
      });
      await f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: policy } }));
      assert.deepEqual(JSON.parse((await get(queueUrl, ["Policy"])).Policy ?? "{}"), JSON.parse(policy));
      await f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: "" } }));
      assert.deepEqual(await get(queueUrl, ["Policy"]), {});
    });

    it("SetQueueAttributes refuses out-of-range and malformed values and changes nothing", async () => {
      const queueUrl = await createQueue(f);
      const before = await get(queueUrl, ["All"]);
      for (const { name, bad } of RANGES) {
        for (const value of bad) {
          await rejectsWith(
            f,
            f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes({ [name]: value }) })),
            invalidAttributeValue(name),
          );
        }
      }
      await rejectsWith(
        f,
        f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: "{not json" } })),
        invalidAttributeValue("Policy"),
      );
      // One bad attribute in a request leaves the good ones in it unapplied as well.
      await rejectsWith(
        f,
        f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { DelaySeconds: "5", VisibilityTimeout: "-5" } })),
        invalidAttributeValue("VisibilityTimeout"),
      );
      assert.deepEqual(await get(queueUrl, ["All"]), before);
    });

    it("SetQueueAttributes refuses unknown, read-only and FIFO-only attributes on a standard queue", async () => {
      const queueUrl = await createQueue(f);
      const set = (attrs: Record<string, string>) => f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes(attrs) }));
      await rejectsWith(f, set({ Foobar: "1" }), invalidAttributeName("Unknown Attribute Foobar."));
      await rejectsWith(f, set({ QueueArn: "arn:aws:sqs:us-east-1:000000000000:x" }), invalidAttributeName("Unknown Attribute QueueArn."));
      await rejectsWith(f, set({ FifoQueue: "true" }), invalidAttributeName("Unknown Attribute FifoQueue."));
      await rejectsWith(f, set({ ContentBasedDeduplication: "true" }), invalidAttributeName("Unknown Attribute ContentBasedDeduplication."));
      await rejectsWith(
        f,
        set({ DeduplicationScope: "messageGroup" }),
        invalidAttributeName("You can specify the DeduplicationScope only when FifoQueue is set to true."),
      );
      await rejectsWith(
        f,
        set({ FifoThroughputLimit: "perQueue" }),
        invalidAttributeName("You can specify the FifoThroughputLimit only when FifoQueue is set to true."),
      );
      await rejectsWith(
        f,
        set({ KmsMasterKeyId: "alias/aws/sqs", SqsManagedSseEnabled: "true" }),
        invalidAttributeName("You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."),
      );
      await rejectsWith(f, f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: undefined })), missingParameter("Attributes"));
    });

    it("a KMS key turns SQS-managed encryption off", async () => {
      const queueUrl = await createQueue(f, { KmsMasterKeyId: "testKeyId", KmsDataKeyReusePeriodSeconds: "6000" });
      const attrs = await get(queueUrl, ["KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"]);
      assert.deepEqual(attrs, { KmsMasterKeyId: "testKeyId", KmsDataKeyReusePeriodSeconds: "6000", SqsManagedSseEnabled: "false" });
    });

    it("a FIFO queue refuses to change its type", async () => {
      const queueUrl = (
        await f.client.send(new f.sdk.CreateQueueCommand({ QueueName: `${uniqueName("type")}.fifo`, Attributes: { FifoQueue: "true" } }))
      ).QueueUrl;
      await rejectsWith(f, f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { FifoQueue: "false" } })), {
        name: "InvalidAttributeValue",
        code: "InvalidAttributeValue",
        status: 400,
        message: "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
      });
    });

    it("RedrivePolicy and RedriveAllowPolicy are validated and an empty RedrivePolicy removes it", async () => {
      const dlqUrl = await createQueue(f);
      const dlqArn = (await get(dlqUrl, ["QueueArn"])).QueueArn ?? "";
      const queueUrl = await createQueue(f);
      const set = (attrs: Record<string, string>, url = queueUrl) =>
        f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes(attrs) }));
      await set({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "3" }) });
      assert.deepEqual(JSON.parse((await get(queueUrl, ["RedrivePolicy"])).RedrivePolicy ?? "{}"), {
        deadLetterTargetArn: dlqArn,
        maxReceiveCount: 3,
      });
      await set({ RedrivePolicy: "" });
      assert.deepEqual(await get(queueUrl, ["RedrivePolicy"]), {});

      const missing = JSON.stringify({ deadLetterTargetArn: `${dlqArn}-missing`, maxReceiveCount: 3 });
      await rejectsWith(f, set({ RedrivePolicy: missing }), invalidParameterValue(/^Value .* for parameter RedrivePolicy is invalid\. Reason: /));
      await rejectsWith(f, set({ RedrivePolicy: "{oops" }), invalidParameterValue(/for parameter RedrivePolicy is invalid/));
      const tooMany = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1001 });
      await rejectsWith(f, set({ RedrivePolicy: tooMany }), invalidParameterValue(/maxReceiveCount/));

      await set({ RedriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }) }, dlqUrl);
      assert.equal((await get(dlqUrl, ["RedriveAllowPolicy"])).RedriveAllowPolicy, JSON.stringify({ redrivePermission: "denyAll" }));
      await rejectsWith(f, set({ RedriveAllowPolicy: JSON.stringify({ redrivePermission: "sometimes" }) }, dlqUrl), invalidParameterValue(/RedriveAllowPolicy/));
      const denied = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
      await rejectsWith(f, set({ RedrivePolicy: denied }), invalidParameterValue(/RedrivePolicy/));
    });

    it("SetQueueAttributes moves LastModifiedTimestamp and new values apply to later messages", async () => {
      const queueUrl = await createQueue(f);
      await f.client.send(new f.sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { MaximumMessageSize: "1024" } }));
      await rejectsWith(
        f,
        f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(1025) })),
        invalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."),
      );
      await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(1024) }));
      const attrs = await get(queueUrl, ["CreatedTimestamp", "LastModifiedTimestamp"]);
      assert.ok(Number(attrs.LastModifiedTimestamp) >= Number(attrs.CreatedTimestamp));
    });
  });
}
