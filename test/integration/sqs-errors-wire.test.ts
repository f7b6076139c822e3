/**
 * Errors and success documents byte-level, through fetch(): the SDKs hide statuses, headers and shapes
 * that other clients (boto3, the CLI, Java) depend on.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestBroker, type TestBroker } from "../helpers/broker.js";
import { assertJsonError, assertQueryError, jsonRequest, queryRequest, uniqueName } from "./sqs-support.js";

interface Case {
  title: string;
  action: string;
  /** JSON input; the Query form is derived by `toQuery`. */
  input: (queueUrl: string) => Record<string, unknown>;
  shape: string;
  code: string;
  status: number;
  message: string;
  queryMessage?: string;
  /** Calls made first (on the case's fresh queue) so that the case's call fails. */
  before?: Array<[string, (queueUrl: string) => Record<string, unknown>]>;
}

const entries = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: "b", ...extra(i) }));

const CASES: Case[] = [
  {
    title: "queue does not exist",
    action: "GetQueueUrl",
    input: () => ({ QueueName: "no-such-queue-anywhere" }),
    shape: "QueueDoesNotExist",
    code: "AWS.SimpleQueueService.NonExistentQueue",
    status: 400,
    message: "The specified queue does not exist.",
    queryMessage: "The specified queue does not exist for this wsdl version.",
  },
  {
    title: "queue name exists with other attributes",
    action: "CreateQueue",
    input: (url) => ({ QueueName: url.split("/").pop(), Attributes: { DelaySeconds: "9" } }),
    shape: "QueueNameExists",
    code: "QueueAlreadyExists",
    status: 400,
    message: "A queue already exists with the same name and a different value for attribute DelaySeconds",
  },
  {
    title: "purge within 60 seconds",
    action: "PurgeQueue",
    input: (url) => ({ QueueUrl: url }),
    before: [["PurgeQueue", (url) => ({ QueueUrl: url })]],
    shape: "PurgeQueueInProgress",
    code: "AWS.SimpleQueueService.PurgeQueueInProgress",
    status: 403,
    message: "Only one PurgeQueue operation on QUEUE is allowed every 60 seconds.",
  },
  {
    title: "malformed receipt handle",
    action: "DeleteMessage",
    input: (url) => ({ QueueUrl: url, ReceiptHandle: "bogus" }),
    shape: "ReceiptHandleIsInvalid",
    code: "ReceiptHandleIsInvalid",
    status: 404,
    message: 'The input receipt handle "bogus" is not a valid receipt handle.',
  },
  {
    title: "empty batch",
    action: "DeleteMessageBatch",
    input: (url) => ({ QueueUrl: url, Entries: [] }),
    shape: "EmptyBatchRequest",
    code: "AWS.SimpleQueueService.EmptyBatchRequest",
    status: 400,
    message: "There should be at least one DeleteMessageBatchRequestEntry in the request.",
  },
  {
    title: "too many batch entries",
    action: "SendMessageBatch",
    input: (url) => ({ QueueUrl: url, Entries: entries(11) }),
    shape: "TooManyEntriesInBatchRequest",
    code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    status: 400,
    message: "Maximum number of entries per request are 10. You have sent 11.",
  },
  {
    title: "invalid batch entry id",
    action: "SendMessageBatch",
    input: (url) => ({ QueueUrl: url, Entries: entries(1, () => ({ Id: "a.b" })) }),
    shape: "InvalidBatchEntryId",
    code: "AWS.SimpleQueueService.InvalidBatchEntryId",
    status: 400,
    message: "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
  },
  {
    title: "repeated batch entry ids",
    action: "SendMessageBatch",
    input: (url) => ({ QueueUrl: url, Entries: entries(2, () => ({ Id: "same" })) }),
    shape: "BatchEntryIdsNotDistinct",
    code: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    status: 400,
    message: "Id same repeated.",
  },
  {
    title: "batch too long",
    action: "SendMessageBatch",
    input: (url) => ({ QueueUrl: url, Entries: entries(3, () => ({ MessageBody: "z".repeat(400000) })) }),
    shape: "BatchRequestTooLong",
    code: "AWS.SimpleQueueService.BatchRequestTooLong",
    status: 400,
    message: "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.",
  },
  {
    title: "unknown attribute name",
    action: "GetQueueAttributes",
    input: (url) => ({ QueueUrl: url, AttributeNames: ["Foobar"] }),
    shape: "InvalidAttributeName",
    code: "InvalidAttributeName",
    status: 400,
    message: "Unknown Attribute Foobar.",
  },
  {
    title: "attribute value out of range",
    action: "SetQueueAttributes",
    input: (url) => ({ QueueUrl: url, Attributes: { DelaySeconds: "901" } }),
    shape: "InvalidAttributeValue",
    code: "InvalidAttributeValue",
    status: 400,
    message: "Invalid value for the parameter DelaySeconds.",
  },
  {
    title: "invalid body characters",
    action: "SendMessage",
    input: (url) => ({ QueueUrl: url, MessageBody: "\u0001" }),
    shape: "InvalidMessageContents",
    code: "InvalidMessageContents",
    status: 400,
    message:
      "Invalid binary character '#x1' was found in the message body, the set of allowed characters is " +
      "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].",
  },
  {
    title: "parameter out of range",
    action: "ReceiveMessage",
    input: (url) => ({ QueueUrl: url, MaxNumberOfMessages: 11 }),
    shape: "InvalidParameterValueException",
    code: "InvalidParameterValue",
    status: 400,
    message: "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
  },
  {
    title: "missing parameter",
    action: "SendMessage",
    input: (url) => ({ QueueUrl: url }),
    shape: "MissingRequiredParameterException",
    code: "MissingParameter",
    status: 400,
    message: "The request must contain the parameter MessageBody.",
  },
  {
    title: "missing QueueUrl",
    action: "DeleteQueue",
    input: () => ({}),
    shape: "MissingRequiredParameterException",
    code: "MissingParameter",
    status: 400,
    message: "The request must contain the parameter QueueUrl.",
  },
];

/** The Query form of a JSON input (flattened lists, the names the Query protocol uses). */
function toQuery(action: string, input: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = { Action: action };
  const entryName: Record<string, string> = {
    SendMessageBatch: "SendMessageBatchRequestEntry",
    DeleteMessageBatch: "DeleteMessageBatchRequestEntry",
  };
  for (const [key, value] of Object.entries(input)) {
    if (key === "Entries") {
      (value as Array<Record<string, unknown>>).forEach((entry, i) => {
        for (const [k, v] of Object.entries(entry)) params[`${entryName[action]}.${i + 1}.${k}`] = String(v);
      });
    } else if (key === "AttributeNames") {
      (value as string[]).forEach((name, i) => (params[`AttributeName.${i + 1}`] = name));
    } else if (key === "Attributes") {
      Object.entries(value as Record<string, string>).forEach(([name, v], i) => {
        params[`Attribute.${i + 1}.Name`] = name;
        params[`Attribute.${i + 1}.Value`] = v;
      });
    } else params[key] = String(value);
  }
  return params;
}

describe("SQS errors on the wire", () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker("memory");
  });
  after(async () => {
    await broker?.stop();
  });

  const newQueue = async () => {
    const name = uniqueName("wire");
    const response = await jsonRequest(broker.endpoint, "CreateQueue", { QueueName: name });
    assert.equal(response.status, 200, response.text);
    return { name, url: (JSON.parse(response.text) as { QueueUrl: string }).QueueUrl };
  };

  for (const c of CASES) {
    it(`JSON: ${c.title} → ${c.shape}`, async () => {
      const { name, url } = await newQueue();
      for (const [action, input] of c.before ?? []) assert.equal((await jsonRequest(broker.endpoint, action, input(url))).status, 200);
      const response = await jsonRequest(broker.endpoint, c.action, c.input(url));
      assertJsonError(response, {
        status: c.status,
        type: `com.amazonaws.sqs#${c.shape}`,
        queryError: `${c.code};Sender`,
        message: c.message.replace("QUEUE", name),
      });
      assert.ok(response.headers.get("x-amzn-requestid"));
    });

    it(`Query: ${c.title} → ${c.code}`, async () => {
      const { name, url } = await newQueue();
      for (const [action, input] of c.before ?? []) assert.equal((await queryRequest(broker.endpoint, toQuery(action, input(url)))).status, 200);
      const response = await queryRequest(broker.endpoint, toQuery(c.action, c.input(url)));
      assertQueryError(response, { status: c.status, code: c.code, message: (c.queryMessage ?? c.message).replace("QUEUE", name) });
      assert.equal(response.headers.get("x-amzn-query-error"), null);
    });
  }

  it("JSON: an unknown operation is UnknownOperationException", async () => {
    const response = await jsonRequest(broker.endpoint, "Frobnicate", {});
    assertJsonError(response, { status: 400, type: "com.amazon.coral.service#UnknownOperationException" });
  });

  it("Query: an unknown action is InvalidAction", async () => {
    const response = await queryRequest(broker.endpoint, { Action: "Frobnicate" });
    assertQueryError(response, { status: 400, code: "InvalidAction", message: "The action Frobnicate is not valid for this endpoint." });
  });

  it("Query: without any Action the operation is unknown (404), as AWS answers a bare GET on a queue URL", async () => {
    const { name } = await newQueue();
    const bare = await fetch(`${broker.endpoint}/000000000000/${name}`);
    assert.equal(bare.status, 404);
    assert.match(await bare.text(), /<UnknownOperationException\/>$/);
    const versionOnly = await queryRequest(broker.endpoint, { Version: "2012-11-05" });
    assert.equal(versionOnly.status, 404);
  });

  it("Query: CreateQueue and ListQueues are not valid on a queue URL; GetQueueUrl is", async () => {
    const { name, url } = await newQueue();
    const path = `/000000000000/${name}`;
    for (const action of ["CreateQueue", "ListQueues"]) {
      const response = await queryRequest(broker.endpoint, { Action: action, QueueName: uniqueName("nope") }, { path });
      assertQueryError(response, { status: 400, code: "InvalidAction", message: `The action ${action} is not valid for this endpoint.` });
    }
    const other = await newQueue();
    const found = await queryRequest(broker.endpoint, { Action: "GetQueueUrl", QueueName: other.name }, { path });
    assert.match(found.text, new RegExp(`<QueueUrl>${other.url.replace(/[.]/g, "\\.")}</QueueUrl>`));
    // A QueueUrl parameter wins over the queue the path names.
    const attrs = await queryRequest(broker.endpoint, { Action: "GetQueueAttributes", QueueUrl: other.url, "AttributeName.1": "QueueArn" }, { path });
    assert.match(attrs.text, new RegExp(`<Value>arn:aws:sqs:us-east-1:000000000000:${other.name}</Value>`));
    assert.ok(url.endsWith(path));
  });

  it("JSON: successes leave out absent members", async () => {
    const { url } = await newQueue();
    const empty = await jsonRequest(broker.endpoint, "ReceiveMessage", { QueueUrl: url });
    assert.equal(empty.status, 200);
    assert.equal(empty.headers.get("content-type"), "application/x-amz-json-1.0");
    assert.ok(empty.headers.get("x-amzn-requestid"));
    assert.equal(empty.text, "{}");
    const noOutput = await jsonRequest(broker.endpoint, "SetQueueAttributes", { QueueUrl: url, Attributes: { DelaySeconds: "0" } });
    assert.equal(noOutput.text, "{}");
    const none = await jsonRequest(broker.endpoint, "ListQueues", { QueueNamePrefix: uniqueName("nothing") });
    assert.equal(none.text, "{}");
    const attrs = await jsonRequest(broker.endpoint, "GetQueueAttributes", { QueueUrl: url });
    assert.equal(attrs.text, "{}");
    // Newer SDKs send x-amzn-query-mode; it changes nothing.
    const moded = await jsonRequest(broker.endpoint, "GetQueueUrl", { QueueName: url.split("/").pop() }, { headers: { "x-amzn-query-mode": "true" } });
    assert.deepEqual(JSON.parse(moded.text), { QueueUrl: url });
  });

  it("Query: success documents have the AWS outline and escape CR", async () => {
    const { name, url } = await newQueue();
    const created = await queryRequest(broker.endpoint, { Action: "CreateQueue", QueueName: name });
    assert.equal(created.status, 200);
    assert.equal(created.headers.get("content-type"), "text/xml");
    const expected =
      `<?xml version="1.0"?><CreateQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">` +
      `<CreateQueueResult><QueueUrl>${url}</QueueUrl></CreateQueueResult>` +
      `<ResponseMetadata><RequestId>RID</RequestId></ResponseMetadata></CreateQueueResponse>`;
    assert.equal(created.text.replace(/<RequestId>[^<]+<\/RequestId>/, "<RequestId>RID</RequestId>"), expected);
    const empty = await queryRequest(broker.endpoint, { Action: "ReceiveMessage", QueueUrl: url });
    assert.match(empty.text, /<ReceiveMessageResponse xmlns="[^"]+"><ReceiveMessageResult\/><ResponseMetadata>/);
    const set = { Action: "SetQueueAttributes", QueueUrl: url, "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "0" };
    const noResult = await queryRequest(broker.endpoint, set);
    assert.match(
      noResult.text,
      /<SetQueueAttributesResponse xmlns="[^"]+"><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/SetQueueAttributesResponse>$/,
    );

    await queryRequest(broker.endpoint, { Action: "SendMessage", QueueUrl: url, MessageBody: "a\r\nb <&> done" });
    const received = await queryRequest(broker.endpoint, { Action: "ReceiveMessage", QueueUrl: url, "AttributeName.1": "All" });
    assert.match(
      received.text,
      /<Message><MessageId>[^<]+<\/MessageId><ReceiptHandle>[^<]+<\/ReceiptHandle><MD5OfBody>[0-9a-f]{32}<\/MD5OfBody><Body>a&#xD;\nb &lt;&amp;&gt; done<\/Body>/,
    );
    assert.match(received.text, /<Attribute><Name>SenderId<\/Name><Value>[^<]+<\/Value><\/Attribute>/);
  });

  it("Query: GET with a query string works like POST", async () => {
    const { url } = await newQueue();
    const response = await fetch(`${broker.endpoint}/?Action=GetQueueUrl&Version=2012-11-05&QueueName=${url.split("/").pop()}`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), new RegExp(`<QueueUrl>${url.replace(/[.]/g, "\\.")}</QueueUrl>`));
  });
});
