import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeJson } from "../../src/protocol/json-decode.js";
import { encodeJsonBody, LONG_TEXT } from "../../src/protocol/json-parts.js";
import { Message } from "../../src/protocol/sqs/model.js";
import { list, member, structure } from "../../src/protocol/shapes.js";

const ReceiveOutput = structure({ Messages: member(list(Message)) });

const joined = (body: string | readonly string[]) => (typeof body === "string" ? body : body.join(""));

function message(body: string, extra: Record<string, unknown> = {}) {
  return { MessageId: "m-1", ReceiptHandle: "handle", MD5OfBody: "d41d8cd98f00b204e9800998ecf8427e", Body: body, ...extra };
}

describe("JSON responses written in parts", () => {
  const long = (unit: string) => unit.repeat(Math.ceil((LONG_TEXT + 10) / unit.length));

  it("writes exactly what JSON.stringify writes, for every kind of message text", () => {
    const bodies = [
      long("plain "),
      long('quote " '),
      long("back\\slash "),
      long("line\nfeed "),
      long("carriage\rreturn "),
      long("tab\there "),
      long("caf\u00e9 \u4e2d \u{1F600} \u2028 \u007f \uE000\uFFFD "),
      "short \" text\n",
    ];
    const value = {
      Messages: bodies.map((body, i) =>
        message(body, {
          MessageId: `m-${i}`,
          Attributes: { SentTimestamp: "1", ApproximateReceiveCount: "2" },
          MD5OfMessageAttributes: "x",
          MessageAttributes: {
            text: { DataType: "String", StringValue: i % 2 ? long('value "quoted" ') : long("value ") },
            blob: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 34, 92, 255]) },
            // A Buffer has a toJSON of its own, which must not be what is written.
            buffer: { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]) },
            list: { DataType: "String", StringListValues: ["a", "b"] },
          },
        }),
      ),
    };
    const encoded = encodeJsonBody(value, ReceiveOutput);
    assert.ok(Array.isArray(encoded), "long text is written in parts");
    assert.equal(joined(encoded), encodeJson(value, ReceiveOutput));
    const parsed = JSON.parse(joined(encoded));
    assert.deepEqual(parsed.Messages[3].Body, bodies[3]);
    assert.equal(parsed.Messages[0].MessageAttributes.buffer.BinaryValue, "AQID");
  });

  it("passes long text that needs no escaping through as a part of its own", () => {
    const body = long("plain ascii ");
    const encoded = encodeJsonBody({ Messages: [message(body)] }, ReceiveOutput);
    assert.ok(Array.isArray(encoded));
    assert.ok((encoded as readonly string[]).includes(body), "the body is not copied into a larger string");
  });

  it("answers with one string when no text is long, and leaves members it does not know as JSON.stringify does", () => {
    const value = { Messages: [message("short"), message("also short", { Unknown: [1, undefined, "x"] })], Other: undefined };
    const encoded = encodeJsonBody(value, ReceiveOutput);
    assert.equal(typeof encoded, "string");
    assert.equal(encoded, JSON.stringify(value));
    const withLong = { Messages: [message(long("x")), message("y", { Unknown: [1, undefined, "x"] })], Other: undefined };
    assert.equal(joined(encodeJsonBody(withLong, ReceiveOutput)), JSON.stringify(withLong));
  });

  it("writes an empty receive as JSON.stringify does", () => {
    assert.equal(encodeJsonBody({ Messages: [] }, ReceiveOutput), "{\"Messages\":[]}");
    assert.equal(encodeJsonBody({}, ReceiveOutput), "{}");
  });
});
