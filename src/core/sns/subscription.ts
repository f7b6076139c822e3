import type { CompiledFilterPolicy, FilterPolicyScope } from "../filter-policy/index.js";

export type DeliveryProtocol = "sqs" | "http" | "https";

/** A subscription as the broker keeps it in memory; the filter policy is compiled once per change. */
export interface Subscription {
  seq: number;
  arn: string;
  topicArn: string;
  region: string;
  /** The subscriber's account (Owner). */
  accountId: string;
  protocol: DeliveryProtocol;
  endpoint: string;
  /** Settable attributes, normalized. */
  attributes: Record<string, string>;
  confirmed: boolean;
  authenticated: boolean;
  token?: string;
  authenticateOnUnsubscribe: boolean;
  createdAt: number;
  deleted: boolean;
  /** Derived from the attributes. */
  raw: boolean;
  filter?: CompiledFilterPolicy;
  filterScope: FilterPolicyScope;
  deadLetterArn?: string;
}

/** Every protocol name SNS knows; anything else is refused with AWS's wording. */
export const KNOWN_PROTOCOLS = new Set(["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]);
export const DELIVERABLE_PROTOCOLS = new Set<string>(["sqs", "http", "https"]);
