/**
 * Publish and PublishBatch: validation in AWS's order and wording, FIFO topic rules (group, topic-level
 * dedup, sequence numbers), then one store transaction that enqueues to every matching queue and writes
 * the HTTP/S outbox rows. Once this returns, every delivery is committed.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { SnsError } from "../errors.js";
import type { Caller } from "../identity.js";
import type { MessageService } from "../sqs/message-service.js";
import { sequenceBatch } from "../sqs/fifo-batch.js";
import type { Store } from "../../store/types.js";
// The store sweeps by the same window, so both take it from the store's contract.
import { DEDUP_WINDOW_MS, type SnsStore } from "../../store/sns-types.js";
import type { SnsLinks } from "./envelope.js";
import { invalidParameter, nullValue } from "./errors.js";
import type { FanOutPlan, FanOutPlanner, PublishedMessage } from "./fan-out.js";
import { publishSize, validateSnsAttributes, type SnsAttributeInput, type SnsAttributes } from "./message-attributes.js";
import { parseMessageStructure, type MessageContent } from "./message-structure.js";
import type { Topic } from "./topic.js";

export interface PublishEntry {
  Message?: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, SnsAttributeInput>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface PublishOutput {
  MessageId: string;
  SequenceNumber?: string;
}

export interface PublishContext {
  links: SnsLinks;
  /** X-Amzn-Trace-Id of the request; becomes AWSTraceHeader of the SQS messages. */
  traceHeader?: string;
}

const MAX_MESSAGE_BYTES = 262144;
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const SUBJECT_FORBIDDEN = /[\u0000-\u001f\u007f]/;
/** The SenderId AWS stamps on messages SNS delivers to SQS. */
export const SNS_SENDER = "AIDAIT2UOQQY3AUEKVGXU";

interface Prepared {
  subject?: string;
  content: MessageContent;
  attributes: SnsAttributes;
  groupId?: string;
  dedupId?: string;
  dedupKey?: string;
  size: number;
}

/** What can be checked before the topic is known. */
export type PreparedBody = Pick<Prepared, "subject" | "attributes" | "size">;

function checkFifoId(name: string, value: string): void {
  if (!FIFO_ID.test(value)) {
    throw invalidParameter(`${name} Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
}

export class Publisher {
  constructor(
    private readonly sqsStore: Store,
    private readonly snsStore: SnsStore,
    private readonly clock: Clock,
    private readonly planner: FanOutPlanner,
    private readonly messages: MessageService,
    private readonly onDeliveries: () => void,
  ) {}

  /** Subject, message and attributes, in AWS's order of checks. */
  prepareBody(entry: PublishEntry, attributePath: string): PreparedBody {
    if (entry.Subject !== undefined && (entry.Subject === "" || entry.Subject.length > 100 || SUBJECT_FORBIDDEN.test(entry.Subject))) {
      throw invalidParameter("Subject");
    }
    if (entry.Message === undefined) throw nullValue(attributePath.replace(/messageAttributes$/, "message"));
    if (entry.Message === "") throw invalidParameter("Empty message");
    const attributes = validateSnsAttributes(entry.MessageAttributes, attributePath);
    return { subject: entry.Subject, attributes, size: publishSize(entry.Message, attributes) };
  }

  /** The topic-dependent rules: FIFO group and dedup, MessageStructure. */
  prepareForTopic(entry: PublishEntry, topic: Topic, base: PreparedBody): Prepared {
    const message = entry.Message ?? "";
    const groupId = entry.MessageGroupId;
    const dedupId = entry.MessageDeduplicationId;
    if (groupId !== undefined) checkFifoId("MessageGroupId", groupId);
    let dedup: string | undefined;
    if (topic.fifo) {
      if (groupId === undefined) throw invalidParameter("The MessageGroupId parameter is required for FIFO topics");
      if (dedupId !== undefined) checkFifoId("MessageDeduplicationId", dedupId);
      else if (!topic.contentBasedDeduplication) {
        throw invalidParameter(
          "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        );
      }
      dedup = dedupId ?? createHash("sha256").update(message, "utf8").digest("hex");
    } else if (dedupId !== undefined) {
      throw invalidParameter(
        "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
      );
    }
    const content = parseMessageStructure(message, entry.MessageStructure);
    const perGroup = topic.attributes.FifoThroughputScope === "MessageGroup";
    const dedupKey = dedup === undefined ? undefined : perGroup ? `${groupId}\u0000${dedup}` : dedup;
    return { subject: base.subject, attributes: base.attributes, size: base.size, content, groupId, dedupId: dedup, dedupKey };
  }

  /** Everything is validated before the first await, so a refused message has no effects. */
  async publish(topic: Topic, entry: PublishEntry, base: PreparedBody, ctx: PublishContext): Promise<PublishOutput> {
    if (base.size > MAX_MESSAGE_BYTES) throw invalidParameter("Message too long");
    const prepared = this.prepareForTopic(entry, topic, base);
    const outputs = topic.fifo ? this.commitFifo(topic, [prepared], ctx) : await this.commitStandard(topic, [prepared], ctx);
    return outputs[0];
  }

  async publishBatch(
    topic: Topic,
    entries: readonly PublishEntry[],
    bases: readonly PreparedBody[],
    ctx: PublishContext,
  ): Promise<PublishOutput[]> {
    const prepared = entries.map((entry, i) => this.prepareForTopic(entry, topic, bases[i]));
    const total = prepared.reduce((sum, p) => sum + p.size, 0);
    if (total > MAX_MESSAGE_BYTES) {
      throw new SnsError("BatchRequestTooLong", "The length of all the messages put together is more than the limit.");
    }
    return topic.fifo ? this.commitFifo(topic, prepared, ctx) : this.commitStandard(topic, prepared, ctx);
  }

  private publishedMessage(topic: Topic, p: Prepared, now: number, ctx: PublishContext, sequenceNumber?: string): PublishedMessage {
    return {
      topic,
      messageId: randomUUID(),
      publishedAt: now,
      subject: p.subject,
      content: p.content,
      attributes: p.attributes,
      groupId: p.groupId,
      dedupId: p.dedupId,
      sequenceNumber,
      traceHeader: ctx.traceHeader,
    };
  }

  /**
   * Standard topics: the signatures are made on the thread pool first, then the queue enqueues and outbox
   * rows of all messages land in one store transaction (the deliver call's), or none do. Planning reads
   * the subscriptions as they are after signing.
   */
  private async commitStandard(topic: Topic, prepared: readonly Prepared[], ctx: PublishContext): Promise<PublishOutput[]> {
    const now = this.clock.now();
    const messages = prepared.map((p) => this.publishedMessage(topic, p, now, ctx));
    const signatures = await Promise.all(messages.map((m) => this.planner.presign(m, ctx.links)));
    const plan: FanOutPlan = { queues: [], deliveries: [] };
    // A topic deleted while its message was being signed has no subscriptions left to deliver to.
    if (!topic.deleted) {
      messages.forEach((message, i) => {
        const planned = this.planner.plan(message, ctx.links, signatures[i]);
        plan.queues.push(...planned.queues);
        plan.deliveries.push(...planned.deliveries);
      });
    }
    if (plan.queues.length > 0 || plan.deliveries.length > 0) {
      const caller: Caller = { accountId: topic.accountId, region: topic.region, accessKeyId: SNS_SENDER };
      this.messages.deliver(caller, plan.queues, () => this.snsStore.addDeliveries(plan.deliveries));
    }
    if (plan.deliveries.length > 0) this.onDeliveries();
    return messages.map((m) => ({ MessageId: m.messageId }));
  }

  /**
   * One transaction for all messages: FIFO dedup lookups and sequence numbers, queue enqueues and outbox
   * rows either all land or none do. A duplicate within the dedup window returns the first message's ids.
   */
  private commitFifo(topic: Topic, prepared: readonly Prepared[], ctx: PublishContext): PublishOutput[] {
    const now = this.clock.now();
    const caller: Caller = { accountId: topic.accountId, region: topic.region, accessKeyId: SNS_SENDER };
    let deliveries = 0;
    const outputs = this.sqsStore.transaction(() => {
      const plan: FanOutPlan = { queues: [], deliveries: [] };
      const origins = sequenceBatch(
        prepared.map((p) => p.dedupKey),
        (key) => this.snsStore.findTopicDedup(topic.id, key, now),
        (count) => this.snsStore.nextTopicSequence(topic.id, count),
      );
      const results: PublishOutput[] = [];
      origins.forEach((origin, i) => {
        if (origin.kind === "repeat") results.push(results[origin.of]);
        else if (origin.kind === "stored") results.push({ MessageId: origin.entry.messageId, SequenceNumber: origin.entry.sequenceNumber });
        else {
          const message = this.publishedMessage(topic, prepared[i], now, ctx, origin.sequenceNumber);
          // FIFO topics deliver unsigned, so planning here signs nothing.
          const planned = this.planner.plan(message, ctx.links);
          plan.queues.push(...planned.queues);
          plan.deliveries.push(...planned.deliveries);
          results.push({ MessageId: message.messageId, SequenceNumber: origin.sequenceNumber });
        }
      });
      this.messages.deliver(caller, plan.queues, () => {
        this.snsStore.addDeliveries(plan.deliveries);
        // Recorded only once the enqueue has succeeded.
        origins.forEach((origin, i) => {
          const key = prepared[i].dedupKey;
          if (origin.kind !== "new" || key === undefined) return;
          this.snsStore.recordTopicDedup(topic.id, key, { messageId: results[i].MessageId, sequenceNumber: results[i].SequenceNumber }, now + DEDUP_WINDOW_MS);
        });
      });
      deliveries = plan.deliveries.length;
      return results;
    });
    if (deliveries > 0) this.onDeliveries();
    return outputs;
  }
}
