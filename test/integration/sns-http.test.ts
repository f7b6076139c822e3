// HTTP/S subscriptions against a local endpoint: confirmation (SubscribeURL and ConfirmSubscription),
// notifications with AWS's headers, signatures accepted by sns-validator and sns-payload-validator,
// DeliveryPolicy retries, the dead-letter queue, a hanging endpoint, UnsubscribeURL, and the outbox
// surviving a restart.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import PayloadValidator from "sns-payload-validator";
import { STORE_KINDS, type TestBroker } from "../helpers/broker.js";
import { RoutingAgent, TestEndpoint } from "../helpers/http-endpoint.js";
import { awsClients, eventually, makeQueue, receive, startSnsBroker, type Clients } from "../helpers/sns.js";

const require = createRequire(import.meta.url);
type Callback = (error: Error | null, message?: Record<string, string>) => void;
const MessageValidator = require("sns-validator") as new (hostPattern?: RegExp) => { validate(message: string | object, cb: Callback): void };

/** Validators only fetch certificates from AWS hostnames; the broker is told to use one for SigningCertURL. */
const CERT_BASE = "https://sns.us-east-1.amazonaws.com";

function validateWithSnsValidator(body: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) =>
    new MessageValidator(/^sns\.us-east-1\.amazonaws\.com$/).validate(body, (error, message) => (error ? reject(error) : resolve(message ?? {}))),
  );
}

/** sns-validator fetches with https.get and the global agent: route that to the broker while it runs. */
async function withRoutedGlobalAgent<T>(port: number, fn: () => Promise<T>): Promise<T> {
  const original = https.globalAgent;
  https.globalAgent = new RoutingAgent(port);
  try {
    return await fn();
  } finally {
    https.globalAgent = original;
  }
}

const fast = (extra: object = {}) => JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 1, numRetries: 0, ...extra } });

for (const kind of STORE_KINDS) {
  describe(`SNS HTTP/S delivery (${kind})`, () => {
    let broker: TestBroker;
    let c: Clients;
    let endpoint: TestEndpoint;
    let topic: string;
    before(async () => {
      endpoint = await new TestEndpoint().start();
      broker = await startSnsBroker(kind, { sns: { signingCertBaseUrl: CERT_BASE, httpTimeoutMs: 700 } });
      c = awsClients(broker.endpoint);
      topic = (await c.sns.send(new CreateTopicCommand({ Name: "web" }))).TopicArn ?? "";
    });
    after(async () => {
      c.destroy();
      await broker.stop();
      await endpoint.stop();
    });

    async function confirmedSubscription(path: string, attributes: Record<string, string> = {}): Promise<string> {
      endpoint.autoConfirm.add(path);
      const result = await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: `${endpoint.url}${path}`, Attributes: attributes, ReturnSubscriptionArn: true }));
      const arn = result.SubscriptionArn ?? "";
      await eventually(async () => {
        const a = (await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes;
        return a?.PendingConfirmation === "false" ? true : undefined;
      });
      return arn;
    }

    test("SubscriptionConfirmation: AWS's headers and body; the SubscribeURL served by the broker confirms", async () => {
      endpoint.autoConfirm.add("/auto");
      const subscribed = await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: `${endpoint.url}/auto` }));
      assert.equal(subscribed.SubscriptionArn, "pending confirmation");
      const [request] = await eventually(() => (endpoint.on("/auto").length > 0 ? endpoint.on("/auto") : undefined));
      assert.equal(request.headers["content-type"], "text/plain; charset=UTF-8");
      assert.equal(request.headers["user-agent"], "Amazon Simple Notification Service Agent");
      assert.equal(request.headers["x-amz-sns-message-type"], "SubscriptionConfirmation");
      assert.equal(request.headers["x-amz-sns-topic-arn"], topic);
      assert.equal(request.headers["x-amz-sns-subscription-arn"], undefined);
      const body = JSON.parse(request.body) as Record<string, string>;
      assert.equal(request.headers["x-amz-sns-message-id"], body.MessageId);
      assert.deepEqual(Object.keys(body), ["Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"]);
      assert.equal(body.Message, `You have chosen to subscribe to the topic ${topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`);
      assert.equal(body.SubscribeURL, `${broker.endpoint}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=${body.Token}`);
      assert.match(body.SigningCertURL, /^https:\/\/sns\.us-east-1\.amazonaws\.com\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
      assert.match(request.body, /^\{\n {2}"Type" : "SubscriptionConfirmation",\n/);

      const summary = await eventually(async () => {
        const list = (await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
        const found = list.find((s) => s.Endpoint === `${endpoint.url}/auto`);
        return found?.SubscriptionArn?.startsWith("arn:") ? found : undefined;
      });
      const attributes = (await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: summary.SubscriptionArn }))).Attributes ?? {};
      assert.equal(attributes.PendingConfirmation, "false");
      assert.equal(attributes.ConfirmationWasAuthenticated, "false");
      assert.equal(JSON.parse(attributes.EffectiveDeliveryPolicy).healthyRetryPolicy.numRetries, 3);

      await withRoutedGlobalAgent(broker.port, async () => assert.equal((await validateWithSnsValidator(request.body)).Token, body.Token));
      const payload = await new PayloadValidator({ requestAgent: new RoutingAgent(broker.port), useCache: false }).validate(request.body);
      assert.equal(payload.Type, "SubscriptionConfirmation");
    });

    test("ConfirmSubscription with the token: authenticated, idempotent", async () => {
      const pending = await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: `${endpoint.url}/manual` }));
      assert.equal(pending.SubscriptionArn, "pending confirmation");
      const [request] = await eventually(() => (endpoint.on("/manual").length > 0 ? endpoint.on("/manual") : undefined));
      const token = (JSON.parse(request.body) as { Token: string }).Token;
      const listed = (await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
      assert.equal(listed.find((s) => s.Endpoint === `${endpoint.url}/manual`)?.SubscriptionArn, "PendingConfirmation");
      const confirmed = await c.sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: token }));
      assert.match(confirmed.SubscriptionArn ?? "", new RegExp(`^${topic}:`));
      assert.equal((await c.sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: token }))).SubscriptionArn, confirmed.SubscriptionArn);
      const attributes = (await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: confirmed.SubscriptionArn }))).Attributes ?? {};
      assert.equal(attributes.ConfirmationWasAuthenticated, "true");
    });

    test("Notification: AWS's headers, signed, accepted by sns-validator and sns-payload-validator", async () => {
      const subscription = await confirmedSubscription("/notify");
      const published = await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "hello web", Subject: "Hi" }));
      const [request] = await eventually(() => {
        const got = endpoint.on("/notify", "Notification");
        return got.length > 0 ? got : undefined;
      });
      assert.equal(request.headers["x-amz-sns-message-id"], published.MessageId);
      assert.equal(request.headers["x-amz-sns-topic-arn"], topic);
      assert.equal(request.headers["x-amz-sns-subscription-arn"], subscription);
      assert.equal(request.headers["content-type"], "text/plain; charset=UTF-8");
      assert.equal(request.headers["x-amz-sns-rawdelivery"], undefined);
      const body = JSON.parse(request.body) as Record<string, string>;
      assert.deepEqual(Object.keys(body), ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"]);
      assert.equal(body.UnsubscribeURL, `${broker.endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscription}`);
      await withRoutedGlobalAgent(broker.port, async () => assert.equal((await validateWithSnsValidator(request.body)).Message, "hello web"));
      const payload = await new PayloadValidator({ requestAgent: new RoutingAgent(broker.port), useCache: false }).validate(request.body);
      assert.equal(payload.MessageId, published.MessageId);
      const tampered = request.body.replace("hello web", "hello evil");
      await assert.rejects(new PayloadValidator({ requestAgent: new RoutingAgent(broker.port), useCache: false }).validate(tampered), /Invalid Signature/);
    });

    test("raw delivery over HTTP: the message as the body, x-amz-sns-rawdelivery, DeliveryPolicy content type", async () => {
      await confirmedSubscription("/raw", { RawMessageDelivery: "true", DeliveryPolicy: JSON.stringify({ requestPolicy: { headerContentType: "application/json" } }) });
      await c.sns.send(new PublishCommand({ TopicArn: topic, Message: '{"raw":true}' }));
      const [request] = await eventually(() => {
        const got = endpoint.on("/raw", "Notification");
        return got.length > 0 ? got : undefined;
      });
      assert.equal(request.body, '{"raw":true}');
      assert.equal(request.headers["x-amz-sns-rawdelivery"], "true");
      assert.equal(request.headers["content-type"], "application/json");
    });
  });
}

describe("SNS HTTP/S retries, dead letters, timeouts, unsubscribe (memory)", () => {
  let broker: TestBroker;
  let c: Clients;
  let endpoint: TestEndpoint;
  let topic: string;
  before(async () => {
    endpoint = await new TestEndpoint().start();
    broker = await startSnsBroker("memory", { sns: { signingCertBaseUrl: CERT_BASE, httpTimeoutMs: 600 } });
    c = awsClients(broker.endpoint);
    topic = (await c.sns.send(new CreateTopicCommand({ Name: "retries" }))).TopicArn ?? "";
  });
  after(async () => {
    c.destroy();
    await broker.stop();
    await endpoint.stop();
  });

  async function subscribeAt(path: string, attributes: Record<string, string>): Promise<string> {
    endpoint.autoConfirm.add(path);
    const arn = (await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: `${endpoint.url}${path}`, Attributes: attributes, ReturnSubscriptionArn: true }))).SubscriptionArn ?? "";
    await eventually(async () =>
      (await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes?.PendingConfirmation === "false" ? true : undefined,
    );
    return arn;
  }

  test("an endpoint failing twice gets the message on the third try, on the policy's schedule", async () => {
    endpoint.behaviours.set("/flaky", (_r, attempt) => (attempt <= 2 ? 500 : 200));
    await subscribeAt("/flaky", { DeliveryPolicy: fast({ numRetries: 3, numNoDelayRetries: 1 }) });
    const id = (await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "third time lucky" }))).MessageId;
    const attempts = await eventually(() => {
      const got = endpoint.on("/flaky", "Notification");
      return got.length >= 3 ? got : undefined;
    }, 5000);
    assert.ok(attempts.every((a) => a.headers["x-amz-sns-message-id"] === id));
    assert.ok(attempts[1].at - attempts[0].at < 500, "the first retry is immediate");
    assert.ok(attempts[2].at - attempts[1].at >= 950, "the second waits minDelayTarget");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(endpoint.on("/flaky", "Notification").length, 3);
  });

  test("an endpoint that never succeeds: after the last retry the message lands in the dead-letter queue", async () => {
    endpoint.behaviours.set("/down", () => 503);
    const dlq = await makeQueue(c.sqs, "http-dlq");
    await subscribeAt("/down", {
      RawMessageDelivery: "true",
      DeliveryPolicy: fast({ numRetries: 2, numNoDelayRetries: 2 }),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }),
    });
    await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "undeliverable", MessageAttributes: { kind: { DataType: "String", StringValue: "k" } } }));
    const [dead] = await receive(c.sqs, dlq.url, 1, 5000);
    assert.equal(dead.Body, "undeliverable");
    assert.deepEqual(dead.MessageAttributes?.kind, { DataType: "String", StringValue: "k" });
    assert.equal(endpoint.on("/down", "Notification").length, 3);
  });

  test("a hanging endpoint stalls only itself: others are served, it times out and is dropped", async () => {
    endpoint.behaviours.set("/hang", () => "hang");
    await subscribeAt("/hang", { DeliveryPolicy: fast() });
    await subscribeAt("/fine", { DeliveryPolicy: fast() });
    for (let i = 0; i < 8; i++) await c.sns.send(new PublishCommand({ TopicArn: topic, Message: `m${i}` }));
    await eventually(() => (endpoint.on("/fine", "Notification").length === 8 ? true : undefined), 3000);
    const fineDone = Date.now();
    const firstHang = endpoint.on("/hang", "Notification")[0];
    assert.ok(fineDone < firstHang.at + 600, "the healthy endpoint was served before the hanging one timed out");
    // Four slots per subscription: the hanging endpoint got four requests, the rest wait for the timeout.
    assert.ok(endpoint.on("/hang", "Notification").length <= 4);
    await eventually(() => (endpoint.on("/hang", "Notification").length === 8 ? true : undefined), 5000);
    assert.equal(endpoint.on("/fine", "Notification").length, 8);
  });

  test("UnsubscribeURL unsubscribes; the endpoint gets a signed UnsubscribeConfirmation", async () => {
    const subscription = await subscribeAt("/leaving", {});
    await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "last one" }));
    const [request] = await eventually(() => {
      const got = endpoint.on("/leaving", "Notification");
      return got.length > 0 ? got : undefined;
    });
    const response = await fetch((JSON.parse(request.body) as { UnsubscribeURL: string }).UnsubscribeURL);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^<\?xml version="1.0"\?><UnsubscribeResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/"><ResponseMetadata>/);
    const list = (await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions ?? [];
    assert.ok(!list.some((s) => s.SubscriptionArn === subscription));
    const [bye] = await eventually(() => {
      const got = endpoint.on("/leaving", "UnsubscribeConfirmation");
      return got.length > 0 ? got : undefined;
    });
    assert.equal(bye.headers["x-amz-sns-subscription-arn"], subscription);
    const body = JSON.parse(bye.body) as Record<string, string>;
    assert.equal(body.Message, `You have chosen to deactivate subscription ${subscription}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`);
    const payload = await new PayloadValidator({ requestAgent: new RoutingAgent(broker.port), useCache: false }).validate(bye.body);
    assert.equal(payload.Type, "UnsubscribeConfirmation");
    await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "after" }));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(endpoint.on("/leaving", "Notification").length, 1);
  });
});

describe("SNS HTTP/S outbox survives a restart (sqlite)", () => {
  test("a delivery pending when the broker stops is delivered after it starts again, signed with the same key", async () => {
    const endpoint = await new TestEndpoint().start();
    endpoint.autoConfirm.add("/later");
    endpoint.behaviours.set("/later", (_r, attempt) => (attempt === 1 ? 500 : 200));
    const dataDir = mkdtempSync(join(tmpdir(), "sluice-sns-outbox-"));
    const first = await startSnsBroker("sqlite", { sns: { signingCertBaseUrl: CERT_BASE } }, dataDir);
    let second: TestBroker | undefined;
    const c1 = awsClients(first.endpoint);
    try {
      const topic = (await c1.sns.send(new CreateTopicCommand({ Name: "durable" }))).TopicArn ?? "";
      const arn = (await c1.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: `${endpoint.url}/later`, Attributes: { DeliveryPolicy: fast({ numRetries: 2, minDelayTarget: 2, maxDelayTarget: 2 }) }, ReturnSubscriptionArn: true }))).SubscriptionArn ?? "";
      await eventually(async () => ((await c1.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes?.PendingConfirmation === "false" ? true : undefined));
      const id = (await c1.sns.send(new PublishCommand({ TopicArn: topic, Message: "survivor" }))).MessageId;
      await eventually(() => (endpoint.on("/later", "Notification").length === 1 ? true : undefined));
      c1.destroy();
      await first.stop();
      second = await startSnsBroker("sqlite", { sns: { signingCertBaseUrl: CERT_BASE } }, dataDir);
      const [, retried] = await eventually(() => {
        const got = endpoint.on("/later", "Notification");
        return got.length >= 2 ? got : undefined;
      }, 6000);
      assert.equal(retried.headers["x-amz-sns-message-id"], id);
      const confirmation = JSON.parse(endpoint.on("/later", "SubscriptionConfirmation")[0].body) as { SigningCertURL: string };
      assert.equal((JSON.parse(retried.body) as { SigningCertURL: string }).SigningCertURL, confirmation.SigningCertURL);
      const payload = await new PayloadValidator({ requestAgent: new RoutingAgent(second.port), useCache: false }).validate(retried.body);
      assert.equal(payload.Message, "survivor");
    } finally {
      c1.destroy();
      await second?.stop();
      await endpoint.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("stop() does not wait for an endpoint that hangs", async () => {
    const endpoint = await new TestEndpoint().start();
    endpoint.autoConfirm.add("/hang");
    endpoint.behaviours.set("/hang", () => "hang");
    const broker = await startSnsBroker("sqlite");
    const c = awsClients(broker.endpoint);
    try {
      const topic = (await c.sns.send(new CreateTopicCommand({ Name: "hung" }))).TopicArn ?? "";
      const arn = (await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: `${endpoint.url}/hang`, ReturnSubscriptionArn: true }))).SubscriptionArn ?? "";
      await eventually(async () => ((await c.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes?.PendingConfirmation === "false" ? true : undefined));
      await c.sns.send(new PublishCommand({ TopicArn: topic, Message: "stuck" }));
      await eventually(() => (endpoint.on("/hang", "Notification").length === 1 ? true : undefined));
      c.destroy();
      const started = Date.now();
      await broker.stop();
      assert.ok(Date.now() - started < 2000, `stop took ${Date.now() - started} ms`);
    } finally {
      c.destroy();
      await endpoint.stop();
    }
  });
});
