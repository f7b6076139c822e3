/**
 * HTTP/S delivery policies: validation and normalization of the DeliveryPolicy attributes (topic and
 * subscription forms), the effective policy, and the retry schedule.
 *
 * The schedule has AWS's four phases: numNoDelayRetries immediate retries, numMinDelayRetries at
 * minDelayTarget, the backoff phase (the remaining retries, from minDelayTarget towards maxDelayTarget by
 * the backoff function), then numMaxDelayRetries at maxDelayTarget. AWS documents the phases but not the
 * backoff formulas, only a chart of their shapes; the curves below reach maxDelayTarget on the last
 * backoff retry: linear (straight), arithmetic (quadratic), geometric (constant ratio min→max) and
 * exponential (doubling steps). AWS also adds jitter; Sluice does not, so schedules are reproducible.
 */
import { invalidAttribute } from "./errors.js";

export type BackoffFunction = "linear" | "arithmetic" | "geometric" | "exponential";
const BACKOFF_FUNCTIONS: readonly BackoffFunction[] = ["linear", "arithmetic", "geometric", "exponential"];

export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numMaxDelayRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  backoffFunction: BackoffFunction;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: "linear",
};

export const DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8";
const MAX_DELAY_TARGET = 3600;
const MAX_RETRIES = 100;
const MAX_TOTAL_SECONDS = 3600;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Thrown with the reason only; callers add "DeliveryPolicy: " and the action's lead-in. */
class PolicyProblem extends Error {}

function parse(text: string): JsonObject {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    throw new PolicyProblem("failed to parse JSON.");
  }
  if (!isObject(value)) throw new PolicyProblem("failed to parse JSON.");
  return value;
}

function integer(obj: JsonObject, key: string, path: string, fallback: number): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new PolicyProblem(`${path}.${key} must be an integer`);
  return v;
}

/** A complete retry policy from a (possibly partial) JSON object, validated like AWS validates it. */
export function readRetryPolicy(obj: JsonObject, path: string): RetryPolicy {
  const policy: RetryPolicy = {
    minDelayTarget: integer(obj, "minDelayTarget", path, DEFAULT_RETRY_POLICY.minDelayTarget),
    maxDelayTarget: integer(obj, "maxDelayTarget", path, DEFAULT_RETRY_POLICY.maxDelayTarget),
    numRetries: integer(obj, "numRetries", path, DEFAULT_RETRY_POLICY.numRetries),
    numMaxDelayRetries: integer(obj, "numMaxDelayRetries", path, 0),
    numNoDelayRetries: integer(obj, "numNoDelayRetries", path, 0),
    numMinDelayRetries: integer(obj, "numMinDelayRetries", path, 0),
    backoffFunction: "linear",
  };
  const fn = obj.backoffFunction;
  if (fn !== undefined && fn !== null) {
    if (typeof fn !== "string" || !BACKOFF_FUNCTIONS.includes(fn as BackoffFunction)) {
      throw new PolicyProblem(`${path}.backoffFunction must be one of ${BACKOFF_FUNCTIONS.join(", ")}`);
    }
    policy.backoffFunction = fn as BackoffFunction;
  }
  if (policy.minDelayTarget < 1) throw new PolicyProblem(`${path}.minDelayTarget must be greater than or equal to 1`);
  if (policy.maxDelayTarget > MAX_DELAY_TARGET) {
    throw new PolicyProblem(`${path}.maxDelayTarget must be less than or equal to ${MAX_DELAY_TARGET}`);
  }
  if (policy.minDelayTarget > policy.maxDelayTarget) {
    throw new PolicyProblem(`${path}.minDelayTarget must be less than or equal to maxDelayTarget`);
  }
  for (const key of ["numRetries", "numMaxDelayRetries", "numNoDelayRetries", "numMinDelayRetries"] as const) {
    if (policy[key] < 0) throw new PolicyProblem(`${path}.${key} must be greater than or equal to 0`);
  }
  if (policy.numRetries > MAX_RETRIES) {
    throw new PolicyProblem(`${path}.numRetries must be less than or equal to ${MAX_RETRIES}`);
  }
  if (policy.numNoDelayRetries + policy.numMinDelayRetries + policy.numMaxDelayRetries > policy.numRetries) {
    throw new PolicyProblem(
      `${path}.numRetries must be greater than or equal to the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries`,
    );
  }
  if (totalRetrySeconds(policy) > MAX_TOTAL_SECONDS) {
    throw new PolicyProblem(`${path} total retry time must be less than or equal to ${MAX_TOTAL_SECONDS} seconds`);
  }
  return policy;
}

function backoffSeconds(policy: RetryPolicy, step: number, steps: number): number {
  const { minDelayTarget: min, maxDelayTarget: max } = policy;
  const t = step / steps;
  switch (policy.backoffFunction) {
    case "linear":
      return min + (max - min) * t;
    case "arithmetic":
      return min + (max - min) * t * t;
    case "geometric":
      return min * Math.pow(max / min, t);
    case "exponential":
      return min + ((max - min) * (Math.pow(2, step) - 1)) / (Math.pow(2, steps) - 1);
  }
}

/** Seconds to wait before retry number `retry` (1-based), or undefined once the retries are used up. */
export function retryDelaySeconds(policy: RetryPolicy, retry: number): number | undefined {
  if (retry < 1 || retry > policy.numRetries) return undefined;
  let n = retry;
  if (n <= policy.numNoDelayRetries) return 0;
  n -= policy.numNoDelayRetries;
  if (n <= policy.numMinDelayRetries) return policy.minDelayTarget;
  n -= policy.numMinDelayRetries;
  const backoff = policy.numRetries - policy.numNoDelayRetries - policy.numMinDelayRetries - policy.numMaxDelayRetries;
  if (n <= backoff) return backoffSeconds(policy, n, backoff);
  return policy.maxDelayTarget;
}

export function totalRetrySeconds(policy: RetryPolicy): number {
  let total = 0;
  for (let retry = 1; retry <= policy.numRetries; retry++) total += retryDelaySeconds(policy, retry) ?? 0;
  return total;
}

function fullPolicy(policy: RetryPolicy): JsonObject {
  return { ...policy };
}

function problemToError(error: unknown, viaMap: boolean): never {
  if (error instanceof PolicyProblem) throw invalidAttribute(`DeliveryPolicy: ${error.message}`, viaMap);
  throw error;
}

export interface TopicHttpDefaults {
  retry: RetryPolicy;
  throttle?: Json;
  disableSubscriptionOverrides: boolean;
  contentType: string;
}

/** Validates a topic DeliveryPolicy and returns it in the form GetTopicAttributes echoes. */
export function normalizeTopicDeliveryPolicy(text: string, viaMap: boolean): string {
  try {
    const doc = parse(text);
    const out: JsonObject = {};
    for (const [protocol, value] of Object.entries(doc)) {
      if (!isObject(value)) throw new PolicyProblem(`${protocol} must be an object`);
      const http: JsonObject = {};
      if (value.defaultHealthyRetryPolicy !== undefined && value.defaultHealthyRetryPolicy !== null) {
        const given = value.defaultHealthyRetryPolicy;
        if (!isObject(given)) throw new PolicyProblem(`${protocol}.defaultHealthyRetryPolicy must be an object`);
        readRetryPolicy(given, `${protocol}.defaultHealthyRetryPolicy`);
        http.defaultHealthyRetryPolicy = given;
      }
      if (value.sicklyRetryPolicy !== undefined) http.sicklyRetryPolicy = value.sicklyRetryPolicy;
      if (value.defaultThrottlePolicy !== undefined) http.defaultThrottlePolicy = value.defaultThrottlePolicy;
      http.disableSubscriptionOverrides = value.disableSubscriptionOverrides === true;
      if (isObject(value.defaultRequestPolicy)) http.defaultRequestPolicy = value.defaultRequestPolicy;
      out[protocol] = http;
    }
    return JSON.stringify(out);
  } catch (error) {
    return problemToError(error, viaMap);
  }
}

export function topicHttpDefaults(normalized: string | undefined): TopicHttpDefaults {
  const http = normalized ? (JSON.parse(normalized) as JsonObject).http : undefined;
  if (!isObject(http)) return { retry: DEFAULT_RETRY_POLICY, disableSubscriptionOverrides: false, contentType: DEFAULT_CONTENT_TYPE };
  const retry = isObject(http.defaultHealthyRetryPolicy)
    ? readRetryPolicy(http.defaultHealthyRetryPolicy, "http.defaultHealthyRetryPolicy")
    : DEFAULT_RETRY_POLICY;
  const request = http.defaultRequestPolicy;
  const contentType = isObject(request) && typeof request.headerContentType === "string" ? request.headerContentType : DEFAULT_CONTENT_TYPE;
  return { retry, throttle: http.defaultThrottlePolicy, disableSubscriptionOverrides: http.disableSubscriptionOverrides === true, contentType };
}

export function renderEffectiveTopicPolicy(defaults: TopicHttpDefaults): string {
  const http: JsonObject = { defaultHealthyRetryPolicy: fullPolicy(defaults.retry) };
  if (defaults.throttle !== undefined) http.defaultThrottlePolicy = defaults.throttle;
  http.disableSubscriptionOverrides = defaults.disableSubscriptionOverrides;
  http.defaultRequestPolicy = { headerContentType: defaults.contentType };
  return JSON.stringify({ http });
}

/** Validates a subscription DeliveryPolicy; returns AWS's normalized form (all five members present). */
export function normalizeSubscriptionDeliveryPolicy(text: string, viaMap: boolean): string {
  try {
    const doc = parse(text);
    const healthy = doc.healthyRetryPolicy;
    if (healthy !== undefined && healthy !== null && !isObject(healthy)) {
      throw new PolicyProblem("healthyRetryPolicy must be an object");
    }
    const request = doc.requestPolicy;
    if (request !== undefined && request !== null && !isObject(request)) throw new PolicyProblem("requestPolicy must be an object");
    return JSON.stringify({
      healthyRetryPolicy: isObject(healthy) ? fullPolicy(readRetryPolicy(healthy, "healthyRetryPolicy")) : null,
      sicklyRetryPolicy: doc.sicklyRetryPolicy ?? null,
      throttlePolicy: doc.throttlePolicy ?? null,
      requestPolicy: isObject(request) ? request : null,
      guaranteed: doc.guaranteed === true,
    });
  } catch (error) {
    return problemToError(error, viaMap);
  }
}

export interface EffectiveHttpPolicy {
  retry: RetryPolicy;
  contentType: string;
  /** The EffectiveDeliveryPolicy attribute. */
  rendered: string;
}

/** The policy a subscription's deliveries follow: its own settings unless the topic forbids overrides. */
export function effectiveSubscriptionPolicy(subscriptionPolicy: string | undefined, topic: TopicHttpDefaults): EffectiveHttpPolicy {
  const own = subscriptionPolicy && !topic.disableSubscriptionOverrides ? (JSON.parse(subscriptionPolicy) as JsonObject) : {};
  const retry = isObject(own.healthyRetryPolicy) ? readRetryPolicy(own.healthyRetryPolicy, "healthyRetryPolicy") : topic.retry;
  const request = isObject(own.requestPolicy) ? own.requestPolicy : { headerContentType: topic.contentType };
  const contentType = typeof request.headerContentType === "string" ? request.headerContentType : topic.contentType;
  const rendered = JSON.stringify({
    healthyRetryPolicy: fullPolicy(retry),
    sicklyRetryPolicy: own.sicklyRetryPolicy ?? null,
    throttlePolicy: own.throttlePolicy ?? topic.throttle ?? null,
    requestPolicy: request,
    guaranteed: own.guaranteed === true,
  });
  return { retry, contentType, rendered };
}
