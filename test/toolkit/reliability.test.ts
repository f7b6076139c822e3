import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineEvent, uuidv7 } from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { queueDepth, startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

function jobEvent(source: string) {
  return defineEvent("job.requested", { source, version: 1, context: "JOBS", schema: z.object({ n: z.number() }) });
}

describe("consumer reliability", () => {
  it("runs more than 10 handlers at once when concurrency allows", async (t) => {
    const source = uniqueService("jobs");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("workers") });
    const spy = spyOn(consumer);
    let running = 0;
    let peak = 0;
    consumer.consume("run-job", { events: [Job], concurrency: 32 }, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(700);
      running -= 1;
    });
    await consumer.start();
    await publisher.publishMany(Array.from({ length: 64 }, (_, n) => Job.of({ n })));
    await spy.waitUntil((s) => s.handled().length === 64, { timeoutMs: 20_000 });
    t.diagnostic(`peak concurrency ${peak} of 32`);
    assert.ok(peak > 10, `peak concurrency was ${peak}`);
    assert.ok(peak <= 32, `peak concurrency ${peak} exceeded the limit`);
  });

  it("keeps a slow message invisible with a heartbeat instead of letting it be delivered twice", async () => {
    const source = uniqueService("jobs");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    // Idempotency off: a second delivery would reach the handler, so only the heartbeat prevents it.
    const consumer = await h.bus({ service: uniqueService("slow"), idempotency: false });
    const spy = spyOn(consumer);
    const calls: number[] = [];
    consumer.consume("slow-job", { events: [Job], visibilityTimeout: 2, heartbeatSeconds: 0.5, concurrency: 4 }, async (_event, ctx) => {
      calls.push(ctx.receiveCount);
      await sleep(5000);
    });
    await consumer.start();
    await publisher.publish(Job, { n: 1 });
    const handled = await spy.waitForHandled(Job, { timeoutMs: 15_000 });
    assert.deepEqual(calls, [1]);
    assert.equal(handled.receiveCount, 1);
    assert.ok(handled.durationMs >= 4900);
    await sleep(500);
    assert.deepEqual(calls, [1]);
  });

  it("retries with growing delays through ChangeMessageVisibility, keeping SQS's receive count", async () => {
    const source = uniqueService("jobs");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("flaky") });
    const spy = spyOn(consumer);
    const attempts: Array<{ at: number; receiveCount: number }> = [];
    consumer.consume(
      "flaky-job",
      { events: [Job], maxReceiveCount: 6, backoff: { initialSeconds: 1, multiplier: 2, jitter: false } },
      async (_event, ctx) => {
        attempts.push({ at: Date.now(), receiveCount: ctx.receiveCount });
        if (attempts.length < 4) throw new Error(`attempt ${attempts.length} fails`);
      },
    );
    await consumer.start();
    await publisher.publish(Job, { n: 1 });
    await spy.waitForHandled(Job, { timeoutMs: 20_000 });
    assert.deepEqual(attempts.map((attempt) => attempt.receiveCount), [1, 2, 3, 4]);
    const retries = spy.activities.filter((activity) => activity.type === "retried");
    assert.deepEqual(retries.map((activity) => activity.type === "retried" && activity.delaySeconds), [1, 2, 4]);
    const gaps = attempts.slice(1).map((attempt, index) => (attempt.at - attempts[index]!.at) / 1000);
    assert.ok(gaps[0]! >= 0.9 && gaps[1]! >= 1.9 && gaps[2]! >= 3.9, `gaps ${gaps.join(", ")}`);
    assert.ok(gaps[0]! < gaps[1]! && gaps[1]! < gaps[2]!, `gaps ${gaps.join(", ")}`);
  });

  it("acknowledges each message of a batch on its own: failures are retried, successes are not", async () => {
    const source = uniqueService("jobs");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("partial"), idempotency: false });
    const spy = spyOn(consumer);
    const calls = new Map<number, number>();
    consumer.consume("partial-job", { events: [Job], backoff: { initialSeconds: 1, jitter: false } }, async (event, ctx) => {
      calls.set(event.data.n, (calls.get(event.data.n) ?? 0) + 1);
      if (event.data.n % 3 === 0 && ctx.receiveCount === 1) throw new Error("fails the first time");
    });
    await consumer.start();
    await publisher.publishMany(Array.from({ length: 10 }, (_, n) => Job.of({ n })));
    await spy.waitUntil((s) => s.handled().length === 10, { timeoutMs: 15_000 });
    await sleep(1500);
    for (let n = 0; n < 10; n += 1) assert.equal(calls.get(n), n % 3 === 0 ? 2 : 1, `message ${n}`);
    assert.deepEqual(await queueDepth(h.sqs, await h.queueUrl(`${consumer.service}-partial-job`)), { visible: 0, inFlight: 0 });
  });

  it("handles a duplicate eventId once, whether the copies arrive together or one after the other", async () => {
    const source = uniqueService("jobs");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("dedupe") });
    const spy = spyOn(consumer);
    const handledIds: string[] = [];
    consumer.consume("dedupe-job", { events: [Job], concurrency: 10, visibilityTimeout: 2 }, async (event) => {
      handledIds.push(event.eventId);
      await sleep(300);
    });
    await consumer.start();
    const eventId = uuidv7();
    // Two copies at once: both may be in flight together; the idempotency lease lets one through.
    await Promise.all([publisher.publish(Job, { n: 1 }, { eventId }), publisher.publish(Job, { n: 1 }, { eventId })]);
    await spy.waitUntil((s) => s.activities.some((a) => a.type === "duplicate" && a.state === "completed"), { timeoutMs: 15_000 });
    // A third copy, long after the first was handled.
    await publisher.publish(Job, { n: 1 }, { eventId });
    await spy.waitUntil((s) => s.activities.filter((a) => a.type === "duplicate" && a.state === "completed").length >= 2, { timeoutMs: 15_000 });
    assert.deepEqual(handledIds, [eventId]);
    assert.equal(spy.handled().length, 1);
  });
});
