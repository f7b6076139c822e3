// The documents SNS delivers, their canonical strings and signatures, MessageStructure, and SNS's
// message attribute rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createVerify } from "node:crypto";
import { SnsError } from "../../src/core/errors.js";
import {
  confirmationStringToSign,
  notificationStringToSign,
  renderConfirmation,
  renderNotification,
  signNotification,
  signNotificationAsync,
  type NotificationFields,
} from "../../src/core/sns/envelope.js";
import { publishSize, validateSnsAttributes } from "../../src/core/sns/message-attributes.js";
import { parseMessageStructure } from "../../src/core/sns/message-structure.js";
import { createMessageSigner } from "../../src/delivery/signer.js";
import { loadOrCreateSigningMaterial } from "../../src/delivery/signing-key.js";

const fields: NotificationFields = {
  messageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
  topicArn: "arn:aws:sns:us-west-2:123456789012:MyTopic",
  subject: "My First Message",
  message: "Hello world!",
  timestamp: "2012-05-02T00:54:06.655Z",
  unsubscribeUrl: "https://example.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0",
  attributes: [
    ["Command", { Type: "String", Value: "process" }],
    ["Prefix", { Type: "String", Value: "/grid-dev-lidarscans/RiPS/jpg" }],
  ],
};

test("a Notification in AWS's layout, keys in AWS's order", () => {
  const signed = { version: "1" as const, signature: "SIG==", certUrl: "https://example.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem" };
  assert.equal(
    renderNotification(fields, signed),
    [
      "{",
      '  "Type" : "Notification",',
      '  "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",',
      '  "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic",',
      '  "Subject" : "My First Message",',
      '  "Message" : "Hello world!",',
      '  "Timestamp" : "2012-05-02T00:54:06.655Z",',
      '  "SignatureVersion" : "1",',
      '  "Signature" : "SIG==",',
      '  "SigningCertURL" : "https://example.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem",',
      '  "UnsubscribeURL" : "https://example.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0",',
      '  "MessageAttributes" : {',
      '    "Command" : {"Type":"String","Value":"process"},',
      '    "Prefix" : {"Type":"String","Value":"/grid-dev-lidarscans/RiPS/jpg"}',
      "  }",
      "}",
    ].join("\n"),
  );
});

test("FIFO: SequenceNumber after MessageId, no signing fields, no MessageAttributes when there are none", () => {
  const body = renderNotification({ ...fields, subject: undefined, attributes: [], sequenceNumber: "10000000000000000001" }, undefined);
  assert.deepEqual(Object.keys(JSON.parse(body)), ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp", "UnsubscribeURL"]);
});

test("canonical strings: alphabetical name/value lines, Subject only when present", () => {
  assert.equal(
    notificationStringToSign(fields),
    "Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\nTimestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n",
  );
  assert.ok(!notificationStringToSign({ ...fields, subject: undefined }).includes("Subject"));
  assert.equal(
    confirmationStringToSign({ type: "SubscriptionConfirmation", messageId: "m", token: "t", topicArn: "a", message: "msg", subscribeUrl: "u", timestamp: "ts" }),
    "Message\nmsg\nMessageId\nm\nSubscribeURL\nu\nTimestamp\nts\nToken\nt\nTopicArn\na\nType\nSubscriptionConfirmation\n",
  );
});

test("signatures verify with the certificate: SHA1withRSA (v1) and SHA256withRSA (v2)", async () => {
  const material = await loadOrCreateSigningMaterial();
  assert.match(material.certId, /^[0-9a-f]{32}$/);
  const certificate = await material.certificate();
  const signer = createMessageSigner(material);
  for (const [version, algorithm] of [["1", "RSA-SHA1"], ["2", "RSA-SHA256"]] as const) {
    const signed = signNotification(fields, { signer, version, certUrl: "c" });
    assert.ok(createVerify(algorithm).update(notificationStringToSign(fields)).verify(certificate, signed.signature, "base64"));
    // PKCS #1 v1.5 is deterministic: the thread-pool path must produce the very same signature.
    assert.deepEqual(await signNotificationAsync(fields, { signer, version, certUrl: "c" }), signed);
  }
  const confirmation = renderConfirmation(
    { type: "SubscriptionConfirmation", messageId: "m", token: "t", topicArn: "a", message: "msg", subscribeUrl: "u", timestamp: "ts" },
    { signer, version: "1", certUrl: "c" },
  );
  const parsed = JSON.parse(confirmation) as Record<string, string>;
  const canonical = "Message\nmsg\nMessageId\nm\nSubscribeURL\nu\nTimestamp\nts\nToken\nt\nTopicArn\na\nType\nSubscriptionConfirmation\n";
  assert.ok(createVerify("RSA-SHA1").update(canonical).verify(certificate, parsed.Signature, "base64"));
});

test("MessageStructure=json: per-protocol bodies, string values only, default required", () => {
  const content = parseMessageStructure('{"default":"d","sqs":"s","http":3}', "json");
  assert.deepEqual([content.forProtocol("sqs"), content.forProtocol("http"), content.forProtocol("https")], ["s", "d", "d"]);
  assert.equal(parseMessageStructure("plain", undefined).forProtocol("sqs"), "plain");
  assert.throws(() => parseMessageStructure("[1]", "json"), /JSON message body failed to parse/);
  assert.throws(() => parseMessageStructure('{"sqs":"x"}', "json"), /No default entry in JSON message body/);
  assert.throws(() => parseMessageStructure("{}", "xml"), /Invalid parameter: MessageStructure/);
});

test("attributes: kept to the field their type uses; size counts names, types and values", () => {
  const attributes = validateSnsAttributes(
    { a: { DataType: "String", StringValue: "x", BinaryValue: undefined }, b: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2]) }, c: { DataType: "Number.int", StringValue: "-1.5e3" } },
    "messageAttributes",
  );
  assert.deepEqual(Object.keys(attributes.b), ["DataType", "BinaryValue"]);
  assert.equal(publishSize("body", attributes), 4 + (1 + 6 + 1) + (1 + 6 + 2) + (1 + 10 + 6));
  assert.throws(
    () => validateSnsAttributes({ n: { DataType: "Number", StringValue: "abc" } }, "messageAttributes"),
    (e: unknown) => e instanceof SnsError && e.code === "ParameterValueInvalid" && e.message === "Could not cast message attribute 'n' value to number.",
  );
});
