/**
 * Subscribe, ConfirmSubscription, Unsubscribe and subscription attributes. SQS subscriptions are confirmed
 * at once; HTTP/S ones get a signed SubscriptionConfirmation through the outbox, written in the same
 * transaction as the subscription, and wait for ConfirmSubscription (API call or SubscribeURL).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { SnsError } from "../errors.js";
import type { Caller } from "../identity.js";
import { parseArn } from "../identity.js";
import type { Store } from "../../store/types.js";
import type { NewDelivery, SnsStore } from "../../store/sns-types.js";
import { newSubscriptionArn, requireArn } from "./arn.js";
import { DEFAULT_CONTENT_TYPE } from "./delivery-policy.js";
import {
  confirmationText,
  renderConfirmation,
  subscribeUrl,
  unsubscribeText,
  type MessageSigner,
  type SnsLinks,
} from "./envelope.js";
import { invalidParameter, notAuthorized, subscriptionNotFound } from "./errors.js";
import type { FanOutPlanner } from "./fan-out.js";
import { applySubscriptionAttributes, normalizeSubscriptionAttribute } from "./subscription-attributes.js";
import type { SubscriptionRegistry } from "./subscription-registry.js";
import { DELIVERABLE_PROTOCOLS, KNOWN_PROTOCOLS, type DeliveryProtocol, type Subscription } from "./subscription.js";
import type { Topic } from "./topic.js";

export interface SubscriberContext {
  caller: Caller;
  links: SnsLinks;
  /** Whether the request was signed (SubscribeURL and UnsubscribeURL visits are not). */
  authenticated: boolean;
}

export interface SubscribeInput {
  Protocol?: string;
  Endpoint?: string;
  Attributes?: Record<string, string>;
  ReturnSubscriptionArn?: boolean;
}

const PENDING = "pending confirmation";
const TOKEN = /^[0-9a-f]+$/i;

export class Subscribing {
  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly sqsStore: Store,
    private readonly snsStore: SnsStore,
    private readonly clock: Clock,
    private readonly signer: MessageSigner,
    private readonly planner: FanOutPlanner,
    private readonly onDeliveries: () => void,
  ) {}

  private validateEndpoint(topic: Topic, protocol: DeliveryProtocol, endpoint: string): void {
    if (protocol === "sqs") {
      const arn = parseArn(endpoint);
      if (!arn || arn.service !== "sqs" || arn.resource === "") throw invalidParameter("SQS endpoint ARN");
      if (!topic.fifo && arn.resource.endsWith(".fifo")) {
        throw invalidParameter("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
      }
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== `${protocol}:` || !endpoint.toLowerCase().startsWith(`${protocol}://`)) {
      throw invalidParameter("Endpoint must match the specified protocol");
    }
    if (topic.fifo) throw invalidParameter(`Endpoint Reason: FIFO topics only deliver to sqs endpoints, not ${protocol}`);
  }

  subscribe(ctx: SubscriberContext, topic: Topic, input: SubscribeInput): string {
    const protocol = input.Protocol ?? "";
    if (!KNOWN_PROTOCOLS.has(protocol)) throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
    if (!DELIVERABLE_PROTOCOLS.has(protocol)) {
      throw invalidParameter(`Protocol Reason: Sluice does not deliver to ${protocol} endpoints (supported: sqs, http, https)`);
    }
    const deliverable = protocol as DeliveryProtocol;
    const endpoint = input.Endpoint ?? "";
    this.validateEndpoint(topic, deliverable, endpoint);
    const attributes = input.Attributes ?? {};
    const ctxAttributes = { endpoint, topicFifo: topic.fifo, viaMap: true };
    const applied = applySubscriptionAttributes({}, attributes, ctxAttributes);

    const existing = this.registry.find(topic.arn, deliverable, endpoint);
    if (existing) {
      for (const [name, value] of Object.entries(attributes)) {
        const wanted = normalizeSubscriptionAttribute(name, value, ctxAttributes);
        const current = existing.attributes[name] ?? (name === "RawMessageDelivery" ? "false" : name === "FilterPolicyScope" ? "MessageAttributes" : undefined);
        if (wanted !== current) throw invalidParameter("Attributes Reason: Subscription already exists with different attributes");
      }
      if (existing.confirmed) return existing.arn;
      this.sendConfirmation(ctx.links, topic, existing);
      return input.ReturnSubscriptionArn ? existing.arn : PENDING;
    }

    const http = deliverable !== "sqs";
    const row = {
      arn: newSubscriptionArn(topic.arn),
      topicArn: topic.arn,
      region: topic.region,
      accountId: ctx.caller.accountId,
      protocol: deliverable,
      endpoint,
      attributes: applied.attributes,
      confirmed: !http,
      authenticated: !http,
      token: http ? newToken() : undefined,
      authenticateOnUnsubscribe: false,
      createdAt: this.clock.now(),
    };
    if (!http) return this.registry.create(row, applied.filter).arn;
    const subscription = this.sqsStore.transaction(() => {
      const created = this.registry.create(row, applied.filter);
      this.snsStore.addDeliveries([this.confirmationDelivery(ctx.links, topic, created, "SubscriptionConfirmation", row.token ?? "")]);
      return created;
    });
    this.onDeliveries();
    return input.ReturnSubscriptionArn ? subscription.arn : PENDING;
  }

  private sendConfirmation(links: SnsLinks, topic: Topic, subscription: Subscription): void {
    const token = subscription.token ?? newToken();
    this.sqsStore.transaction(() => {
      if (subscription.token !== token) this.registry.setToken(subscription, token);
      this.snsStore.addDeliveries([this.confirmationDelivery(links, topic, subscription, "SubscriptionConfirmation", token)]);
    });
    this.onDeliveries();
  }

  private confirmationDelivery(
    links: SnsLinks,
    topic: Topic,
    subscription: Subscription,
    type: "SubscriptionConfirmation" | "UnsubscribeConfirmation",
    token: string,
  ): NewDelivery {
    const now = this.clock.now();
    const messageId = randomUUID();
    const body = renderConfirmation(
      {
        type,
        messageId,
        token,
        topicArn: topic.arn,
        message: type === "SubscriptionConfirmation" ? confirmationText(topic.arn) : unsubscribeText(subscription.arn),
        subscribeUrl: subscribeUrl(links.base, topic.arn, token),
        timestamp: new Date(now).toISOString(),
      },
      { signer: this.signer, version: topic.signatureVersion, certUrl: links.certUrl },
    );
    const headers: Record<string, string> = {
      "Content-Type": DEFAULT_CONTENT_TYPE,
      "x-amz-sns-message-type": type,
      "x-amz-sns-message-id": messageId,
      "x-amz-sns-topic-arn": topic.arn,
    };
    if (type === "UnsubscribeConfirmation") headers["x-amz-sns-subscription-arn"] = subscription.arn;
    return {
      subscriptionArn: subscription.arn,
      kind: type,
      endpoint: subscription.endpoint,
      body,
      headers,
      policy: JSON.stringify(this.planner.httpPolicy(subscription, topic).retry),
      dueAt: now,
      createdAt: now,
    };
  }

  confirm(ctx: SubscriberContext, topicArnText: string | undefined, token: string | undefined, authenticateOnUnsubscribe: string | undefined): string {
    let topicArn: string;
    try {
      requireArn(topicArnText, "TopicArn");
      topicArn = topicArnText ?? "";
    } catch {
      throw invalidParameter("Topic");
    }
    const text = token ?? "";
    if (!TOKEN.test(text)) throw new SnsError("InvalidParameter", "Invalid token");
    const subscription = this.registry.byToken(text);
    if (!subscription) throw invalidParameter("Token");
    if (subscription.topicArn !== topicArn) throw invalidParameter("Topic");
    if (!subscription.confirmed) {
      this.registry.confirm(subscription, ctx.authenticated, (authenticateOnUnsubscribe ?? "").toLowerCase() === "true");
    }
    return subscription.arn;
  }

  /** Unsubscribe: idempotent; HTTP/S endpoints are told with an UnsubscribeConfirmation. */
  unsubscribe(ctx: SubscriberContext, arnText: string | undefined, topicOf: (arn: string) => Topic | undefined): void {
    if (arnText === undefined || arnText === "") throw invalidParameter("SubscriptionArn Reason: no value for required parameter");
    requireArn(arnText, "SubscriptionArn");
    if (arnText.split(":").length === 6) throw invalidParameter("SubscriptionId");
    const subscription = this.registry.get(arnText);
    if (!subscription) return;
    const topic = topicOf(subscription.topicArn);
    if (ctx.authenticated) {
      const owners = [subscription.accountId, topic?.accountId];
      if (!owners.includes(ctx.caller.accountId)) throw notAuthorized(ctx.caller.accountId, "Unsubscribe", subscription.arn);
    } else if (subscription.authenticateOnUnsubscribe) {
      throw notAuthorized(ctx.caller.accountId, "Unsubscribe", subscription.arn);
    }
    const notify = subscription.protocol !== "sqs" && subscription.confirmed && topic !== undefined;
    this.sqsStore.transaction(() => {
      this.registry.delete(subscription);
      if (notify && topic) {
        this.snsStore.addDeliveries([this.confirmationDelivery(ctx.links, topic, subscription, "UnsubscribeConfirmation", newToken())]);
      }
    });
    if (notify) this.onDeliveries();
  }

  get(arnText: string | undefined): Subscription {
    requireArn(arnText, "SubscriptionArn");
    const subscription = arnText === undefined ? undefined : this.registry.get(arnText);
    if (!subscription) throw subscriptionNotFound();
    return subscription;
  }

  setAttribute(caller: Caller, subscription: Subscription, topic: Topic | undefined, name: string, value: string): void {
    if (caller.accountId !== subscription.accountId && caller.accountId !== topic?.accountId) {
      throw notAuthorized(caller.accountId, "SetSubscriptionAttributes", subscription.arn);
    }
    const applied = applySubscriptionAttributes(subscription.attributes, { [name]: value }, {
      endpoint: subscription.endpoint,
      topicFifo: topic?.fifo ?? false,
      viaMap: false,
    });
    this.registry.setAttributes(subscription, applied.attributes, applied.filter);
  }
}

/** Confirmation tokens: long random hex, like AWS's. */
function newToken(): string {
  return randomBytes(64).toString("hex");
}
