// Publish and PublishBatch to SQS subscriptions through @aws-sdk/client-sns: the envelope exactly as AWS
// writes it, raw delivery, MessageStructure, FIFO topics, fan-out, dead-letter redirects and every
// validation error; on both stores.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createVerify } from "node:crypto";
import {
  CreateTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  type PublishBatchRequestEntry,
} from "@aws-sdk/client-sns";
import { DeleteQueueCommand } from "@aws-sdk/client-sqs";
import { STORE_KINDS, type TestBroker } from "../helpers/broker.js";
import { awsClients, failure, makeQueue, receive, receiveNone, startSnsBroker, type Clients } from "../helpers/sns.js";

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

for (const kind of STORE_KINDS) {
  describe(`SNS publish to SQS (${kind})`, () => {
    let broker: TestBroker;
    let c: Clients;
    let seq = 0;
    before(async () => {
      broker = await startSnsBroker(kind);
      c = awsClients(broker.endpoint);
    });
    after(async () => {
      c.destroy();
      await broker.stop();
    });

    /** A topic with `n` queue subscriptions (attributes per subscription). */
    async function fanOut(n: number, attributes: Record<string, string> = {}, topicAttributes: Record<string, string> = {}) {
      const fifo = topicAttributes.FifoTopic === "true";
      const name = `t${++seq}${fifo ? ".fifo" : ""}`;
      const topic = (await c.sns.send(new CreateTopicCommand({ Name: name, Attributes: topicAttributes }))).TopicArn ?? "";
      const queues = [];
      for (let i = 0; i < n; i++) {
        const queue = await makeQueue(c.sqs, `${name.replace(".fifo", "")}-q${i}${fifo ? ".fifo" : ""}`, fifo ? { FifoQueue: "true" } : {});
        const subscription = (await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: queue.arn, Attributes: attributes }))).SubscriptionArn ?? "";
        queues.push({ ...queue, subscription });
      }
      return { topic, queues };
    }

    test("the envelope is AWS's, byte for byte, and its signature verifies against SigningCertURL", async () => {
      const { topic, queues } = await fanOut(1);
      const published = await c.sns.send(
        new PublishCommand({
          TopicArn: topic,
          Message: 'Hello "world"\nline two',
          Subject: "Greetings",
          MessageAttributes: {
            name: { DataType: "String", StringValue: "sluice" },
            count: { DataType: "Number", StringValue: "42" },
            blob: { DataType: "Binary", BinaryValue: new Uint8Array([2, 3, 4]) },
            tags: { DataType: "String.Array", StringValue: '["a","b"]' },
          },
        }),
      );
      const [message] = await receive(c.sqs, queues[0].url, 1);
      const body = JSON.parse(message.Body ?? "{}") as Record<string, string>;
      assert.equal(body.MessageId, published.MessageId);
      assert.match(body.Timestamp, ISO_MS);
      const cert = `${broker.endpoint}/SimpleNotificationService-`;
      assert.ok(body.SigningCertURL.startsWith(cert) && /-[0-9a-f]{32}\.pem$/.test(body.SigningCertURL));
      const expected = [
        "{",
        '  "Type" : "Notification",',
        `  "MessageId" : "${published.MessageId}",`,
        `  "TopicArn" : "${topic}",`,
        '  "Subject" : "Greetings",',
        '  "Message" : "Hello \\"world\\"\\nline two",',
        `  "Timestamp" : "${body.Timestamp}",`,
        '  "SignatureVersion" : "1",',
        `  "Signature" : "${body.Signature}",`,
        `  "SigningCertURL" : "${body.SigningCertURL}",`,
        `  "UnsubscribeURL" : "${broker.endpoint}/?Action=Unsubscribe&SubscriptionArn=${queues[0].subscription}",`,
        '  "MessageAttributes" : {',
        '    "name" : {"Type":"String","Value":"sluice"},',
        '    "count" : {"Type":"Number","Value":"42"},',
        '    "blob" : {"Type":"Binary","Value":"AgME"},',
        '    "tags" : {"Type":"String.Array","Value":"[\\"a\\",\\"b\\"]"}',
        "  }",
        "}",
      ].join("\n");
      assert.equal(message.Body, expected);
      assert.equal(message.Attributes?.SenderId, "AIDAIT2UOQQY3AUEKVGXU");
      assert.equal(message.MessageAttributes, undefined);

      const pem = await (await fetch(body.SigningCertURL)).text();
      const canonical = `Message\n${body.Message}\nMessageId\n${body.MessageId}\nSubject\n${body.Subject}\nTimestamp\n${body.Timestamp}\nTopicArn\n${body.TopicArn}\nType\nNotification\n`;
      assert.ok(createVerify("RSA-SHA1").update(canonical).verify(pem, body.Signature, "base64"));
    });

    test("SignatureVersion 2 signs with SHA256withRSA", async () => {
      const { topic, queues } = await fanOut(1, {}, { SignatureVersion: "2" });
      await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "v2" }));
      const [message] = await receive(c.sqs, queues[0].url, 1);
      const body = JSON.parse(message.Body ?? "{}") as Record<string, string>;
      assert.equal(body.SignatureVersion, "2");
      const pem = await (await fetch(body.SigningCertURL)).text();
      const canonical = `Message\nv2\nMessageId\n${body.MessageId}\nTimestamp\n${body.Timestamp}\nTopicArn\n${topic}\nType\nNotification\n`;
      assert.ok(createVerify("RSA-SHA256").update(canonical).verify(pem, body.Signature, "base64"));
    });

    test("raw delivery: the message verbatim, SNS attributes as SQS attributes", async () => {
      const { topic, queues } = await fanOut(1, { RawMessageDelivery: "true" });
      await c.sns.send(
        new PublishCommand({
          TopicArn: topic,
          Message: "Test msg",
          Subject: "ignored in raw",
          MessageAttributes: {
            attr1: { DataType: "Number", StringValue: "99.12" },
            store: { DataType: "Binary", BinaryValue: new Uint8Array([2, 3, 4]) },
          },
        }),
      );
      const [message] = await receive(c.sqs, queues[0].url, 1);
      assert.equal(message.Body, "Test msg");
      assert.deepEqual(message.MessageAttributes?.attr1, { DataType: "Number", StringValue: "99.12" });
      assert.equal(message.MessageAttributes?.store.DataType, "Binary");
      assert.deepEqual([...(message.MessageAttributes?.store.BinaryValue ?? [])], [2, 3, 4]);
      const single = await fanOut(1, { RawMessageDelivery: "true" });
      await c.sns.send(new PublishCommand({ TopicArn: single.topic, Message: "x", MessageAttributes: { attr1: { DataType: "Number", StringValue: "99.12" } } }));
      const [one] = await receive(c.sqs, single.queues[0].url, 1);
      assert.equal(one.MD5OfMessageAttributes, "d302007e9aa062660afc85fd0a482472");
    });

    test("MessageStructure=json: the sqs entry wins over default; errors", async () => {
      const { topic, queues } = await fanOut(1, { RawMessageDelivery: "true" });
      await c.sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: "json", Message: JSON.stringify({ default: "d", sqs: "for sqs", http: "h" }) }));
      await c.sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: "json", Message: JSON.stringify({ default: "default field", sqs: 5 }) }));
      const bodies = (await receive(c.sqs, queues[0].url, 2)).map((m) => m.Body).sort();
      assert.deepEqual(bodies, ["default field", "for sqs"]);
      const noDefault = await failure(c.sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: "json", Message: '{"sqs": "x"}' })));
      assert.equal(noDefault.message, "Invalid parameter: Message Structure - No default entry in JSON message body");
      const notJson = await failure(c.sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: "json", Message: "{oops" })));
      assert.equal(notJson.message, "Invalid parameter: Message Structure - JSON message body failed to parse");
      const nonString = await failure(c.sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: "json", Message: '{"default": 1}' })));
      assert.equal(nonString.message, "Invalid parameter: Message Structure - No default entry in JSON message body");
    });

    test("Publish validation errors", async () => {
      const { topic } = await fanOut(0);
      const publish = (input: Partial<ConstructorParameters<typeof PublishCommand>[0]>) =>
        failure(c.sns.send(new PublishCommand({ TopicArn: topic, Message: "m", ...input })));
      const cases: Array<[Promise<{ name: string; message: string }>, string, string]> = [
        [publish({ Message: "" }), "InvalidParameterException", "Invalid parameter: Empty message"],
        [publish({ Subject: "" }), "InvalidParameterException", "Invalid parameter: Subject"],
        [publish({ Subject: "two\nlines" }), "InvalidParameterException", "Invalid parameter: Subject"],
        [publish({ Subject: "s".repeat(101) }), "InvalidParameterException", "Invalid parameter: Subject"],
        [publish({ Message: "x".repeat(262145) }), "InvalidParameterException", "Invalid parameter: Message too long"],
        [publish({ Message: "x".repeat(262140), MessageAttributes: { a: { DataType: "String", StringValue: "long" } } }), "InvalidParameterException", "Invalid parameter: Message too long"],
        [publish({ MessageDeduplicationId: "d" }), "InvalidParameterException", "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"],
        [publish({ MessageAttributes: { attr1: { DataType: "String", StringValue: "" } } }), "InvalidParameterValueException", "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."],
        [publish({ MessageAttributes: { attr1: { DataType: "String" } } }), "InvalidParameterValueException", "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."],
        [publish({ MessageAttributes: { attr1: { DataType: "Binary", StringValue: "x" } } }), "InvalidParameterValueException", "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."],
        [publish({ MessageAttributes: { attr1: { DataType: "Number", BinaryValue: new Uint8Array([1]) } } }), "InvalidParameterValueException", "The message attribute 'attr1' with type 'Number' must use field 'String'."],
        [publish({ MessageAttributes: { attr1: { DataType: "Text", StringValue: "x" } } }), "InvalidParameterValueException", "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."],
        [publish({ MessageAttributes: { ["a".repeat(257)]: { DataType: "String", StringValue: "x" } } }), "InvalidParameterValueException", "Length of message attribute name must be less than 256 bytes."],
        [publish({ MessageAttributes: { "a^b": { DataType: "String", StringValue: "x" } } }), "InvalidParameterValueException", "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."],
        [publish({ MessageAttributes: { ".a": { DataType: "String", StringValue: "x" } } }), "InvalidParameterValueException", "Invalid message attribute name starting with character '.' was found."],
        [publish({ MessageAttributes: { "a.": { DataType: "String", StringValue: "x" } } }), "InvalidParameterValueException", "Invalid message attribute name ending with character '.' was found."],
        [publish({ MessageAttributes: { "a..b": { DataType: "String", StringValue: "x" } } }), "InvalidParameterValueException", "Message attribute name can not have successive '.' character."],
        [publish({ MessageAttributes: { attr1: { StringValue: "x" } as never } }), "ValidationError", "1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null"],
        [publish({ TopicArn: `${topic}-missing` }), "NotFoundException", "Topic does not exist"],
        [publish({ TopicArn: "" }), "InvalidParameterException", "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"],
        [publish({ TopicArn: topic.replace("us-east-1", "eu-west-1") }), "InvalidParameterException", "Invalid parameter: TopicArn"],
      ];
      for (const [call, name, message] of cases) {
        const e = await call;
        assert.deepEqual([e.name, e.message], [name, message]);
      }
      // TargetArn may name a topic too.
      assert.ok((await c.sns.send(new PublishCommand({ TargetArn: topic, Message: "via TargetArn" }))).MessageId);
    });

    test("PublishBatch delivers every entry; its errors", async () => {
      const { topic, queues } = await fanOut(1, { RawMessageDelivery: "true" });
      const entries: PublishBatchRequestEntry[] = [
        { Id: "1", Message: "Test Message with one attribute", MessageAttributes: { attr1: { DataType: "Number", StringValue: "19.12" } } },
        { Id: "2", Message: "Test Message with two attributes", MessageAttributes: { attr1: { DataType: "Number", StringValue: "99.12" }, attr2: { DataType: "Number", StringValue: "109.12" } } },
        { Id: "3", Message: "Test Message without attribute", Subject: "s" },
      ];
      const result = await c.sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: entries }));
      assert.deepEqual(result.Successful?.map((s) => s.Id), ["1", "2", "3"]);
      assert.deepEqual(result.Failed, []);
      const messages = await receive(c.sqs, queues[0].url, 3);
      const byBody = new Map(messages.map((m) => [m.Body, m]));
      assert.equal(byBody.get("Test Message with one attribute")?.MD5OfMessageAttributes, "1f07082409022a373fa2a2601f82b3cb");
      assert.equal(byBody.get("Test Message with two attributes")?.MD5OfMessageAttributes, "9b720b3af309c1c4b0d395c53b08c502");

      const batch = (list: PublishBatchRequestEntry[], arn = topic) => failure(c.sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: list })));
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: "m" }));
      const cases: Array<[Promise<{ name: string; message: string }>, string, string]> = [
        [batch([]), "EmptyBatchRequestException", "The batch request doesn't contain any entries."],
        [batch(eleven), "TooManyEntriesInBatchRequestException", "The batch request contains more entries than permissible."],
        [batch([{ Id: "a", Message: "m" }, { Id: "a", Message: "n" }]), "BatchEntryIdsNotDistinctException", "Two or more batch entries in the request have the same Id."],
        [batch([{ Id: "a b", Message: "m" }]), "InvalidBatchEntryIdException", "The Id of a batch entry in the batch request contains an impermissible character: a b"],
        [batch([{ Id: "a".repeat(81), Message: "m" }]), "InvalidBatchEntryIdException", `The Id of a batch entry in the batch request is too long: ${"a".repeat(81)}`],
        [batch([{ Id: "a", Message: "x".repeat(200000) }, { Id: "b", Message: "x".repeat(70000) }]), "BatchRequestTooLongException", "The length of all the messages put together is more than the limit."],
        [batch([{ Id: "a", Message: "m", MessageAttributes: { attr1: { DataType: "String", StringValue: "" } } }]), "InvalidParameterValueException", "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."],
        [batch([{ Id: "a", Message: "m", MessageAttributes: { attr1: { StringValue: "x" } as never } }]), "ValidationError", "1 validation error detected: Value null at 'publishBatchRequestEntries.1.member.messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null"],
        [batch([{ Id: "a", Message: '{"x": 1}', MessageStructure: "json" }]), "InvalidParameterException", "Invalid parameter: Message Structure - No default entry in JSON message body"],
        [batch([{ Id: "a", Message: "m" }], `${topic}-missing`), "NotFoundException", "Topic does not exist"],
      ];
      for (const [call, name, message] of cases) {
        const e = await call;
        assert.deepEqual([e.name, e.message], [name, message]);
      }
      assert.deepEqual(await receiveNone(c.sqs, queues[0].url, 50), []);
    });

    test("FIFO topic to FIFO queues: group, dedup id and order kept; topic-level dedup", async () => {
      const { topic, queues } = await fanOut(2, {}, { FifoTopic: "true" });
      const outputs = [];
      for (let i = 0; i < 5; i++) {
        outputs.push(await c.sns.send(new PublishCommand({ TopicArn: topic, Message: `m${i}`, MessageGroupId: "g1", MessageDeduplicationId: `d${i}` })));
      }
      const sequences = outputs.map((o) => BigInt(o.SequenceNumber ?? "0"));
      assert.ok(sequences.every((s, i) => i === 0 || s > sequences[i - 1]));
      assert.ok(outputs.every((o) => o.SequenceNumber?.length === 20));
      const again = await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "m0-again", MessageGroupId: "g1", MessageDeduplicationId: "d0" }));
      assert.deepEqual([again.MessageId, again.SequenceNumber], [outputs[0].MessageId, outputs[0].SequenceNumber]);
      for (const queue of queues) {
        const received = await receive(c.sqs, queue.url, 5);
        assert.deepEqual(received.map((m) => JSON.parse(m.Body ?? "{}").Message), ["m0", "m1", "m2", "m3", "m4"]);
        assert.deepEqual(received.map((m) => m.Attributes?.MessageDeduplicationId), ["d0", "d1", "d2", "d3", "d4"]);
        assert.ok(received.every((m) => m.Attributes?.MessageGroupId === "g1"));
        const body = JSON.parse(received[0].Body ?? "{}");
        assert.deepEqual(Object.keys(body), ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp", "UnsubscribeURL"]);
        assert.equal(body.SequenceNumber, outputs[0].SequenceNumber);
        assert.deepEqual(await receiveNone(c.sqs, queue.url, 50), []);
      }
      const errors: Array<[Promise<{ message: string }>, string]> = [
        [failure(c.sns.send(new PublishCommand({ TopicArn: topic, Message: "m", MessageDeduplicationId: "x" }))), "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"],
        [failure(c.sns.send(new PublishCommand({ TopicArn: topic, Message: "m", MessageGroupId: "g" }))), "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"],
        [failure(c.sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: [{ Id: "1", Message: "m", MessageDeduplicationId: "x" }] }))), "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"],
      ];
      for (const [call, message] of errors) assert.equal((await call).message, message);
    });

    test("FIFO topic PublishBatch: repeats answer with the original's ids, new entries numbered consecutively", async () => {
      const { topic, queues } = await fanOut(1, {}, { FifoTopic: "true" });
      const before = await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "before", MessageGroupId: "g", MessageDeduplicationId: "old" }));
      const entry = (id: string, dedup: string) => ({ Id: id, Message: `m-${id}`, MessageGroupId: "g", MessageDeduplicationId: dedup });
      const out = await c.sns.send(
        new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: [entry("1", "a"), entry("2", "old"), entry("3", "a"), entry("4", "b")] }),
      );
      assert.deepEqual(out.Failed, []);
      const byId = new Map((out.Successful ?? []).map((s) => [s.Id, s]));
      const ids = (id: string) => [byId.get(id)?.MessageId, byId.get(id)?.SequenceNumber];
      assert.deepEqual(ids("2"), [before.MessageId, before.SequenceNumber]);
      assert.deepEqual(ids("3"), ids("1"));
      const seq = (id: string) => BigInt(byId.get(id)?.SequenceNumber ?? "0");
      assert.equal(seq("1"), BigInt(before.SequenceNumber ?? "0") + 1n);
      assert.equal(seq("4"), seq("1") + 1n);
      const received = await receive(c.sqs, queues[0].url, 3);
      assert.deepEqual(received.map((m) => JSON.parse(m.Body ?? "{}").Message), ["before", "m-1", "m-4"]);
      assert.deepEqual(await receiveNone(c.sqs, queues[0].url, 50), []);
    });

    test("FIFO content-based dedup hashes the message; FIFO topics feed standard queues too", async () => {
      const { topic, queues } = await fanOut(1, { RawMessageDelivery: "true" }, { FifoTopic: "true", ContentBasedDeduplication: "true" });
      const standard = await makeQueue(c.sqs, `plain-${++seq}`);
      await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: standard.arn }));
      const first = await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "Test", MessageGroupId: "message-group-id-1" }));
      const dup = await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "Test", MessageGroupId: "message-group-id-1" }));
      assert.equal(dup.MessageId, first.MessageId);
      const [fifoMessage] = await receive(c.sqs, queues[0].url, 1);
      assert.equal(fifoMessage.Attributes?.MessageDeduplicationId, createHash("sha256").update("Test").digest("hex"));
      assert.equal(fifoMessage.Attributes?.MessageDeduplicationId, "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25");
      const [plain] = await receive(c.sqs, standard.url, 1);
      assert.equal(plain.Attributes?.MessageGroupId, undefined);
      assert.equal(JSON.parse(plain.Body ?? "{}").SequenceNumber, first.SequenceNumber);
      assert.equal(JSON.parse(plain.Body ?? "{}").Signature, undefined);
      assert.deepEqual(await receiveNone(c.sqs, standard.url, 50), []);
    });

    test("standard topics pass MessageGroupId to standard queues (fair queues)", async () => {
      const { topic, queues } = await fanOut(1);
      await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "fair", MessageGroupId: "tenant-1" }));
      const [message] = await receive(c.sqs, queues[0].url, 1);
      assert.equal(message.Attributes?.MessageGroupId, "tenant-1");
    });

    test("fan-out to five queues; a deleted or refusing queue sends to the subscription's dead-letter queue", async () => {
      const { topic, queues } = await fanOut(5);
      const dlq = await makeQueue(c.sqs, `dlq-${++seq}`);
      await c.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: queues[0].subscription, AttributeName: "RedrivePolicy", AttributeValue: JSON.stringify({ deadLetterTargetArn: dlq.arn }) }));
      await c.sqs.send(new DeleteQueueCommand({ QueueUrl: queues[0].url }));
      const small = await makeQueue(c.sqs, `small-${seq}`, { MaximumMessageSize: "1024" });
      await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: small.arn }));
      const id = (await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "x".repeat(1500) }))).MessageId;
      for (const queue of queues.slice(1)) {
        const [m] = await receive(c.sqs, queue.url, 1);
        assert.equal(JSON.parse(m.Body ?? "{}").MessageId, id);
      }
      const [dead] = await receive(c.sqs, dlq.url, 1);
      assert.equal(JSON.parse(dead.Body ?? "{}").MessageId, id);
      assert.deepEqual(await receiveNone(c.sqs, small.url, 50), []);
    });

    test("a queue of another account on the same broker receives; the trace header becomes AWSTraceHeader", async () => {
      const other = awsClients(broker.endpoint, "111111111111");
      try {
        const queue = await makeQueue(other.sqs, "cross-account");
        const topic = (await c.sns.send(new CreateTopicCommand({ Name: `x${++seq}` }))).TopicArn ?? "";
        await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: queue.arn }));
        const form = new URLSearchParams({ Action: "Publish", Version: "2010-03-31", TopicArn: topic, Message: "traced" });
        const trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
        const response = await fetch(broker.endpoint, { method: "POST", headers: { "X-Amzn-Trace-Id": trace, "Content-Type": "application/x-www-form-urlencoded" }, body: form });
        assert.equal(response.status, 200);
        assert.match(await response.text(), /^<\?xml version="1.0"\?><PublishResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/"><PublishResult><MessageId>[0-9a-f-]{36}<\/MessageId><\/PublishResult>/);
        const [message] = await receive(other.sqs, queue.url, 1);
        assert.equal(JSON.parse(message.Body ?? "{}").Message, "traced");
        assert.equal(message.Attributes?.AWSTraceHeader, trace);
      } finally {
        other.destroy();
      }
    });
  });
}
