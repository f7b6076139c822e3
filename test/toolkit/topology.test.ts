import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GetQueueAttributesCommand, ListQueuesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, SetSubscriptionAttributesCommand } from "@aws-sdk/client-sns";
import { z } from "zod";
import { defineEvent, TopologyError } from "../../src/toolkit/index.js";
import { startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

function eventsOf(service: string) {
  return {
    Registered: defineEvent("user.registered", { source: service, version: 1, context: "USER_ONBOARDING", schema: z.object({ userId: z.string() }) }),
    Deleted: defineEvent("user.deleted", { source: service, version: 1, context: "USER_ONBOARDING", schema: z.object({ userId: z.string() }) }),
  };
}

async function attributes(queue: string): Promise<Record<string, string>> {
  const url = await h.queueUrl(queue);
  return (await h.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ?? {};
}

describe("topology", () => {
  it("creates everything idempotently: topic, queue with DLQ and SNS policy, filtered raw subscription", async () => {
    const users = uniqueService("users");
    const notifications = uniqueService("notifications");
    const { Registered, Deleted } = eventsOf(users);
    const declare = async () => {
      const bus = await h.bus({ service: notifications });
      bus.consume("send-email-on-user-registered", { events: [Registered, Deleted], maxReceiveCount: 4, visibilityTimeout: 45 }, () => {});
      return bus;
    };
    const first = await declare();
    const plan = await first.start();
    assert.ok(plan.steps.some((step) => step.change === "create"));
    await first.stop();

    const queue = `${notifications}-send-email-on-user-registered`;
    const attrs = await attributes(queue);
    assert.equal(attrs["VisibilityTimeout"], "45");
    const redrive = JSON.parse(attrs["RedrivePolicy"]!) as { deadLetterTargetArn: string; maxReceiveCount: number };
    assert.equal(Number(redrive.maxReceiveCount), 4);
    assert.match(redrive.deadLetterTargetArn, new RegExp(`:${queue}-dlq$`));
    const policy = JSON.parse(attrs["Policy"]!) as { Statement: Array<{ Principal: unknown; Condition: { ArnEquals: { "aws:SourceArn": string[] } } }> };
    assert.deepEqual(policy.Statement[0]!.Principal, { Service: "sns.amazonaws.com" });
    assert.match(policy.Statement[0]!.Condition.ArnEquals["aws:SourceArn"][0]!, new RegExp(`:${users}-domain-events$`));
    assert.equal((await attributes(`${queue}-dlq`))["MessageRetentionPeriod"], String(14 * 24 * 3600));

    const topics = (await h.sns.send(new ListTopicsCommand({}))).Topics ?? [];
    const topicArn = topics.find((topic) => topic.TopicArn?.endsWith(`:${users}-domain-events`))!.TopicArn!;
    const subscriptions = (await h.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
    assert.equal(subscriptions.length, 1);
    const sub = (await h.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptions[0]!.SubscriptionArn }))).Attributes!;
    assert.equal(sub["RawMessageDelivery"], "true");
    assert.deepEqual(JSON.parse(sub["FilterPolicy"]!), { eventType: ["user.deleted", "user.registered"] });

    const second = await declare();
    const again = await second.start();
    assert.deepEqual(again.steps.filter((step) => step.change !== "unchanged"), []);
    await second.stop();
    assert.equal(((await h.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? []).length, 1);
  });

  it("plans without changing anything, online or offline", async () => {
    const service = uniqueService("planner");
    const { Registered } = eventsOf(uniqueService("users"));
    const bus = await h.bus({ service });
    bus.consume("do-something", { events: [Registered] }, () => {});
    const offline = await bus.plan({ offline: true });
    assert.deepEqual(
      offline.steps.map((step) => `${step.change} ${step.resource} ${step.name}`),
      [
        `create topic ${service}-domain-events`,
        `create topic ${Registered.source}-domain-events`,
        `create queue ${service}-do-something-dlq`,
        `create queue ${service}-do-something`,
        `create queue-policy ${service}-do-something`,
        `create subscription ${Registered.source}-domain-events → ${service}-do-something`,
      ],
    );
    const online = await bus.plan();
    assert.equal(online.ok, false);
    assert.ok(online.steps.every((step) => step.change === "create"));
    assert.match(online.format(), /dry run/);
    const queues = (await h.sqs.send(new ListQueuesCommand({ QueueNamePrefix: service }))).QueueUrls ?? [];
    assert.deepEqual(queues, []);
  });

  it("verify mode refuses to start when resources are missing, and starts once they exist", async () => {
    const service = uniqueService("verified");
    const { Registered } = eventsOf(uniqueService("users"));
    const make = async (topology: "ensure" | "verify", visibilityTimeout: number) => {
      const bus = await h.bus({ service, topology });
      bus.consume("react", { events: [Registered], visibilityTimeout, maxReceiveCount: 3 }, () => {});
      return bus;
    };
    const early = await make("verify", 30);
    await assert.rejects(early.start(), (error: unknown) => {
      assert.ok(error instanceof TopologyError);
      assert.ok(error.plan.steps.some((step) => step.change === "missing" && step.name === `${service}-react`));
      return true;
    });
    await early.stop();
    const infra = await make("ensure", 30);
    await infra.start();
    await infra.stop();
    // Infrastructure-as-code chose a different visibility timeout: reported, not blocking.
    const later = await make("verify", 60);
    const plan = await later.start();
    const queueStep = plan.steps.find((step) => step.resource === "queue" && step.name === `${service}-react`)!;
    assert.equal(queueStep.change, "update");
    assert.equal(queueStep.blocking, false);
    assert.equal((await attributes(`${service}-react`))["VisibilityTimeout"], "30");
    await later.stop();
  });

  it("converges drift in ensure mode: redrive, visibility, filter policy, queue policy", async () => {
    const service = uniqueService("drifty");
    const { Registered, Deleted } = eventsOf(uniqueService("users"));
    const first = await h.bus({ service });
    first.consume("react", { events: [Registered], maxReceiveCount: 5 }, () => {});
    await first.start();
    await first.stop();
    const url = await h.queueUrl(`${service}-react`);
    await h.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: "" } }));

    const second = await h.bus({ service });
    second.consume("react", { events: [Registered, Deleted], maxReceiveCount: 2, visibilityTimeout: 10 }, () => {});
    const plan = await second.start();
    await second.stop();
    const changed = plan.steps.filter((step) => step.change !== "unchanged").map((step) => step.resource);
    assert.deepEqual(changed.sort(), ["queue", "queue-policy", "subscription"]);
    const attrs = await attributes(`${service}-react`);
    assert.equal(attrs["VisibilityTimeout"], "10");
    assert.equal(Number((JSON.parse(attrs["RedrivePolicy"]!) as { maxReceiveCount: number }).maxReceiveCount), 2);
    assert.ok(attrs["Policy"]?.includes("sns.amazonaws.com"));
  });

  it("subscribes one queue to the topics of several services", async () => {
    const service = uniqueService("audit");
    const a = eventsOf(uniqueService("users")).Registered;
    const b = defineEvent("order.placed", { source: uniqueService("orders"), version: 1, context: "ORDER_PROCESSING", schema: z.object({}) });
    const bus = await h.bus({ service, ownTopic: false });
    bus.consume("record-everything", { events: [a, b] }, () => {});
    const plan = await bus.start();
    await bus.stop();
    const subscriptions = plan.steps.filter((step) => step.resource === "subscription").map((step) => step.name);
    assert.deepEqual(subscriptions.sort(), [`${a.source}-domain-events → ${service}-record-everything`, `${b.source}-domain-events → ${service}-record-everything`].sort());
    assert.ok(!plan.steps.some((step) => step.name === `${service}-domain-events`));
    const policy = (await attributes(`${service}-record-everything`))["Policy"]!;
    assert.ok(policy.includes(`${a.source}-domain-events`) && policy.includes(`${b.source}-domain-events`));
  });

  it("restores a filter policy someone changed by hand", async () => {
    const service = uniqueService("filtered");
    const { Registered } = eventsOf(uniqueService("users"));
    const first = await h.bus({ service });
    first.consume("react", { events: [Registered] }, () => {});
    await first.start();
    await first.stop();
    const topics = (await h.sns.send(new ListTopicsCommand({}))).Topics ?? [];
    const topicArn = topics.find((topic) => topic.TopicArn?.endsWith(`:${Registered.source}-domain-events`))!.TopicArn!;
    const [sub] = (await h.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];
    await h.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub!.SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: '{"eventType":["other"]}' }));
    const verify = await h.bus({ service, topology: "verify" });
    verify.consume("react", { events: [Registered] }, () => {});
    await assert.rejects(verify.start(), /subscription/);
    const ensure = await h.bus({ service });
    ensure.consume("react", { events: [Registered] }, () => {});
    await ensure.start();
    await ensure.stop();
    const attrs = (await h.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub!.SubscriptionArn }))).Attributes!;
    assert.deepEqual(JSON.parse(attrs["FilterPolicy"]!), { eventType: ["user.registered"] });
  });
});
