/**
 * Fan-out planning: for one published message, which subscriptions receive it (confirmed, filter policy
 * matched), in what form (envelope or raw), and how: SQS targets for the atomic multi-queue enqueue,
 * HTTP/S deliveries for the durable outbox. Nothing is written here.
 */
import type { FilterableAttribute } from "../filter-policy/index.js";
import { SqsError } from "../errors.js";
import { messageSize, validateAttributes, validateBody, type MessageAttributesInput } from "../sqs/message-attributes.js";
import type { Queue } from "../sqs/queue.js";
import type { QueueRegistry } from "../sqs/queue-registry.js";
import type { SendInput } from "../sqs/sending.js";
import type { NewDelivery } from "../../store/sns-types.js";
import { effectiveSubscriptionPolicy, type EffectiveHttpPolicy } from "./delivery-policy.js";
import {
  notificationRenderer,
  signNotification,
  signNotificationAsync,
  unsubscribeUrl,
  type MessageSigner,
  type SignatureFields,
  type SnsLinks,
} from "./envelope.js";
import { envelopeAttributes, filterableAttributes, sqsAttributes, type SnsAttributes } from "./message-attributes.js";
import type { MessageContent } from "./message-structure.js";
import type { SubscriptionRegistry } from "./subscription-registry.js";
import type { Subscription } from "./subscription.js";
import type { Topic } from "./topic.js";

export interface PublishedMessage {
  topic: Topic;
  messageId: string;
  /** Milliseconds since the epoch. */
  publishedAt: number;
  subject?: string;
  content: MessageContent;
  attributes: SnsAttributes;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  traceHeader?: string;
}

export interface QueueTarget {
  queue: Queue;
  input: SendInput;
  traceHeader?: string;
}

export interface FanOutPlan {
  queues: QueueTarget[];
  deliveries: NewDelivery[];
}

/** What a subscription's dead-letter queue receives besides the body, kept with an outbox row. */
export interface DeadLetterPayload {
  attributes?: Array<[string, { Type: string; Value: string }]>;
  groupId?: string;
  dedupId?: string;
}

export function attributesFromEnvelope(attributes: DeadLetterPayload["attributes"]): MessageAttributesInput | undefined {
  if (!attributes || attributes.length === 0) return undefined;
  const out: MessageAttributesInput = {};
  for (const [name, { Type, Value }] of attributes) {
    out[name] = Type.startsWith("Binary") ? { DataType: Type, BinaryValue: Buffer.from(Value, "base64") } : { DataType: Type, StringValue: Value };
  }
  return out;
}

/** The SendMessage input for `queue`, or undefined when the queue would refuse the message. */
export function sqsInputFor(
  queue: Queue,
  body: string,
  attributes: MessageAttributesInput | undefined,
  ids: { groupId?: string; dedupId?: string; standardGroupId?: string },
): SendInput | undefined {
  if (queue.deleted || messageSize(body, attributes) > queue.settings.maximumMessageSize) return undefined;
  // SQS's own checks, run here so a message one queue refuses fails that delivery, not the Publish.
  try {
    validateBody(body);
    validateAttributes(attributes, "message");
  } catch (error) {
    if (error instanceof SqsError) return undefined;
    throw error;
  }
  const input: SendInput = { MessageBody: body, MessageAttributes: attributes };
  if (queue.fifo) {
    if (ids.groupId === undefined || ids.dedupId === undefined) return undefined;
    input.MessageGroupId = ids.groupId;
    input.MessageDeduplicationId = ids.dedupId;
  } else if (ids.standardGroupId !== undefined) {
    input.MessageGroupId = ids.standardGroupId;
  }
  return input;
}

export class FanOutPlanner {
  private policies = new WeakMap<Subscription, { key: string; policy: EffectiveHttpPolicy }>();

  constructor(
    private readonly subscriptions: SubscriptionRegistry,
    private readonly queues: QueueRegistry,
    private readonly signer: MessageSigner,
  ) {}

  /** The effective HTTP policy, recomputed only when the topic's or subscription's policy text changes. */
  httpPolicy(subscription: Subscription, topic: Topic): EffectiveHttpPolicy {
    const key = `${topic.attributes.DeliveryPolicy ?? ""}\u0000${subscription.attributes.DeliveryPolicy ?? ""}`;
    const cached = this.policies.get(subscription);
    if (cached && cached.key === key) return cached.policy;
    const policy = effectiveSubscriptionPolicy(subscription.attributes.DeliveryPolicy, topic.http);
    this.policies.set(subscription, { key, policy });
    return policy;
  }

  /**
   * Signs, off the event loop, each distinct text this message's enveloped deliveries will carry, for
   * `plan` to use. A text only a non-matching subscription would get is not signed; FIFO topics deliver
   * unsigned.
   */
  async presign(message: PublishedMessage, links: SnsLinks): Promise<Map<string, SignatureFields>> {
    const { topic } = message;
    const signatures = new Map<string, SignatureFields>();
    if (topic.fifo) return signatures;
    const texts = new Set<string>();
    for (const { subscription, text } of this.matching(message)) if (!subscription.raw) texts.add(text);
    const timestamp = new Date(message.publishedAt).toISOString();
    const signing = { signer: this.signer, version: topic.signatureVersion, certUrl: links.certUrl };
    const { messageId, subject } = message;
    await Promise.all(
      [...texts].map(async (text) => {
        const fields = { messageId, topicArn: topic.arn, subject, message: text, timestamp };
        signatures.set(text, await signNotificationAsync(fields, signing));
      }),
    );
    return signatures;
  }

  /**
   * `signatures` (from `presign`, by text) is used where it has the text; anything else, e.g. for a
   * subscription added meanwhile, is signed here.
   */
  plan(message: PublishedMessage, links: SnsLinks, signatures = new Map<string, SignatureFields>()): FanOutPlan {
    const { topic } = message;
    const plan: FanOutPlan = { queues: [], deliveries: [] };
    const timestamp = new Date(message.publishedAt).toISOString();
    const envelopeAttrs = envelopeAttributes(message.attributes);
    const renderers = new Map<string, (unsubscribeUrl: string) => string>();

    for (const { subscription, text } of this.matching(message)) {
      let body = text;
      if (!subscription.raw) {
        let render = renderers.get(text);
        if (!render) {
          const fields = {
            messageId: message.messageId,
            topicArn: topic.arn,
            subject: message.subject,
            message: text,
            timestamp,
            sequenceNumber: message.sequenceNumber,
            attributes: envelopeAttrs,
          };
          let signed: SignatureFields | undefined;
          if (!topic.fifo) {
            signed = signatures.get(text);
            if (!signed) {
              signed = signNotification(fields, { signer: this.signer, version: topic.signatureVersion, certUrl: links.certUrl });
              signatures.set(text, signed);
            }
          }
          render = notificationRenderer(fields, signed);
          renderers.set(text, render);
        }
        body = render(unsubscribeUrl(links.base, subscription.arn));
      }
      const rawAttributes = subscription.raw ? sqsAttributes(message.attributes) : undefined;
      if (subscription.protocol === "sqs") this.planQueue(plan, message, subscription, body, rawAttributes);
      else this.planHttp(plan, message, subscription, body);
    }
    return plan;
  }

  /** The confirmed subscriptions whose filter policy accepts the message, each with the text it gets. */
  private *matching(message: PublishedMessage): Generator<{ subscription: Subscription; text: string }> {
    let filterable: Record<string, FilterableAttribute> | undefined;
    for (const subscription of this.subscriptions.forTopic(message.topic.arn)) {
      if (!subscription.confirmed) continue;
      const text = message.content.forProtocol(subscription.protocol);
      if (subscription.filter) {
        filterable ??= filterableAttributes(message.attributes);
        if (!subscription.filter.matches({ attributes: filterable, body: text })) continue;
      }
      yield { subscription, text };
    }
  }

  private planQueue(
    plan: FanOutPlan,
    message: PublishedMessage,
    subscription: Subscription,
    body: string,
    attributes: MessageAttributesInput | undefined,
  ): void {
    const ids = {
      groupId: message.groupId,
      dedupId: message.dedupId,
      // Standard topics pass MessageGroupId on to standard queues (fair queues); FIFO topics do not.
      standardGroupId: message.topic.fifo ? undefined : message.groupId,
    };
    const queue = this.queues.byQueueArn(subscription.endpoint);
    const input = queue ? sqsInputFor(queue, body, attributes, ids) : undefined;
    if (queue && input) {
      plan.queues.push({ queue, input, traceHeader: message.traceHeader });
      return;
    }
    // The endpoint is gone or refuses the message: the subscription's dead-letter queue takes it, if any.
    const dlq = subscription.deadLetterArn ? this.queues.byQueueArn(subscription.deadLetterArn) : undefined;
    const dlqInput = dlq ? sqsInputFor(dlq, body, attributes, ids) : undefined;
    if (dlq && dlqInput) plan.queues.push({ queue: dlq, input: dlqInput, traceHeader: message.traceHeader });
  }

  private planHttp(plan: FanOutPlan, message: PublishedMessage, subscription: Subscription, body: string): void {
    const policy = this.httpPolicy(subscription, message.topic);
    const headers: Record<string, string> = {
      "Content-Type": policy.contentType,
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": message.messageId,
      "x-amz-sns-topic-arn": message.topic.arn,
      "x-amz-sns-subscription-arn": subscription.arn,
    };
    if (subscription.raw) headers["x-amz-sns-rawdelivery"] = "true";
    const deadLetter: DeadLetterPayload = {
      attributes: subscription.raw ? envelopeAttributes(message.attributes) : undefined,
      groupId: message.groupId,
      dedupId: message.dedupId,
    };
    plan.deliveries.push({
      subscriptionArn: subscription.arn,
      kind: "Notification",
      endpoint: subscription.endpoint,
      body,
      headers,
      policy: JSON.stringify(policy.retry),
      deadLetter: JSON.stringify(deadLetter),
      dueAt: message.publishedAt,
      createdAt: message.publishedAt,
    });
  }
}
