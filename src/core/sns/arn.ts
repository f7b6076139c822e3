import { randomUUID } from "node:crypto";
import { formatArn, type Arn } from "../identity.js";
import { invalidParameter } from "./errors.js";

/** Splits an ARN the way SNS validates it: six colon-separated elements at least, whatever they say. */
export function requireArn(value: string | undefined, parameter: string): Arn {
  const text = value ?? "";
  const parts = text.split(":");
  if (parts.length < 6) {
    throw invalidParameter(`${parameter} Reason: An ARN must have at least 6 elements, not ${parts.length}`);
  }
  const [, , service, region, accountId, ...rest] = parts;
  return { service, region, accountId, resource: rest.join(":") };
}

export function topicArn(region: string, accountId: string, name: string): string {
  return formatArn({ service: "sns", region, accountId, resource: name });
}

export function newSubscriptionArn(topic: string): string {
  return `${topic}:${randomUUID()}`;
}

/** The topic ARN a subscription ARN extends (everything before its last element). */
export function topicArnOfSubscription(subscriptionArn: string): string {
  return subscriptionArn.slice(0, subscriptionArn.lastIndexOf(":"));
}
