// DeliveryPolicy: validation and normalization, the retry schedule's four phases and four backoff
// functions, and the HTTP worker following that schedule on a fake clock.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../src/core/clock.js";
import { SnsError } from "../../src/core/errors.js";
import {
  DEFAULT_RETRY_POLICY,
  effectiveSubscriptionPolicy,
  normalizeSubscriptionDeliveryPolicy,
  normalizeTopicDeliveryPolicy,
  retryDelaySeconds,
  topicHttpDefaults,
  type BackoffFunction,
  type RetryPolicy,
} from "../../src/core/sns/delivery-policy.js";
import type { Poster } from "../../src/delivery/http-post.js";
import { HttpDeliveryWorker } from "../../src/delivery/http-worker.js";
import { SnsMemoryStore } from "../../src/store/sns-memory-store.js";
import type { Delivery } from "../../src/store/sns-types.js";

const policy = (backoffFunction: BackoffFunction, extra: Partial<RetryPolicy> = {}): RetryPolicy => ({
  minDelayTarget: 1,
  maxDelayTarget: 16,
  numRetries: 6,
  numNoDelayRetries: 1,
  numMinDelayRetries: 1,
  numMaxDelayRetries: 1,
  backoffFunction,
  ...extra,
});

/** Phases: 1 immediate, 1 at min, 3 backoff steps from min towards max, 1 at max. */
const schedules: Record<BackoffFunction, number[]> = {
  linear: [0, 1, 6, 11, 16, 16],
  arithmetic: [0, 1, 1 + 15 / 9, 1 + (15 * 4) / 9, 16, 16],
  geometric: [0, 1, Math.cbrt(16), Math.cbrt(256), 16, 16],
  exponential: [0, 1, 1 + 15 / 7, 1 + (15 * 3) / 7, 16, 16],
};

describe("retry schedule", () => {
  for (const [fn, expected] of Object.entries(schedules) as Array<[BackoffFunction, number[]]>) {
    test(`${fn}: ${expected.map((d) => d.toFixed(2)).join(", ")} then no more`, () => {
      const delays = expected.map((_, i) => retryDelaySeconds(policy(fn), i + 1) ?? -1);
      delays.forEach((d, i) => assert.ok(Math.abs(d - expected[i]) < 1e-9, `retry ${i + 1}: ${d} vs ${expected[i]}`));
      assert.equal(retryDelaySeconds(policy(fn), 7), undefined);
    });
  }

  test("the curves keep their order between min and max (exponential starts slowest)", () => {
    const at = (fn: BackoffFunction) => retryDelaySeconds(policy(fn, { numRetries: 12, numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0, maxDelayTarget: 60 }), 3) ?? 0;
    assert.ok(at("linear") > at("arithmetic"));
    assert.ok(at("arithmetic") > at("exponential"));
    assert.ok(at("geometric") > at("exponential"));
  });

  test("AWS's default: three retries, twenty seconds apart", () => {
    assert.deepEqual([1, 2, 3, 4].map((r) => retryDelaySeconds(DEFAULT_RETRY_POLICY, r)), [20, 20, 20, undefined]);
  });

  test("numRetries 0: no retry at all", () => {
    assert.equal(retryDelaySeconds(policy("linear", { numRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0 }), 1), undefined);
  });
});

describe("DeliveryPolicy validation and normalization", () => {
  const rejects = (fn: () => unknown, message: string) =>
    assert.throws(fn, (e: unknown) => e instanceof SnsError && e.code === "InvalidParameter" && e.message === message);

  test("subscription policies: AWS's five members, defaults filled in", () => {
    const normalized = JSON.parse(normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"numRetries":5},"requestPolicy":{"headerContentType":"text/csv"}}', false));
    assert.deepEqual(normalized, {
      healthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 5, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: "linear" },
      sicklyRetryPolicy: null,
      throttlePolicy: null,
      requestPolicy: { headerContentType: "text/csv" },
      guaranteed: false,
    });
  });

  test("errors name the field, with the Subscribe lead-in when given as an attribute map", () => {
    rejects(() => normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"minDelayTarget":0}}', true), "Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1");
    rejects(() => normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"maxDelayTarget":3601}}', false), "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600");
    rejects(() => normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":20}}', false), "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be less than or equal to maxDelayTarget");
    rejects(() => normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"numRetries":101}}', false), "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be less than or equal to 100");
    rejects(() => normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"numRetries":1,"numNoDelayRetries":2}}', false), "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries");
    rejects(() => normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"backoffFunction":"cubic"}}', false), "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.backoffFunction must be one of linear, arithmetic, geometric, exponential");
    rejects(() => normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"minDelayTarget":100,"maxDelayTarget":100,"numRetries":100}}', false), "Invalid parameter: DeliveryPolicy: healthyRetryPolicy total retry time must be less than or equal to 3600 seconds");
    rejects(() => normalizeSubscriptionDeliveryPolicy("{nope", false), "Invalid parameter: DeliveryPolicy: failed to parse JSON.");
  });

  test("topic policies are echoed with disableSubscriptionOverrides and drive the effective subscription policy", () => {
    const topic = normalizeTopicDeliveryPolicy('{"http":{"defaultRequestPolicy":{"headerContentType":"application/json"}}}', false);
    assert.deepEqual(JSON.parse(topic), { http: { disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: "application/json" } } });
    const defaults = topicHttpDefaults(topic);
    const own = normalizeSubscriptionDeliveryPolicy('{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":1,"numRetries":0}}', false);
    const effective = effectiveSubscriptionPolicy(own, defaults);
    assert.equal(effective.contentType, "application/json");
    assert.equal(effective.retry.numRetries, 0);
    const locked = topicHttpDefaults(normalizeTopicDeliveryPolicy('{"http":{"disableSubscriptionOverrides":true}}', false));
    assert.deepEqual(effectiveSubscriptionPolicy(own, locked).retry, DEFAULT_RETRY_POLICY);
  });
});

describe("the HTTP worker follows the schedule (fake clock)", () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  for (const [fn, expected] of Object.entries(schedules) as Array<[BackoffFunction, number[]]>) {
    test(`${fn}: attempts at the policy's delays, then the dead-letter hand-off`, async () => {
      const clock = new FakeClock();
      const store = new SnsMemoryStore();
      const attempts: number[] = [];
      const poster: Poster = {
        post: async () => {
          attempts.push(clock.now());
          return { status: 500 };
        },
        close: () => undefined,
      };
      const deadLettered: Delivery[] = [];
      const worker = new HttpDeliveryWorker(store, clock, poster, {
        deadLetter: (d) => {
          deadLettered.push(d);
          store.removeDelivery(d.id);
        },
        stillWanted: () => true,
      });
      const start = clock.now();
      store.addDeliveries([{ subscriptionArn: "s", kind: "Notification", endpoint: "http://x", body: "b", headers: {}, policy: JSON.stringify(policy(fn)), dueAt: start, createdAt: start }]);
      worker.start();
      await settle();
      for (const delay of expected) {
        clock.advance(Math.round(delay * 1000));
        await settle();
      }
      await settle();
      const gaps = attempts.map((t, i) => (i === 0 ? 0 : t - attempts[i - 1]));
      assert.deepEqual(gaps, [0, ...expected.map((d) => Math.round(d * 1000))]);
      assert.equal(deadLettered.length, 1);
      assert.equal(store.pendingDeliveries(), 0);
      await worker.stop();
    });
  }
});
