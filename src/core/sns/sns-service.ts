import type { Clock } from "../clock.js";
import { SnsError } from "../errors.js";
import type { Caller } from "../identity.js";
import type { SqsService } from "../sqs/sqs-service.js";
import type { Store } from "../../store/types.js";
import type { Delivery, SnsStore } from "../../store/sns-types.js";
import { resolveTopic } from "./access.js";
import { requireArn } from "./arn.js";
import type { MessageSigner } from "./envelope.js";
import { invalidParameter, notAuthorized, resourceNotFound } from "./errors.js";
import { attributesFromEnvelope, FanOutPlanner, sqsInputFor, type DeadLetterPayload } from "./fan-out.js";
import { pageByKey } from "./paging.js";
import { Publisher, SNS_SENDER, type PublishContext, type PublishEntry, type PublishOutput } from "./publish.js";
import { renderSubscriptionAttributes } from "./subscription-attributes.js";
import { SubscriptionRegistry } from "./subscription-registry.js";
import { Subscribing, type SubscribeInput, type SubscriberContext } from "./subscribing.js";
import type { Subscription } from "./subscription.js";
import { renderTopicAttributes } from "./topic-attributes.js";
import { defaultTopicPolicy, policyWithoutPermission, policyWithPermission } from "./topic-policy.js";
import { TopicRegistry } from "./topic-registry.js";
import type { Topic } from "./topic.js";

export interface SnsRequestContext extends SubscriberContext, PublishContext {}

export interface Tag {
  Key?: string;
  Value?: string;
}

export interface SubscriptionSummary {
  SubscriptionArn: string;
  Owner: string;
  Protocol: string;
  Endpoint: string;
  TopicArn: string;
}

const MAX_TAGS = 50;

/** Every SNS action, on typed input; protocols, transports and the HTTP worker live elsewhere. */
export class SnsService {
  readonly topics: TopicRegistry;
  readonly subscriptions: SubscriptionRegistry;
  private readonly planner: FanOutPlanner;
  private readonly publisher: Publisher;
  private readonly subscribing: Subscribing;
  private deliveryListeners: Array<() => void> = [];

  constructor(
    private readonly sqs: SqsService,
    private readonly sqsStore: Store,
    private readonly snsStore: SnsStore,
    clock: Clock,
    signer: MessageSigner,
  ) {
    this.topics = new TopicRegistry(snsStore, clock);
    this.subscriptions = new SubscriptionRegistry(snsStore);
    this.planner = new FanOutPlanner(this.subscriptions, sqs.registry, signer);
    const notify = () => this.deliveryListeners.forEach((fn) => fn());
    this.publisher = new Publisher(sqsStore, snsStore, clock, this.planner, sqs.messages, notify);
    this.subscribing = new Subscribing(this.subscriptions, sqsStore, snsStore, clock, signer, this.planner, notify);
  }

  /** Called whenever new HTTP/S deliveries were committed (the worker's wake-up). */
  onDeliveries(listener: () => void): void {
    this.deliveryListeners.push(listener);
  }

  private topic(caller: Caller, arn: string | undefined, action: string): Topic {
    return resolveTopic(this.topics, caller, arn, "TopicArn", action);
  }

  createTopic(caller: Caller, name: string | undefined, attributes: Record<string, string> = {}, tags: Tag[] = [], dataProtection?: string): Topic {
    if (dataProtection !== undefined) {
      throw invalidParameter("DataProtectionPolicy Reason: data protection policies are not supported by Sluice");
    }
    return this.topics.create(caller, name ?? "", attributes, this.tagMap(tags));
  }

  deleteTopic(caller: Caller, arnText: string | undefined): void {
    const arn = requireArn(arnText, "TopicArn");
    if (arn.region !== caller.region) throw invalidParameter("TopicArn");
    const topic = arnText === undefined ? undefined : this.topics.byArn(arnText);
    if (!topic) return;
    this.topic(caller, arnText, "DeleteTopic");
    this.sqsStore.transaction(() => {
      for (const subscription of [...this.subscriptions.forTopic(topic.arn)]) this.subscriptions.delete(subscription);
      this.topics.delete(topic);
    });
  }

  getTopicAttributes(caller: Caller, arn: string | undefined): Record<string, string> {
    const topic = this.topic(caller, arn, "GetTopicAttributes");
    return renderTopicAttributes(topic, this.subscriptions.counts(topic.arn));
  }

  setTopicAttributes(caller: Caller, arn: string | undefined, name: string | undefined, value: string | undefined): void {
    const topic = this.topic(caller, arn, "SetTopicAttributes");
    this.topics.setAttribute(topic, name ?? "", value ?? "");
  }

  listTopics(caller: Caller, nextToken: string | undefined): { topics: Topic[]; nextToken?: string } {
    const page = pageByKey(this.topics.list(caller), (t) => t.id, nextToken);
    return { topics: page.items, nextToken: page.nextToken };
  }

  addPermission(caller: Caller, arn: string | undefined, label: string | undefined, accounts: string[] = [], actions: string[] = []): void {
    const topic = this.topic(caller, arn, "AddPermission");
    const policy = topic.attributes.Policy ?? defaultTopicPolicy(topic.arn, topic.accountId);
    this.topics.setPolicy(topic, policyWithPermission(policy, topic.arn, label ?? "", accounts, actions));
  }

  removePermission(caller: Caller, arn: string | undefined, label: string | undefined): void {
    const topic = this.topic(caller, arn, "RemovePermission");
    const policy = topic.attributes.Policy ?? defaultTopicPolicy(topic.arn, topic.accountId);
    this.topics.setPolicy(topic, policyWithoutPermission(policy, label ?? ""));
  }

  // Subscriptions

  subscribe(ctx: SnsRequestContext, topicArn: string | undefined, input: SubscribeInput): string {
    return this.subscribing.subscribe(ctx, this.topic(ctx.caller, topicArn, "Subscribe"), input);
  }

  confirmSubscription(ctx: SnsRequestContext, topicArn: string | undefined, token: string | undefined, authOnUnsubscribe?: string): string {
    return this.subscribing.confirm(ctx, topicArn, token, authOnUnsubscribe);
  }

  unsubscribe(ctx: SnsRequestContext, arn: string | undefined): void {
    this.subscribing.unsubscribe(ctx, arn, (topicArn) => this.topics.byArn(topicArn));
  }

  getSubscriptionAttributes(caller: Caller, arn: string | undefined): Record<string, string> {
    const subscription = this.subscribing.get(arn);
    const topic = this.topics.byArn(subscription.topicArn);
    if (caller.accountId !== subscription.accountId && caller.accountId !== topic?.accountId) {
      throw notAuthorized(caller.accountId, "GetSubscriptionAttributes", subscription.arn);
    }
    return renderSubscriptionAttributes(subscription, topic?.http);
  }

  setSubscriptionAttributes(caller: Caller, arn: string | undefined, name: string | undefined, value: string | undefined): void {
    const subscription = this.subscribing.get(arn);
    this.subscribing.setAttribute(caller, subscription, this.topics.byArn(subscription.topicArn), name ?? "", value ?? "");
  }

  private summaries(subscriptions: Subscription[], nextToken: string | undefined) {
    const page = pageByKey(subscriptions, (s) => s.seq, nextToken);
    const items: SubscriptionSummary[] = page.items.map((s) => ({
      SubscriptionArn: s.confirmed ? s.arn : "PendingConfirmation",
      Owner: s.accountId,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: s.topicArn,
    }));
    return { subscriptions: items, nextToken: page.nextToken };
  }

  listSubscriptions(caller: Caller, nextToken: string | undefined) {
    return this.summaries(this.subscriptions.listOwned(caller.region, caller.accountId), nextToken);
  }

  listSubscriptionsByTopic(caller: Caller, topicArn: string | undefined, nextToken: string | undefined) {
    const topic = this.topic(caller, topicArn, "ListSubscriptionsByTopic");
    return this.summaries([...this.subscriptions.forTopic(topic.arn)], nextToken);
  }

  // Publishing

  /** Settles once the deliveries are written; a refused message writes nothing. */
  async publish(ctx: SnsRequestContext, input: PublishEntry & { TopicArn?: string; TargetArn?: string; PhoneNumber?: string }): Promise<PublishOutput> {
    if (input.PhoneNumber !== undefined) throw unsupported("Publishing to phone numbers (SMS)");
    if (input.TargetArn !== undefined && input.TargetArn.includes(":endpoint/")) throw unsupported("Publishing to mobile push endpoints");
    const base = this.publisher.prepareBody(input, "messageAttributes");
    const parameter = input.TopicArn !== undefined ? "TopicArn" : "TargetArn";
    const arn = input.TopicArn ?? input.TargetArn;
    if (arn === undefined) throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
    const topic = resolveTopic(this.topics, ctx.caller, arn, parameter, "Publish");
    return this.publisher.publish(topic, input, base, ctx);
  }

  async publishBatch(ctx: SnsRequestContext, topicArn: string | undefined, entries: Array<PublishEntry & { Id?: string }> = []) {
    if (entries.length === 0) throw new SnsError("EmptyBatchRequest", "The batch request doesn't contain any entries.");
    if (entries.length > 10) throw new SnsError("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.");
    const topic = this.topic(ctx.caller, topicArn, "Publish");
    const ids = entries.map((e) => e.Id ?? "");
    if (new Set(ids).size !== ids.length) throw new SnsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
    for (const id of ids) {
      if (id.length > 80) throw new SnsError("InvalidBatchEntryId", `The Id of a batch entry in the batch request is too long: ${id}`);
      if (!/^[A-Za-z0-9_-]+$/.test(id)) {
        throw new SnsError("InvalidBatchEntryId", `The Id of a batch entry in the batch request contains an impermissible character: ${id}`);
      }
    }
    const bases = entries.map((entry, i) =>
      this.publisher.prepareBody(entry, `publishBatchRequestEntries.${i + 1}.member.messageAttributes`),
    );
    const outputs = await this.publisher.publishBatch(topic, entries, bases, ctx);
    return outputs.map((output, i) => ({ Id: ids[i], ...output }));
  }

  /**
   * After the last retry an HTTP/S delivery goes to the subscription's dead-letter queue (atomically with
   * removing it from the outbox), or is dropped when there is none or the queue refuses it.
   */
  deadLetter(delivery: Delivery): void {
    const subscription = this.subscriptions.get(delivery.subscriptionArn);
    const queue = subscription?.deadLetterArn ? this.sqs.registry.byQueueArn(subscription.deadLetterArn) : undefined;
    const payload = delivery.deadLetter ? (JSON.parse(delivery.deadLetter) as DeadLetterPayload) : undefined;
    const input =
      queue && payload && delivery.kind === "Notification"
        ? sqsInputFor(queue, delivery.body, attributesFromEnvelope(payload.attributes), { groupId: payload.groupId, dedupId: payload.dedupId })
        : undefined;
    if (!queue || !input) {
      this.snsStore.removeDelivery(delivery.id);
      return;
    }
    const caller: Caller = { accountId: queue.accountId, region: queue.region, accessKeyId: SNS_SENDER };
    this.sqs.messages.deliver(caller, [{ queue, input }], () => this.snsStore.removeDelivery(delivery.id));
  }

  /** Whether an outbox row should still be attempted (notifications stop when the subscription is gone). */
  stillWanted(delivery: Delivery): boolean {
    if (delivery.kind === "UnsubscribeConfirmation") return true;
    const subscription = this.subscriptions.get(delivery.subscriptionArn);
    return subscription !== undefined && (delivery.kind === "SubscriptionConfirmation" || subscription.confirmed);
  }

  // Tags

  private tagMap(tags: Tag[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const tag of tags) {
      const key = tag.Key ?? "";
      if (key in out) throw invalidParameter("Duplicated keys are not allowed.");
      if (key.length < 1 || key.length > 128) throw invalidParameter("Tags Reason: Tag keys must be between 1 and 128 characters in length.");
      if ((tag.Value ?? "").length > 256) throw invalidParameter("Tags Reason: Tag values may only be up to 256 characters in length.");
      out[key] = tag.Value ?? "";
    }
    if (Object.keys(out).length > MAX_TAGS) throw tagLimit();
    return out;
  }

  private taggable(caller: Caller, arnText: string | undefined): Topic {
    const arn = requireArn(arnText, "ResourceArn");
    const topic = arnText === undefined ? undefined : this.topics.byArn(arnText);
    if (!topic || arn.region !== caller.region) throw resourceNotFound();
    if (topic.accountId !== caller.accountId) throw notAuthorized(caller.accountId, "TagResource", topic.arn);
    return topic;
  }

  tagResource(caller: Caller, arn: string | undefined, tags: Tag[] = []): void {
    const topic = this.taggable(caller, arn);
    const next = { ...topic.tags, ...this.tagMap(tags) };
    if (Object.keys(next).length > MAX_TAGS) throw tagLimit();
    this.topics.setTags(topic, next);
  }

  untagResource(caller: Caller, arn: string | undefined, keys: string[] = []): void {
    const topic = this.taggable(caller, arn);
    const next = { ...topic.tags };
    for (const key of keys) delete next[key];
    this.topics.setTags(topic, next);
  }

  listTagsForResource(caller: Caller, arn: string | undefined): Array<{ Key: string; Value: string }> {
    const topic = this.taggable(caller, arn);
    return Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value }));
  }
}

function tagLimit(): SnsError {
  return new SnsError("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
}

export function unsupported(what: string): SnsError {
  return new SnsError("InvalidAction", `${what} is not supported by Sluice: SMS, mobile push and data protection are out of scope.`);
}
