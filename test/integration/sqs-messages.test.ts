import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { STORE_KINDS } from "../helpers/broker.js";
import { PROTOCOLS } from "../helpers/clients.js";
import {
  createQueue,
  invalidParameterValue,
  jsonRequest,
  missingParameter,
  names,
  queryRequest,
  queueCounts,
  rejectsWith,
  useBroker,
  type Fixture,
} from "./sqs-support.js";

interface Attr {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** The SDKs' MD5 of message attributes, written out independently of the broker's implementation. */
function md5OfAttributes(attributes: Record<string, Attr>): string {
  const parts: Buffer[] = [];
  const prefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    prefixed(Buffer.from(name));
    prefixed(Buffer.from(value.DataType));
    const binary = value.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    prefixed(binary ? Buffer.from(value.BinaryValue as Uint8Array) : Buffer.from(value.StringValue ?? ""));
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

const STAR_WARS = {
  General: { DataType: "String", StringValue: "Kenobi" },
  Hello: { DataType: "String", StringValue: "There" },
  "Help.Me": { DataType: "String", StringValue: "Me" },
};

async function sendAndReceive(f: Fixture, input: { body?: string; attributes?: Record<string, Attr>; names?: string[]; system?: string[] }) {
  const queueUrl = await createQueue(f);
  const sent = await f.client.send(
    new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: input.body ?? "msg", MessageAttributes: input.attributes }),
  );
  const got = await f.client.send(
    new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: input.names, AttributeNames: input.system && names(...input.system) }),
  );
  assert.equal(got.Messages?.length, 1);
  return { queueUrl, sent, message: got.Messages?.[0] ?? {} };
}

for (const protocol of PROTOCOLS) {
  for (const store of STORE_KINDS) {
    describe(`SQS messages over ${protocol} (${store} store)`, () => {
      const f = useBroker(protocol, store);

      it("sends, receives and deletes a message, keeping the body byte for byte", async () => {
        const body = 'line one\r\nline two\ttabbed <xml> & "quotes" \u00e9\u4e2d\u{1F600}\uE000\uFFFD';
        const { queueUrl, sent, message } = await sendAndReceive(f, { body });
        assert.equal(sent.MD5OfMessageBody, md5(body));
        assert.match(sent.MessageId ?? "", /^[0-9a-f-]{36}$/);
        assert.equal(message.Body, body);
        assert.equal(message.MessageId, sent.MessageId);
        assert.equal(message.MD5OfBody, md5(body));
        assert.equal(message.Attributes, undefined);
        assert.equal(message.MessageAttributes, undefined);
        await f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        // Deleting twice succeeds, as on AWS.
        await f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 0]);
      });

      it("keeps long bodies and attribute values byte for byte, whatever characters they hold", async () => {
        const queueUrl = await createQueue(f);
        const long = (unit: string) => unit.repeat(Math.ceil(70_000 / unit.length));
        const bodies = [
          long("plain ascii text 0123456789 "),
          long('quotes " and \\ backslashes, \r\n line breaks and \t tabs '),
          long("caf\u00e9 \u4e2d\u6587 \u{1F600} \u2028 \uE000\uFFFD "),
          "short one",
        ];
        const attributes: Record<string, Attr> = {
          note: { DataType: "String", StringValue: long('attribute "text" \u00e9 ') },
          blob: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 34, 92, 255]) },
        };
        for (const body of bodies) {
          await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }));
        }
        const got = await f.client.send(
          new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
        );
        const messages = got.Messages ?? [];
        assert.deepEqual(messages.map((m) => m.Body).sort(), [...bodies].sort());
        for (const message of messages) {
          assert.equal(message.MD5OfBody, md5(message.Body ?? ""));
          assert.equal(message.MessageAttributes?.note?.StringValue, attributes.note.StringValue);
          assert.deepEqual([...(message.MessageAttributes?.blob?.BinaryValue ?? [])], [0, 34, 92, 255]);
          assert.equal(message.MD5OfMessageAttributes, md5OfAttributes(attributes));
        }
      });

      it("hands out every message once when receiving one at a time, and never one twice per receive", async () => {
        const queueUrl = await createQueue(f);
        const bodies = ["m1", "m2", "m3", "m4", "m5"];
        for (const body of bodies) await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
        const got: string[] = [];
        for (let i = 0; i < bodies.length + 1; i++) {
          const out = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }));
          got.push(...(out.Messages ?? []).map((m) => m.Body ?? ""));
        }
        assert.deepEqual(got.sort(), bodies);

        const zero = await createQueue(f, { VisibilityTimeout: "0" });
        await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: zero, MessageBody: "only" }));
        for (let i = 0; i < 3; i++) {
          const out = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: zero, MaxNumberOfMessages: 10 }));
          assert.deepEqual(out.Messages?.map((m) => m.Body), ["only"]);
        }
      });

      it("matches the documented attribute MD5 vectors", async () => {
        const queueUrl = await createQueue(f);
        const vectors: Array<[Record<string, Attr>, string]> = [
          [{ MyAttribute: { DataType: "String", StringValue: "foobar" } }, "adb59cd4678ea5a855436b949cd07ab6"],
          [{ Foo: { DataType: "String", StringValue: "Bar" } }, "ae7155c6026991b6d54b11589678bf9c"],
          [STAR_WARS, "4c360f3fdafd970e05fae2f149d997f5"],
          [
            { attr1: { DataType: "Binary", BinaryValue: Buffer.from("traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01") } },
            "8cbe4db156db8a94db8b801b7addb984",
          ],
        ];
        for (const [attributes, expected] of vectors) {
          assert.equal(md5OfAttributes(attributes), expected);
          const sent = await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "m", MessageAttributes: attributes }));
          assert.equal(sent.MD5OfMessageAttributes, expected);
          const got = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ["All"] }));
          const message = got.Messages?.[0];
          assert.equal(message?.MD5OfMessageAttributes, expected);
          assert.deepEqual(Object.keys(message?.MessageAttributes ?? {}).sort(), Object.keys(attributes).sort());
          await f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle }));
        }
      });

      it("round-trips String, Number, Binary and custom-typed attributes", async () => {
        const attributes: Record<string, Attr> = {
          text: { DataType: "String", StringValue: "caf\u00e9 \u{1F600}" },
          count: { DataType: "Number", StringValue: "-12.5e3" },
          blob: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2, 250, 255]) },
          labelled: { DataType: "String.custom-label", StringValue: "x" },
          "dotted.name_1-2": { DataType: "Number.int", StringValue: "7" },
        };
        const { message } = await sendAndReceive(f, { attributes, names: ["All"] });
        const got = message.MessageAttributes ?? {};
        assert.equal(got.text?.StringValue, "caf\u00e9 \u{1F600}");
        assert.equal(got.count?.StringValue, "-12.5e3");
        assert.equal(got.count?.DataType, "Number");
        assert.deepEqual([...(got.blob?.BinaryValue ?? [])], [0, 1, 2, 250, 255]);
        assert.equal(got.labelled?.DataType, "String.custom-label");
        assert.equal(got["dotted.name_1-2"]?.DataType, "Number.int");
        assert.equal(message.MD5OfMessageAttributes, md5OfAttributes(attributes));
      });

      it("filters message attributes by All, *, .*, exact names and prefix.*", async () => {
        const queueUrl = await createQueue(f, { VisibilityTimeout: "0" });
        await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "msg", MessageAttributes: STAR_WARS }));
        const cases: Array<[string[] | undefined, string[], string | undefined]> = [
          [undefined, [], undefined],
          [["All"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"],
          [["*"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"],
          [[".*"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"],
          [["Foo", "Help"], [], undefined],
          [["Hello", "General"], ["General", "Hello"], "fca026605781cb4126a1e9044df24232"],
          [["Foo", "Hello"], ["Hello"], "a311262e065454b75da111d535b8dacd"],
          [["Hel.*"], ["Hello", "Help.Me"], "83fee93c1bcd8b9a5a923ffacdc636c7"],
          [["Help.*"], ["Help.Me"], md5OfAttributes({ "Help.Me": STAR_WARS["Help.Me"] })],
          [["AWS."], [], undefined],
          [["..foo"], [], undefined],
        ];
        for (const [names, expected, digest] of cases) {
          const got = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: names }));
          const message = got.Messages?.[0];
          assert.equal(message?.Body, "msg", `filter ${JSON.stringify(names)}`);
          assert.deepEqual(Object.keys(message?.MessageAttributes ?? {}).sort(), expected, `filter ${JSON.stringify(names)}`);
          assert.equal(message?.MD5OfMessageAttributes, digest, `filter ${JSON.stringify(names)}`);
        }
      });

      it("returns system attributes on request, all or by name", async () => {
        const before = Date.now();
        const queueUrl = await createQueue(f, { VisibilityTimeout: "0" });
        await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "sys" }));
        const receive = (wanted: string[]) =>
          f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: names(...wanted) })).then((r) => r.Messages?.[0]);
        const first = await receive(["All"]);
        const attrs = first?.Attributes ?? {};
        assert.deepEqual(Object.keys(attrs).sort(), ["ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"]);
        assert.equal(attrs.SenderId, "test");
        assert.equal(attrs.ApproximateReceiveCount, "1");
        const sent = Number(attrs.SentTimestamp);
        assert.ok(sent >= before && sent <= Date.now(), "SentTimestamp is epoch milliseconds");
        assert.ok(Number(attrs.ApproximateFirstReceiveTimestamp) >= sent);
        const second = await receive(["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]);
        assert.deepEqual(second?.Attributes, {
          ApproximateReceiveCount: "2",
          ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp,
        });
        const third = await receive(["SenderId", "NoSuchAttribute"]);
        assert.deepEqual(third?.Attributes, { SenderId: "test" });
        if (f.protocol === "json") {
          // Current SDKs name system attributes in MessageSystemAttributeNames; both lists are honoured together.
          const both = await f.client.send(
            new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ["SentTimestamp"], AttributeNames: names("SenderId") }),
          );
          assert.deepEqual(Object.keys(both.Messages?.[0]?.Attributes ?? {}).sort(), ["SenderId", "SentTimestamp"]);
        }
      });

      it("carries AWSTraceHeader from MessageSystemAttributes with its MD5", async () => {
        const queueUrl = await createQueue(f);
        const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        const system = { AWSTraceHeader: { DataType: "String", StringValue: trace } };
        const sent = await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "t", MessageSystemAttributes: system }));
        assert.equal(sent.MD5OfMessageSystemAttributes, md5OfAttributes(system));
        const got = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: names("AWSTraceHeader") }));
        assert.deepEqual(got.Messages?.[0]?.Attributes, { AWSTraceHeader: trace });
        await rejectsWith(
          f,
          f.client.send(
            new f.sdk.SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: "t",
              MessageSystemAttributes: { Other: { DataType: "String", StringValue: "x" } } as Record<string, Attr>,
            }),
          ),
          invalidParameterValue(/Other/),
        );
      });

      it("takes AWSTraceHeader from an X-Amzn-Trace-Id request header", async () => {
        const queueUrl = await createQueue(f);
        const trace = "Root=1-63441c4a-abcdef012345678912345678;Sampled=0";
        const headers = { "X-Amzn-Trace-Id": trace };
        const response =
          f.protocol === "json"
            ? await jsonRequest(f.broker.endpoint, "SendMessage", { QueueUrl: queueUrl, MessageBody: "traced" }, { headers })
            : await queryRequest(f.broker.endpoint, { Action: "SendMessage", QueueUrl: queueUrl, MessageBody: "traced" }, { headers });
        assert.equal(response.status, 200, response.text);
        const got = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: names("All") }));
        assert.equal(got.Messages?.[0]?.Attributes?.AWSTraceHeader, trace);
      });

      it("refuses bodies with characters outside the XML range and keeps the queue unchanged", async () => {
        const queueUrl = await createQueue(f);
        await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "kept" }));
        const cases: Array<[string, string]> = [
          ["nul\u0000", "0"],
          ["bell\u0007", "7"],
          ["x\u001F", "1F"],
          ["\uFFFE", "FFFE"],
          ["\uFFFF", "FFFF"],
        ];
        for (const [body, hex] of cases) {
          await rejectsWith(f, f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })), {
            name: "InvalidMessageContents",
            code: "InvalidMessageContents",
            status: 400,
            message:
              `Invalid binary character '#x${hex}' was found in the message body, the set of allowed characters is ` +
              "#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].",
          });
        }
        assert.deepEqual(await queueCounts(f, queueUrl), [1, 0, 0]);
      });

      it("enforces the 1 MiB default size, counting attributes, and each queue's MaximumMessageSize", async () => {
        const queueUrl = await createQueue(f, { VisibilityTimeout: "0" });
        const mib = 1048576;
        const tooLong = invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${mib} bytes.`);
        const big = await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(mib) }));
        assert.equal(big.MD5OfMessageBody, md5("x".repeat(mib)));
        await rejectsWith(f, f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(mib + 1) })), tooLong);
        // Name (4) + DataType (6) + value (1) = 11 attribute bytes count against the limit.
        const attributes = { name: { DataType: "String", StringValue: "v" } };
        await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(mib - 11), MessageAttributes: attributes }));
        await rejectsWith(
          f,
          f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x".repeat(mib - 10), MessageAttributes: attributes })),
          tooLong,
        );
        const got = await f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
        assert.deepEqual(got.Messages?.map((m) => m.Body?.length).sort(), [mib - 11, mib]);

        const small = await createQueue(f, { MaximumMessageSize: "1024" });
        await f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: small, MessageBody: "x".repeat(1024) }));
        await rejectsWith(
          f,
          f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: small, MessageBody: "x".repeat(1025) })),
          invalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."),
        );
      });

      it("validates the body and message attributes", async () => {
        const queueUrl = await createQueue(f);
        const send = (input: { MessageBody?: string; MessageAttributes?: Record<string, Attr>; DelaySeconds?: number }) =>
          f.client.send(new f.sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "b", ...input }));
        await rejectsWith(f, send({ MessageBody: "" }), missingParameter("MessageBody"));
        await rejectsWith(
          f,
          send({ MessageAttributes: { ErrorDetails: { DataType: "String", StringValue: "" } } }),
          invalidParameterValue("Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."),
        );
        const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]));
        await rejectsWith(f, send({ MessageAttributes: eleven }), invalidParameterValue(/exceeds the allowed maximum \[10\]/));
        for (const name of ["AWS.reserved", "amazon.reserved", ".lead", "trail.", "double..dot", "bad name"]) {
          await rejectsWith(f, send({ MessageAttributes: { [name]: { DataType: "String", StringValue: "v" } } }), invalidParameterValue(/.+/));
        }
        await rejectsWith(f, send({ MessageAttributes: { a: { DataType: "Text", StringValue: "v" } } }), invalidParameterValue(/type/));
        await rejectsWith(f, send({ MessageAttributes: { a: { DataType: "Number", StringValue: "ten" } } }), invalidParameterValue(/number/));
        await rejectsWith(f, send({ DelaySeconds: 901 }), invalidParameterValue(/^Value 901 for parameter DelaySeconds is invalid\./));
        assert.deepEqual(await queueCounts(f, queueUrl), [0, 0, 0]);
      });

      it("rejects malformed receipt handles and bad receive parameters", async () => {
        const queueUrl = await createQueue(f);
        await rejectsWith(f, f.client.send(new f.sdk.DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: "garbage" })), {
          name: "ReceiptHandleIsInvalid",
          code: "ReceiptHandleIsInvalid",
          status: 404,
          message: 'The input receipt handle "garbage" is not a valid receipt handle.',
        });
        await rejectsWith(
          f,
          f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 })),
          invalidParameterValue("Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."),
        );
        await rejectsWith(
          f,
          f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 0 })),
          invalidParameterValue("Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."),
        );
        await rejectsWith(
          f,
          f.client.send(new f.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 21 })),
          invalidParameterValue("Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."),
        );
      });
    });
  }
}
