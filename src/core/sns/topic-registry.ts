import type { Clock } from "../clock.js";
import type { Caller } from "../identity.js";
import type { SnsStore, TopicRow } from "../../store/sns-types.js";
import { topicArn } from "./arn.js";
import { DEFAULT_RETRY_POLICY, DEFAULT_CONTENT_TYPE } from "./delivery-policy.js";
import { invalidParameter } from "./errors.js";
import { applyTopicAttributes, deriveTopicSettings, normalizeTopicAttribute } from "./topic-attributes.js";
import { isValidTopicName, topicKey, type Topic } from "./topic.js";

const FIFO_NAME_RULE =
  "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.";

/** Topic metadata, kept in memory and written through to the store. */
export class TopicRegistry {
  private byKey = new Map<string, Topic>();
  private byArnMap = new Map<string, Topic>();

  constructor(
    private readonly store: SnsStore,
    private readonly clock: Clock,
  ) {
    for (const row of store.loadTopics()) this.index(this.fromRow(row));
  }

  private fromRow(row: TopicRow): Topic {
    const topic: Topic = {
      ...row,
      arn: topicArn(row.region, row.accountId, row.name),
      deleted: false,
      http: { retry: DEFAULT_RETRY_POLICY, disableSubscriptionOverrides: false, contentType: DEFAULT_CONTENT_TYPE },
      signatureVersion: "1",
      contentBasedDeduplication: false,
    };
    deriveTopicSettings(topic);
    return topic;
  }

  private toRow(topic: Topic): TopicRow {
    const { id, region, accountId, name, fifo, attributes, tags, createdAt } = topic;
    return { id, region, accountId, name, fifo, attributes, tags, createdAt };
  }

  private index(topic: Topic): void {
    this.byKey.set(topicKey(topic.region, topic.accountId, topic.name), topic);
    this.byArnMap.set(topic.arn, topic);
  }

  byArn(arn: string): Topic | undefined {
    return this.byArnMap.get(arn);
  }

  /** The caller's topics in its region, oldest first (the order ListTopics pages in). */
  list(caller: Caller): Topic[] {
    return [...this.byArnMap.values()]
      .filter((t) => t.region === caller.region && t.accountId === caller.accountId)
      .sort((a, b) => a.id - b.id);
  }

  /**
   * CreateTopic: a new topic, or the existing one when the request repeats it. FIFO needs both the
   * .fifo suffix and FifoTopic=true; FifoTopic=false is accepted and not stored, as AWS does.
   */
  create(caller: Caller, name: string, attributes: Record<string, string>, tags: Record<string, string>): Topic {
    const { FifoTopic: fifoText, ...settable } = attributes;
    const fifo = (fifoText ?? "").toLowerCase() === "true";
    if (fifoText !== undefined && !fifo && fifoText.toLowerCase() !== "false") {
      throw invalidParameter(`Attributes Reason: FifoTopic: Invalid value [${fifoText}]. Must be true or false.`);
    }
    if (fifo && !isValidTopicName(name, true)) throw invalidParameter(FIFO_NAME_RULE);
    if (!fifo && !isValidTopicName(name, false)) throw invalidParameter("Topic Name");
    const normalized = applyTopicAttributes({}, settable, { fifo, viaMap: true });

    const existing = this.byKey.get(topicKey(caller.region, caller.accountId, name));
    if (existing) {
      for (const [key, value] of Object.entries(settable)) {
        if (existing.attributes[key] !== normalizeTopicAttribute(key, value, { fifo, viaMap: true })) {
          throw invalidParameter("Attributes Reason: Topic already exists with different attributes");
        }
      }
      for (const [key, value] of Object.entries(tags)) {
        if (existing.tags[key] !== value) throw invalidParameter("Tags Reason: Topic already exists with different tags");
      }
      return existing;
    }
    const row = {
      region: caller.region,
      accountId: caller.accountId,
      name,
      fifo,
      attributes: normalized,
      tags: { ...tags },
      createdAt: this.clock.now(),
    };
    const topic = this.fromRow({ ...row, id: this.store.insertTopic(row) });
    this.index(topic);
    return topic;
  }

  setAttribute(topic: Topic, name: string, value: string): void {
    topic.attributes = applyTopicAttributes(topic.attributes, { [name]: value }, { fifo: topic.fifo, viaMap: false });
    deriveTopicSettings(topic);
    this.store.updateTopic(this.toRow(topic));
  }

  /** Writes a Policy produced by Add/RemovePermission (already validated). */
  setPolicy(topic: Topic, policy: string): void {
    topic.attributes = { ...topic.attributes, Policy: policy };
    this.store.updateTopic(this.toRow(topic));
  }

  setTags(topic: Topic, tags: Record<string, string>): void {
    topic.tags = tags;
    this.store.updateTopic(this.toRow(topic));
  }

  delete(topic: Topic): void {
    this.store.deleteTopic(topic.id);
    topic.deleted = true;
    this.byKey.delete(topicKey(topic.region, topic.accountId, topic.name));
    this.byArnMap.delete(topic.arn);
  }
}
