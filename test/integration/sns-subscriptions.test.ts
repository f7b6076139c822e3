// SNS subscription actions through @aws-sdk/client-sns: Subscribe, ConfirmSubscription, Unsubscribe,
// Get/SetSubscriptionAttributes, ListSubscriptions(ByTopic), with AWS's errors; on both stores.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { STORE_KINDS, type TestBroker } from "../helpers/broker.js";
import { awsClients, failure, startSnsBroker, type Clients } from "../helpers/sns.js";

const queueArn = (name: string, account = "000000000000") => `arn:aws:sqs:us-east-1:${account}:${name}`;

for (const kind of STORE_KINDS) {
  describe(`SNS subscriptions (${kind})`, () => {
    let broker: TestBroker;
    let c: Clients;
    let topic: string;
    let fifoTopic: string;
    before(async () => {
      broker = await startSnsBroker(kind);
      c = awsClients(broker.endpoint);
      topic = (await c.sns.send(new CreateTopicCommand({ Name: "events" }))).TopicArn ?? "";
      fifoTopic = (await c.sns.send(new CreateTopicCommand({ Name: "events.fifo", Attributes: { FifoTopic: "true" } }))).TopicArn ?? "";
    });
    after(async () => {
      c.destroy();
      await broker.stop();
    });

    const subscribe = (endpoint: string, attributes?: Record<string, string>, topicArn = topic) =>
      c.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: endpoint, Attributes: attributes }));

    test("an SQS subscription is confirmed at once and shows AWS's attributes", async () => {
      const arn = (await subscribe(queueArn("q-basic"))).SubscriptionArn ?? "";
      assert.match(arn, new RegExp(`^${topic}:[0-9a-f-]{36}$`));
      const attributes = (await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes;
      assert.deepEqual(attributes, {
        ConfirmationWasAuthenticated: "true",
        Endpoint: queueArn("q-basic"),
        Owner: "000000000000",
        PendingConfirmation: "false",
        Protocol: "sqs",
        RawMessageDelivery: "false",
        SubscriptionArn: arn,
        SubscriptionPrincipal: "arn:aws:iam::000000000000:root",
        TopicArn: topic,
      });
      const counts = (await c.sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes ?? {};
      assert.ok(Number(counts.SubscriptionsConfirmed) >= 1);
    });

    test("Subscribe is idempotent on topic, protocol and endpoint unless the attributes differ", async () => {
      const first = (await subscribe(queueArn("q-idem"), { RawMessageDelivery: "true" })).SubscriptionArn;
      assert.equal((await subscribe(queueArn("q-idem"), { RawMessageDelivery: "true" })).SubscriptionArn, first);
      assert.equal((await subscribe(queueArn("q-idem"))).SubscriptionArn, first);
      assert.equal((await subscribe(queueArn("q-idem"), {})).SubscriptionArn, first);
      const differ = await failure(subscribe(queueArn("q-idem"), { RawMessageDelivery: "false" }));
      assert.deepEqual([differ.name, differ.message], [
        "InvalidParameterException",
        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
      ]);
    });

    test("Subscribe errors, worded as AWS words them", async () => {
      const cases: Array<[Promise<unknown>, string, string?]> = [
        [c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "carrier-pigeon", Endpoint: "x" })), "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"],
        [c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "email", Endpoint: "a@example.com" })), "Invalid parameter: Protocol Reason: Sluice does not deliver to email endpoints (supported: sqs, http, https)"],
        [subscribe("http://localhost:1/sqs/000000000000/q"), "Invalid parameter: SQS endpoint ARN"],
        [c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: "https://example.com/" })), "Invalid parameter: Endpoint must match the specified protocol"],
        [subscribe(queueArn("jobs.fifo")), "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"],
        [subscribe(queueArn("q-x"), { RawMessageDelivery: "wrongvalue" }), "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false."],
        [subscribe(queueArn("q-x"), { Color: "blue" }), "Invalid parameter: Attributes Reason: AttributeName"],
        [subscribe(queueArn("q-x"), { FilterPolicy: '{"a": [[1]]}' }), "Invalid parameter: Attributes Reason: FilterPolicy: Match value must be String, number, true, false, or null"],
        [subscribe(queueArn("q-x"), { FilterPolicy: '{"a": {"b": ["x"]}}' }), "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy"],
        [subscribe(queueArn("q-x"), { FilterPolicyScope: "Body" }), "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes"],
        [subscribe(queueArn("q-x"), { RedrivePolicy: '{"deadLetterTargetArn": "nope"}' }), "Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an invalid arn"],
        [subscribe(queueArn("q-x.fifo"), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("dlq") }) }, fifoTopic), "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."],
        [subscribe(queueArn("q-x"), { DeliveryPolicy: '{"healthyRetryPolicy":{"minDelayTarget":0,"maxDelayTarget":0,"numRetries":0}}' }), "Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"],
        [subscribe(queueArn("q-x"), {}, `${topic}-missing`), "Topic does not exist", "NotFoundException"],
        [subscribe(queueArn("q-x"), {}, "arn:aws:sns:us-east-1:000000000000"), "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"],
      ];
      for (const [call, message, name] of cases) {
        const e = await failure(call);
        assert.equal(e.message, message);
        assert.equal(e.name, name ?? "InvalidParameterException", message);
      }
      // A standard queue may subscribe to a FIFO topic.
      assert.ok((await subscribe(queueArn("plain-for-fifo"), {}, fifoTopic)).SubscriptionArn);
    });

    test("SetSubscriptionAttributes validates, compiles the filter once and shows the scope", async () => {
      const arn = (await subscribe(queueArn("q-set"))).SubscriptionArn ?? "";
      const set = (name: string, value: string) =>
        c.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: name, AttributeValue: value }));
      const get = async () => (await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes ?? {};
      await set("RawMessageDelivery", "TRUE");
      await set("FilterPolicy", '{"store": ["example_corp"]}');
      let attributes = await get();
      assert.equal(attributes.RawMessageDelivery, "true");
      assert.equal(attributes.FilterPolicy, '{"store": ["example_corp"]}');
      assert.equal(attributes.FilterPolicyScope, "MessageAttributes");
      await set("FilterPolicyScope", "MessageBody");
      await set("FilterPolicy", '{"detail": {"kind": ["a"]}}');
      assert.equal((await get()).FilterPolicyScope, "MessageBody");
      const scope = await failure(set("FilterPolicyScope", "MessageAttributes"));
      assert.equal(scope.message, "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
      const bad = await failure(set("FilterPolicy", '{"a": [{"numeric": [">", 5, "<", 1]}]}'));
      assert.equal(bad.message, "Invalid parameter: FilterPolicy: Bottom must be less than top");
      await set("FilterPolicy", "");
      attributes = await get();
      assert.equal(attributes.FilterPolicy, undefined);
      assert.equal(attributes.FilterPolicyScope, undefined);
      await set("RedrivePolicy", JSON.stringify({ deadLetterTargetArn: queueArn("dlq") }));
      assert.deepEqual(JSON.parse((await get()).RedrivePolicy), { deadLetterTargetArn: queueArn("dlq") });
      const raw = await failure(set("RawMessageDelivery", "test-ValUe"));
      assert.equal(raw.message, "Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.");
      const empty = await failure(set("RawMessageDelivery", ""));
      assert.equal(empty.message, "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.");
      const name = await failure(set("Fake", "x"));
      assert.equal(name.message, "Invalid parameter: AttributeName");
      const redrive = await failure(set("RedrivePolicy", '{"deadLetterTargetArn": "x"}'));
      assert.equal(redrive.message, "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn");
      const json = await failure(set("RedrivePolicy", "{invalid"));
      assert.equal(json.message, "Invalid parameter: RedrivePolicy: failed to parse JSON.");
      const missing = await failure(c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: `${topic}:00000000-0000-0000-0000-000000000000` })));
      assert.deepEqual([missing.name, missing.message, missing.status], ["NotFoundException", "Subscription does not exist", 404]);
      const missingSet = await failure(
        c.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: `${topic}:nope`, AttributeName: "RawMessageDelivery", AttributeValue: "true" })),
      );
      assert.equal(missingSet.name, "NotFoundException");
    });

    test("Unsubscribe is idempotent and checks the ARN", async () => {
      const arn = (await subscribe(queueArn("q-unsub"))).SubscriptionArn ?? "";
      await c.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
      await c.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
      const listed = (await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
      assert.ok(!listed.some((s) => s.SubscriptionArn === arn));
      const cases: Array<[string, string]> = [
        ["", "Invalid parameter: SubscriptionArn Reason: no value for required parameter"],
        ["nope", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"],
        ["arn:aws:sns:us-east-1:000000000000", "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5"],
        [topic, "Invalid parameter: SubscriptionId"],
      ];
      for (const [value, message] of cases) {
        assert.equal((await failure(c.sns.send(new UnsubscribeCommand({ SubscriptionArn: value })))).message, message);
      }
    });

    test("ConfirmSubscription checks the topic and the token", async () => {
      const cases: Array<[string, string, string]> = [
        ["nope", "abc123", "Invalid parameter: Topic"],
        [topic, "not-a-token!", "Invalid token"],
        [topic, "abcdef0123456789", "Invalid parameter: Token"],
      ];
      for (const [topicArn, token, message] of cases) {
        const e = await failure(c.sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token })));
        assert.deepEqual([e.name, e.message], ["InvalidParameterException", message]);
      }
    });

    test("ListSubscriptions and ListSubscriptionsByTopic page at 100", async () => {
      const other = awsClients(broker.endpoint, "333333333333");
      try {
        const own = (await other.sns.send(new CreateTopicCommand({ Name: "many" }))).TopicArn ?? "";
        const arns: string[] = [];
        for (let i = 0; i < 103; i++) {
          arns.push((await other.sns.send(new SubscribeCommand({ TopicArn: own, Protocol: "sqs", Endpoint: queueArn(`m${i}`, "333333333333") }))).SubscriptionArn ?? "");
        }
        const first = await other.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: own }));
        assert.equal(first.Subscriptions?.length, 100);
        assert.ok(first.NextToken);
        const second = await other.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: own, NextToken: first.NextToken }));
        assert.deepEqual([...(first.Subscriptions ?? []), ...(second.Subscriptions ?? [])].map((s) => s.SubscriptionArn), arns);
        assert.deepEqual(second.Subscriptions?.[0], {
          SubscriptionArn: arns[100],
          Owner: "333333333333",
          Protocol: "sqs",
          Endpoint: queueArn("m100", "333333333333"),
          TopicArn: own,
        });
        const all1 = await other.sns.send(new ListSubscriptionsCommand({}));
        const all2 = await other.sns.send(new ListSubscriptionsCommand({ NextToken: all1.NextToken }));
        assert.equal((all1.Subscriptions?.length ?? 0) + (all2.Subscriptions?.length ?? 0), 103);
        const missing = await failure(other.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: `${own}-x` })));
        assert.equal(missing.name, "NotFoundException");
        await other.sns.send(new DeleteTopicCommand({ TopicArn: own }));
        assert.deepEqual((await other.sns.send(new ListSubscriptionsCommand({}))).Subscriptions, []);
      } finally {
        other.destroy();
      }
    });
  });
}
