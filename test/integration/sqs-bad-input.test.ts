/**
 * Malformed requests get the AWS error of their protocol and change nothing; none crashes the broker or
 * produces a 500.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { startTestBroker, type TestBroker } from "../helpers/broker.js";
import { sqsClient, sqsSdk } from "../helpers/clients.js";
import { assertJsonError, assertQueryError, authorization, jsonRequest, queryRequest, uniqueName, type RawResponse } from "./sqs-support.js";

const serialization = { status: 400, type: "com.amazon.coral.service#SerializationException" };

/**
 * Every SQS action with bodies of wrong shapes; each must fail cleanly with a 4xx, except those marked
 * "lenient", where ignoring the junk (a null map value, a batch entry without a handle reported in Failed)
 * is an answer too — but never a 5xx.
 */
type Lenient = "lenient" | undefined;
const JSON_GARBAGE: Array<[string, (url: string) => unknown, Lenient?]> = [
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: 42 })],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", DelaySeconds: "5" })],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", DelaySeconds: 1.5 })],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", MessageAttributes: [] })],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", MessageAttributes: { a: null } }), "lenient"],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", MessageAttributes: { a: {} } })],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", MessageAttributes: { a: { DataType: "Binary", BinaryValue: 7 } } })],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", MessageAttributes: { a: { DataType: "Binary" } } })],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", MessageSystemAttributes: { AWSTraceHeader: null } }), "lenient"],
  ["SendMessage", (url) => ({ QueueUrl: url, MessageBody: "b", MessageSystemAttributes: { AWSTraceHeader: { DataType: "Number", StringValue: "1" } } })],
  ["SendMessage", (url) => ({ QueueUrl: [url], MessageBody: "b" })],
  ["SendMessage", () => ({ QueueUrl: "http://localhost/not/a/queue/url", MessageBody: "b" })],
  ["SendMessage", () => ({ QueueUrl: "%%%", MessageBody: "b" })],
  ["SendMessage", () => ({ QueueUrl: "http://[::1", MessageBody: "b" })],
  ["SendMessageBatch", (url) => ({ QueueUrl: url, Entries: [null] })],
  ["SendMessageBatch", (url) => ({ QueueUrl: url, Entries: [{}] })],
  ["SendMessageBatch", (url) => ({ QueueUrl: url, Entries: [{ Id: "a" }] }), "lenient"],
  ["SendMessageBatch", (url) => ({ QueueUrl: url, Entries: {} })],
  ["SendMessageBatch", (url) => ({ QueueUrl: url, Entries: "x" })],
  ["DeleteMessageBatch", (url) => ({ QueueUrl: url, Entries: [null, { Id: "b" }] }), "lenient"],
  ["DeleteMessageBatch", (url) => ({ QueueUrl: url, Entries: [{ Id: "a" }] }), "lenient"],
  ["ChangeMessageVisibilityBatch", (url) => ({ QueueUrl: url, Entries: [{ Id: "a", ReceiptHandle: "x" }] }), "lenient"],
  ["ChangeMessageVisibilityBatch", (url) => ({ QueueUrl: url, Entries: [null] })],
  ["ChangeMessageVisibility", (url) => ({ QueueUrl: url, ReceiptHandle: 5, VisibilityTimeout: 1 })],
  ["ChangeMessageVisibility", (url) => ({ QueueUrl: url, ReceiptHandle: "AQEB" + "A".repeat(22), VisibilityTimeout: 1 })],
  ["DeleteMessage", (url) => ({ QueueUrl: url, ReceiptHandle: "AQEB" + "_".repeat(23) })],
  ["DeleteMessage", (url) => ({ QueueUrl: url })],
  ["ReceiveMessage", (url) => ({ QueueUrl: url, MaxNumberOfMessages: "ten" })],
  ["ReceiveMessage", (url) => ({ QueueUrl: url, AttributeNames: "All" })],
  ["ReceiveMessage", (url) => ({ QueueUrl: url, MessageAttributeNames: [1, 2] })],
  ["ReceiveMessage", (url) => ({ QueueUrl: url, VisibilityTimeout: -1 })],
  ["ReceiveMessage", (url) => ({ QueueUrl: url, WaitTimeSeconds: 1e20 })],
  ["CreateQueue", () => ({ QueueName: {} })],
  ["CreateQueue", () => ({})],
  ["CreateQueue", () => ({ QueueName: "x", Attributes: { DelaySeconds: 5 } })],
  ["CreateQueue", () => ({ QueueName: "x", Attributes: [] })],
  ["CreateQueue", () => ({ QueueName: "x", tags: { a: 1 } })],
  ["CreateQueue", () => ({ QueueName: "x".repeat(10000) })],
  ["GetQueueUrl", () => ({ QueueName: null })],
  ["ListQueues", () => ({ MaxResults: 0 })],
  ["ListQueues", () => ({ MaxResults: 1, NextToken: "not-a-token" })],
  ["SetQueueAttributes", (url) => ({ QueueUrl: url, Attributes: { RedrivePolicy: "[1]" } })],
  ["SetQueueAttributes", (url) => ({ QueueUrl: url, Attributes: { Policy: "[]" } })],
  ["SetQueueAttributes", (url) => ({ QueueUrl: url, Attributes: { RedriveAllowPolicy: "null" } })],
  ["TagQueue", (url) => ({ QueueUrl: url, Tags: { ["k".repeat(200)]: "v" } })],
  ["UntagQueue", (url) => ({ QueueUrl: url, TagKeys: "k" })],
  ["AddPermission", (url) => ({ QueueUrl: url, Label: "l", AWSAccountIds: [], Actions: ["SendMessage"] })],
  ["AddPermission", (url) => ({ QueueUrl: url, Label: "bad label", AWSAccountIds: ["111111111111"], Actions: ["Nope"] })],
  ["RemovePermission", (url) => ({ QueueUrl: url })],
  ["PurgeQueue", () => ({ QueueUrl: 12 })],
];

/** The same idea in Query form: odd, partial or contradictory parameters. */
const QUERY_GARBAGE: Array<[(url: string) => Record<string, string>, Lenient?]> = [
  [(url) => ({ Action: "ReceiveMessage", QueueUrl: url, MaxNumberOfMessages: "ten" })],
  [(url) => ({ Action: "ReceiveMessage", QueueUrl: url, WaitTimeSeconds: "99999999999999999999" })],
  [(url) => ({ Action: "SendMessage", QueueUrl: url, MessageBody: "b", "MessageAttribute.1.Name": "a" })],
  [(url) => ({ Action: "SendMessage", QueueUrl: url, MessageBody: "b", "MessageAttribute.1.Value.StringValue": "v" })],
  [(url) => ({ Action: "SendMessage", QueueUrl: url, MessageBody: "b", "MessageAttribute.1.Name": "a", "MessageAttribute.1.Value.DataType": "String" })],
  [
    (url) => ({
      Action: "SendMessage",
      QueueUrl: url,
      MessageBody: "b",
      "MessageAttribute.1.Name": "a",
      "MessageAttribute.1.Value.DataType": "Binary",
      "MessageAttribute.1.Value.BinaryValue": "!!!",
    }),
  ],
  [(url) => ({ Action: "SendMessage", QueueUrl: url, MessageBody: "b", "MessageSystemAttribute.1.Name": "AWSTraceHeader" })],
  [(url) => ({ Action: "SendMessage", QueueUrl: url, MessageBody: "b", DelaySeconds: "1.5" })],
  [(url) => ({ Action: "SendMessageBatch", QueueUrl: url, "SendMessageBatchRequestEntry.1.MessageBody": "b" })],
  [(url) => ({ Action: "SendMessageBatch", QueueUrl: url, "SendMessageBatchRequestEntry.0.Id": "a", "SendMessageBatchRequestEntry.0.MessageBody": "b" })],
  [(url) => ({ Action: "SendMessageBatch", QueueUrl: url, "SendMessageBatchRequestEntry.x.Id": "a" })],
  [(url) => ({ Action: "DeleteMessageBatch", QueueUrl: url, "DeleteMessageBatchRequestEntry.1.Id": "a" }), "lenient"],
  [(url) => ({ Action: "ChangeMessageVisibilityBatch", QueueUrl: url, "ChangeMessageVisibilityBatchRequestEntry.1.Id": "a" }), "lenient"],
  [(url) => ({ Action: "ChangeMessageVisibility", QueueUrl: url, ReceiptHandle: "x", VisibilityTimeout: "soon" })],
  [(url) => ({ Action: "SetQueueAttributes", QueueUrl: url, "Attribute.1.Value": "5" })],
  [(url) => ({ Action: "SetQueueAttributes", QueueUrl: url })],
  [(url) => ({ Action: "TagQueue", QueueUrl: url, "Tag.1.Value": "v" })],
  [(url) => ({ Action: "AddPermission", QueueUrl: url, Label: "l" })],
  [() => ({ Action: "CreateQueue" })],
  [() => ({ Action: "CreateQueue", QueueName: "q", "Attribute.1.Name": "DelaySeconds" })],
  [() => ({ Action: "ListQueues", MaxResults: "-1" })],
  [() => ({ Action: "GetQueueUrl" })],
  [() => ({ Action: "SendMessage", QueueUrl: "not a url", MessageBody: "b" })],
];

function assertClean(response: RawResponse, what: string, lenient: Lenient): void {
  const ok = lenient ? response.status < 500 : response.status >= 400 && response.status < 500;
  assert.ok(ok, `${what}: status ${response.status} ${response.text}`);
  assert.doesNotMatch(response.text, /\bat .+\.(ts|js):\d+|TypeError|ReferenceError|undefined/, `${what}: ${response.text}`);
}

/** POSTs `total` bytes (declared, or chunked) in 1 MiB writes and stops once the broker has answered. */
function floodPost(port: number, total: number, declared: boolean): Promise<{ status: number; body: string; written: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const headers: Record<string, string | number> = {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": "AmazonSQS.SendMessage",
      Authorization: authorization(),
    };
    if (declared) headers["Content-Length"] = total;
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers }, (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, written });
      });
    });
    // The broker closes the connection after refusing; writes racing that close may fail, which is fine.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const pump = () => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("SQS bad input", () => {
  let broker: TestBroker;
  let queueUrl: string;
  const json = sqsSdk("json");
  const client = () => sqsClient(broker.endpoint, "json");

  const count = async (): Promise<string> => {
    const response = await jsonRequest(broker.endpoint, "GetQueueAttributes", { QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] });
    return (JSON.parse(response.text) as { Attributes: Record<string, string> }).Attributes.ApproximateNumberOfMessages;
  };

  before(async () => {
    broker = await startTestBroker("sqlite");
    const response = await jsonRequest(broker.endpoint, "CreateQueue", { QueueName: uniqueName("bad-input") });
    queueUrl = (JSON.parse(response.text) as { QueueUrl: string }).QueueUrl;
    await jsonRequest(broker.endpoint, "SendMessage", { QueueUrl: queueUrl, MessageBody: "already here" });
  });
  after(async () => {
    await broker?.stop();
  });

  it("JSON: malformed JSON, non-objects and invalid UTF-8 are SerializationException and change nothing", async () => {
    const bodies: Array<string | Uint8Array> = [
      `{"QueueUrl": "${queueUrl}", "MessageBody": "x"`,
      "not json at all",
      "[]",
      '"a string"',
      "null",
      "42",
      Buffer.concat([Buffer.from(`{"QueueUrl":"${queueUrl}","MessageBody":"`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    ];
    for (const body of bodies) assertJsonError(await jsonRequest(broker.endpoint, "SendMessage", body), serialization);
    assert.equal(await count(), "1");
  });

  it("JSON: wrong member types are SerializationException", async () => {
    for (const input of [
      { QueueUrl: queueUrl, MessageBody: 42 },
      { QueueUrl: queueUrl, MessageBody: "b", DelaySeconds: "5" },
      { QueueUrl: queueUrl, MessageBody: "b", MessageAttributes: [] },
    ]) {
      assertJsonError(await jsonRequest(broker.endpoint, "SendMessage", input), serialization);
    }
    assert.equal(await count(), "1");
  });

  it("JSON: an empty body is an empty input", async () => {
    const listed = await jsonRequest(broker.endpoint, "ListQueues", "");
    assert.equal(listed.status, 200, listed.text);
    assertJsonError(await jsonRequest(broker.endpoint, "SendMessage", ""), {
      status: 400,
      type: "com.amazonaws.sqs#MissingRequiredParameterException",
      queryError: "MissingParameter;Sender",
      message: "The request must contain the parameter QueueUrl.",
    });
  });

  it("Query: invalid percent-encoding and invalid UTF-8 are MalformedQueryString and change nothing", async () => {
    const prefix = `Action=SendMessage&Version=2012-11-05&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=`;
    const bodies: Array<string | Uint8Array> = [
      `${prefix}%ZZ`,
      `${prefix}%FF%FE`,
      `${prefix}%C3`,
      Buffer.concat([Buffer.from(prefix), Buffer.from([0xff, 0x80])]),
    ];
    for (const body of bodies) assertQueryError(await queryRequest(broker.endpoint, body), { status: 400, code: "MalformedQueryString" });
    assert.equal(await count(), "1");
  });

  it("Query: a body that is no form at all names no operation, and that is all", async () => {
    for (const body of ["<xml/>", "{}", "=&=&&", "\u0000\u0001\u0002", "", "Version=2012-11-05"]) {
      const response = await queryRequest(broker.endpoint, body);
      assert.equal(response.status, 404, response.text);
      assert.match(response.text, /<UnknownOperationException\/>$/);
    }
    assertQueryError(await queryRequest(broker.endpoint, "Action"), { status: 400, code: "InvalidAction", message: "The action  is not valid for this endpoint." });
    assert.equal(await count(), "1");
  });

  it("JSON: every action survives garbage members with a 4xx", async () => {
    // A queue of its own: lenient cases may legitimately send a message.
    const url = (JSON.parse((await jsonRequest(broker.endpoint, "CreateQueue", { QueueName: uniqueName("garbage") })).text) as { QueueUrl: string }).QueueUrl;
    for (const [action, input, lenient] of JSON_GARBAGE) {
      const response = await jsonRequest(broker.endpoint, action, input(url));
      assertClean(response, `${action} ${JSON.stringify(input(url)).slice(0, 160)}`, lenient);
      assert.equal(response.headers.get("content-type"), "application/x-amz-json-1.0");
    }
    assert.equal(await count(), "1");
  });

  it("Query: every action survives odd parameters with a 4xx", async () => {
    const url = (JSON.parse((await jsonRequest(broker.endpoint, "CreateQueue", { QueueName: uniqueName("garbage") })).text) as { QueueUrl: string }).QueueUrl;
    for (const [params, lenient] of QUERY_GARBAGE) {
      const response = await queryRequest(broker.endpoint, params(url));
      assertClean(response, JSON.stringify(params(url)), lenient);
      assert.equal(response.headers.get("content-type"), "text/xml");
    }
    assert.equal(await count(), "1");
  });

  it("refuses a declared 50 MB body at once, without reading it", async () => {
    const result = await floodPost(broker.port, 50 * 1024 * 1024, true);
    assert.equal(result.status, 413, result.body);
    assert.ok(result.written < 50 * 1024 * 1024, `answered after ${result.written} bytes`);
    assert.equal((JSON.parse(result.body) as { __type: string }).__type, "com.amazonaws.sqs#RequestEntityTooLarge");
    assert.equal(await count(), "1");
  });

  it("refuses an undeclared (chunked) 50 MB body once it passes the limit", async () => {
    const result = await floodPost(broker.port, 50 * 1024 * 1024, false);
    assert.equal(result.status, 413, result.body);
    assert.ok(result.written < 20 * 1024 * 1024, `answered after ${result.written} bytes`);
    assert.equal(await count(), "1");
  });

  it("keeps working after all of that", async () => {
    const c = client();
    try {
      await c.send(new json.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "still alive" }));
      const got = await c.send(new json.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      assert.deepEqual(got.Messages?.map((m) => m.Body).sort(), ["already here", "still alive"]);
    } finally {
      c.destroy();
    }
  });
});
