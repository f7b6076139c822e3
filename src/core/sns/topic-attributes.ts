/** Topic attributes: which may be set, how values are validated and normalized, and what Get returns. */
import { invalidAttribute, invalidParameter } from "./errors.js";
import { normalizeTopicDeliveryPolicy, renderEffectiveTopicPolicy, topicHttpDefaults } from "./delivery-policy.js";
import { defaultTopicPolicy, validatePolicy } from "./topic-policy.js";
import type { Topic } from "./topic.js";

const FEEDBACK_PROTOCOLS = ["HTTP", "Application", "Firehose", "Lambda", "SQS"];
const FEEDBACK_ATTRIBUTES = FEEDBACK_PROTOCOLS.flatMap((p) => [
  `${p}SuccessFeedbackRoleArn`,
  `${p}SuccessFeedbackSampleRate`,
  `${p}FailureFeedbackRoleArn`,
]);

const SETTABLE = new Set([
  "DeliveryPolicy",
  "DisplayName",
  "Policy",
  "KmsMasterKeyId",
  "SignatureVersion",
  "TracingConfig",
  ...FEEDBACK_ATTRIBUTES,
]);
const FIFO_ONLY = new Set(["ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy"]);

export interface AttributeContext {
  fifo: boolean;
  /** CreateTopic passes an Attributes map; SetTopicAttributes a single name and value. */
  viaMap: boolean;
}

function booleanText(name: string, value: string, viaMap: boolean): string {
  const lower = value.toLowerCase();
  if (lower !== "true" && lower !== "false") {
    throw invalidAttribute(`${name}: Invalid value [${value}]. Must be true or false.`, viaMap);
  }
  return lower;
}

/**
 * The stored form of one attribute; undefined means the attribute is removed (an empty value clears
 * the optional ones). Throws AWS's InvalidParameter for names and values it refuses.
 */
export function normalizeTopicAttribute(name: string, value: string, ctx: AttributeContext): string | undefined {
  if (FIFO_ONLY.has(name)) {
    if (!ctx.fifo) throw invalidAttribute(`${name}: is only supported for FIFO topics`, ctx.viaMap);
  } else if (!SETTABLE.has(name)) {
    throw invalidParameter("AttributeName");
  }
  switch (name) {
    case "DisplayName":
      if (value.length > 100) throw invalidAttribute("DisplayName: must be at most 100 characters long", ctx.viaMap);
      return value;
    case "Policy":
      if (value === "") return undefined;
      validatePolicy(value);
      return value;
    case "DeliveryPolicy":
      return value === "" ? undefined : normalizeTopicDeliveryPolicy(value, ctx.viaMap);
    case "SignatureVersion":
      if (value !== "1" && value !== "2") throw invalidAttribute(`SignatureVersion: Invalid value [${value}]. Must be 1 or 2.`, ctx.viaMap);
      return value;
    case "TracingConfig":
      if (value !== "Active" && value !== "PassThrough") {
        throw invalidAttribute(`TracingConfig: Invalid value [${value}]. Must be Active or PassThrough.`, ctx.viaMap);
      }
      return value;
    case "ContentBasedDeduplication":
      return booleanText(name, value, ctx.viaMap);
    case "FifoThroughputScope":
      if (value !== "Topic" && value !== "MessageGroup") {
        throw invalidAttribute(`FifoThroughputScope: Invalid value [${value}]. Must be Topic or MessageGroup.`, ctx.viaMap);
      }
      return value;
    default:
      return value === "" ? undefined : value;
  }
}

/** Attributes after applying `changes` to `current`, every change validated first. */
export function applyTopicAttributes(
  current: Record<string, string>,
  changes: Record<string, string>,
  ctx: AttributeContext,
): Record<string, string> {
  const next = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    const normalized = normalizeTopicAttribute(name, value, ctx);
    if (normalized === undefined) delete next[name];
    else next[name] = normalized;
  }
  return next;
}

/** Recomputes what deliveries read from the attributes, once per change rather than per message. */
export function deriveTopicSettings(topic: Topic): void {
  topic.http = topicHttpDefaults(topic.attributes.DeliveryPolicy);
  topic.signatureVersion = topic.attributes.SignatureVersion === "2" ? "2" : "1";
  topic.contentBasedDeduplication = topic.attributes.ContentBasedDeduplication === "true";
}

export interface SubscriptionCounts {
  confirmed: number;
  pending: number;
}

/** GetTopicAttributes: every default plus what was set. */
export function renderTopicAttributes(topic: Topic, counts: SubscriptionCounts): Record<string, string> {
  const { Policy, DisplayName, ...rest } = topic.attributes;
  const out: Record<string, string> = {
    Policy: Policy ?? defaultTopicPolicy(topic.arn, topic.accountId),
    Owner: topic.accountId,
    SubscriptionsPending: String(counts.pending),
    TopicArn: topic.arn,
    EffectiveDeliveryPolicy: renderEffectiveTopicPolicy(topic.http),
    SubscriptionsConfirmed: String(counts.confirmed),
    DisplayName: DisplayName ?? "",
    SubscriptionsDeleted: "0",
  };
  if (topic.fifo) {
    out.FifoTopic = "true";
    out.ContentBasedDeduplication = topic.contentBasedDeduplication ? "true" : "false";
  }
  for (const [name, value] of Object.entries(rest)) out[name] = value;
  return out;
}
