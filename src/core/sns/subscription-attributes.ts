/** Subscription attributes: validation and normalization, filter compilation, and GetSubscriptionAttributes. */
import { compileFilterPolicy, FilterPolicyError, type CompiledFilterPolicy, type FilterPolicyScope } from "../filter-policy/index.js";
import { parseArn } from "../identity.js";
import { effectiveSubscriptionPolicy, normalizeSubscriptionDeliveryPolicy, type TopicHttpDefaults } from "./delivery-policy.js";
import { invalidAttribute } from "./errors.js";
import type { Subscription } from "./subscription.js";

const SETTABLE = new Set(["DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn"]);

export interface SubscriptionAttributeContext {
  endpoint: string;
  topicFifo: boolean;
  /** Subscribe passes an Attributes map; SetSubscriptionAttributes a single name and value. */
  viaMap: boolean;
}

function normalizeRedrivePolicy(value: string, ctx: SubscriptionAttributeContext): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidAttribute("RedrivePolicy: failed to parse JSON.", ctx.viaMap);
  }
  const target = typeof parsed === "object" && parsed !== null ? (parsed as { deadLetterTargetArn?: unknown }).deadLetterTargetArn : undefined;
  const arn = typeof target === "string" ? parseArn(target) : undefined;
  if (!arn || typeof target !== "string") throw invalidAttribute("RedrivePolicy: deadLetterTargetArn is an invalid arn", ctx.viaMap);
  if (ctx.topicFifo && ctx.endpoint.endsWith(".fifo") && (arn.service !== "sqs" || !arn.resource.endsWith(".fifo"))) {
    throw invalidAttribute("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.", ctx.viaMap);
  }
  return JSON.stringify({ deadLetterTargetArn: target });
}

/** The stored form of one attribute; undefined removes it (empty values clear the optional ones). */
export function normalizeSubscriptionAttribute(name: string, value: string, ctx: SubscriptionAttributeContext): string | undefined {
  if (!SETTABLE.has(name)) throw invalidAttribute("AttributeName", ctx.viaMap);
  switch (name) {
    case "RawMessageDelivery": {
      const lower = value.toLowerCase();
      if (lower !== "true" && lower !== "false") {
        throw invalidAttribute(`RawMessageDelivery: Invalid value [${value}]. Must be true or false.`, ctx.viaMap);
      }
      return lower;
    }
    case "FilterPolicyScope":
      if (value !== "MessageAttributes" && value !== "MessageBody") {
        throw invalidAttribute(
          `FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`,
          ctx.viaMap,
        );
      }
      return value;
    case "RedrivePolicy":
      return value === "" ? undefined : normalizeRedrivePolicy(value, ctx);
    case "DeliveryPolicy":
      return value === "" ? undefined : normalizeSubscriptionDeliveryPolicy(value, ctx.viaMap);
    default:
      return value === "" ? undefined : value;
  }
}

export interface AppliedAttributes {
  attributes: Record<string, string>;
  filter?: CompiledFilterPolicy;
}

function compile(policy: string, scope: FilterPolicyScope, viaMap: boolean): CompiledFilterPolicy {
  try {
    return compileFilterPolicy(policy, scope);
  } catch (error) {
    if (!(error instanceof FilterPolicyError)) throw error;
    const reason = error.message.startsWith("Filter policy scope") ? error.message : `FilterPolicy: ${error.message}`;
    throw invalidAttribute(reason, viaMap);
  }
}

/** Validates `changes` against `current`; the filter policy is compiled here, once per change. */
export function applySubscriptionAttributes(
  current: Record<string, string>,
  changes: Record<string, string>,
  ctx: SubscriptionAttributeContext,
): AppliedAttributes {
  const next = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    const normalized = normalizeSubscriptionAttribute(name, value, ctx);
    if (normalized === undefined) delete next[name];
    else next[name] = normalized;
  }
  const policy = next.FilterPolicy;
  const filter = policy === undefined ? undefined : compile(policy, filterScopeOf(next), ctx.viaMap);
  return { attributes: next, filter };
}

export function filterScopeOf(attributes: Record<string, string>): FilterPolicyScope {
  return attributes.FilterPolicyScope === "MessageBody" ? "MessageBody" : "MessageAttributes";
}

/** Refreshes what deliveries read from the attributes. */
export function deriveSubscriptionSettings(subscription: Subscription, filter: CompiledFilterPolicy | undefined): void {
  const attributes = subscription.attributes;
  subscription.raw = attributes.RawMessageDelivery === "true";
  subscription.filter = filter;
  subscription.filterScope = filterScopeOf(attributes);
  subscription.deadLetterArn = attributes.RedrivePolicy
    ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn: string }).deadLetterTargetArn
    : undefined;
}

/** GetSubscriptionAttributes. */
export function renderSubscriptionAttributes(subscription: Subscription, topicHttp: TopicHttpDefaults | undefined): Record<string, string> {
  const { FilterPolicy, FilterPolicyScope: _scope, RawMessageDelivery, DeliveryPolicy, ...rest } = subscription.attributes;
  const out: Record<string, string> = {
    ConfirmationWasAuthenticated: String(subscription.authenticated),
    Endpoint: subscription.endpoint,
    Owner: subscription.accountId,
    PendingConfirmation: String(!subscription.confirmed),
    Protocol: subscription.protocol,
    RawMessageDelivery: RawMessageDelivery ?? "false",
    SubscriptionArn: subscription.arn,
    SubscriptionPrincipal: `arn:aws:iam::${subscription.accountId}:root`,
    TopicArn: subscription.topicArn,
  };
  if (FilterPolicy !== undefined) {
    out.FilterPolicy = FilterPolicy;
    out.FilterPolicyScope = subscription.filterScope;
  }
  if (DeliveryPolicy !== undefined) out.DeliveryPolicy = DeliveryPolicy;
  if (subscription.protocol !== "sqs" && topicHttp) {
    out.EffectiveDeliveryPolicy = effectiveSubscriptionPolicy(DeliveryPolicy, topicHttp).rendered;
  }
  for (const [name, value] of Object.entries(rest)) out[name] = value;
  return out;
}
