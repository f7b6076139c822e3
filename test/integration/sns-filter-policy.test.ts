// Filter policies end to end: real subscriptions with policies in both scopes, real publishes, and the
// queues that did (and did not) receive each message.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateTopicCommand, PublishCommand, SetSubscriptionAttributesCommand, SubscribeCommand, type MessageAttributeValue } from "@aws-sdk/client-sns";
import { STORE_KINDS, type TestBroker } from "../helpers/broker.js";
import { awsClients, makeQueue, receive, receiveNone, startSnsBroker, type Clients } from "../helpers/sns.js";

const str = (StringValue: string): MessageAttributeValue => ({ DataType: "String", StringValue });
const num = (StringValue: string): MessageAttributeValue => ({ DataType: "Number", StringValue });
const arr = (values: unknown[]): MessageAttributeValue => ({ DataType: "String.Array", StringValue: JSON.stringify(values) });

const messages: Array<{ body: string; attributes?: Record<string, MessageAttributeValue> }> = [
  {
    body: '{"detail":{"kind":"order_placed","amount":12}}',
    attributes: { store: str("example_corp"), price: num("150"), event: str("order_placed") },
  },
  {
    body: '{"items":[{"sku":"B-1"},{"sku":"A-2"}]}',
    attributes: { store: str("other"), colors: arr(["blue", "red"]), ip: str("10.0.0.7"), region: str("eu-west") },
  },
  { body: '{"a":{"b":"x"}}', attributes: { urgent: str("yes"), price: num("250") } },
  { body: "not json at all" },
];

const subscriptions: Array<{ name: string; scope: "MessageAttributes" | "MessageBody"; policy: object; expected: number[] }> = [
  { name: "exact", scope: "MessageAttributes", policy: { store: ["example_corp"] }, expected: [0] },
  { name: "anything-but", scope: "MessageAttributes", policy: { store: [{ "anything-but": ["example_corp"] }] }, expected: [1] },
  { name: "numeric", scope: "MessageAttributes", policy: { price: [{ numeric: [">", 100, "<=", 200] }] }, expected: [0] },
  { name: "or", scope: "MessageAttributes", policy: { $or: [{ event: [{ prefix: "order_" }] }, { urgent: [{ exists: true }] }] }, expected: [0, 2] },
  { name: "string-array", scope: "MessageAttributes", policy: { colors: ["red"] }, expected: [1] },
  { name: "exists-false", scope: "MessageAttributes", policy: { store: [{ exists: false }] }, expected: [2, 3] },
  { name: "cidr", scope: "MessageAttributes", policy: { ip: [{ cidr: "10.0.0.0/24" }] }, expected: [1] },
  { name: "ignore-case", scope: "MessageAttributes", policy: { region: [{ "equals-ignore-case": "EU-West" }] }, expected: [1] },
  { name: "null-or-anything-but", scope: "MessageAttributes", policy: { store: [null, { "anything-but": "x" }] }, expected: [0, 1] },
  { name: "and", scope: "MessageAttributes", policy: { store: ["example_corp"], price: [{ numeric: ["<", 100] }] }, expected: [] },
  { name: "body-nested", scope: "MessageBody", policy: { detail: { kind: ["order_placed"], amount: [{ numeric: [">=", 10] }] } }, expected: [0] },
  { name: "body-array", scope: "MessageBody", policy: { items: { sku: [{ prefix: "A-" }] } }, expected: [1] },
  { name: "body-dotted", scope: "MessageBody", policy: { "a.b": ["x"] }, expected: [2] },
  { name: "body-suffix", scope: "MessageBody", policy: { detail: { kind: [{ suffix: "_placed" }] } }, expected: [0] },
];

for (const kind of STORE_KINDS) {
  describe(`SNS filter policies end to end (${kind})`, () => {
    let broker: TestBroker;
    let c: Clients;
    let topic: string;
    const queues = new Map<string, { url: string; arn: string; subscription: string }>();

    before(async () => {
      broker = await startSnsBroker(kind);
      c = awsClients(broker.endpoint);
      topic = (await c.sns.send(new CreateTopicCommand({ Name: "filtered" }))).TopicArn ?? "";
      for (const s of subscriptions) {
        const queue = await makeQueue(c.sqs, `f-${s.name}`);
        const subscription = await c.sns.send(
          new SubscribeCommand({
            TopicArn: topic,
            Protocol: "sqs",
            Endpoint: queue.arn,
            Attributes: { RawMessageDelivery: "true", FilterPolicyScope: s.scope, FilterPolicy: JSON.stringify(s.policy) },
          }),
        );
        queues.set(s.name, { ...queue, subscription: subscription.SubscriptionArn ?? "" });
      }
      for (const m of messages) await c.sns.send(new PublishCommand({ TopicArn: topic, Message: m.body, MessageAttributes: m.attributes }));
    });
    after(async () => {
      c.destroy();
      await broker.stop();
    });

    for (const s of subscriptions) {
      test(`${s.scope} ${s.name}: ${JSON.stringify(s.policy)}`, async () => {
        const queue = queues.get(s.name);
        assert.ok(queue);
        const received = await receive(c.sqs, queue.url, s.expected.length, 2000);
        const extra = await receiveNone(c.sqs, queue.url, 30);
        const got = [...received, ...extra].map((m) => messages.findIndex((x) => x.body === m.Body)).sort();
        assert.deepEqual(got, s.expected);
      });
    }

    test("a changed policy applies from the next publish on", async () => {
      const queue = queues.get("exact");
      assert.ok(queue);
      await receiveNone(c.sqs, queue.url, 0);
      await c.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: queue.subscription, AttributeName: "FilterPolicy", AttributeValue: '{"store": ["other"]}' }));
      await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "for other", MessageAttributes: { store: str("other") } }));
      await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "for example", MessageAttributes: { store: str("example_corp") } }));
      const received = await receive(c.sqs, queue.url, 1);
      assert.deepEqual(received.map((m) => m.Body), ["for other"]);
      assert.deepEqual(await receiveNone(c.sqs, queue.url, 50), []);
      // Removing the policy lets everything through.
      await c.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: queue.subscription, AttributeName: "FilterPolicy", AttributeValue: "" }));
      await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "unfiltered" }));
      assert.deepEqual((await receive(c.sqs, queue.url, 1)).map((m) => m.Body), ["unfiltered"]);
    });
  });
}
