import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { ListSubscriptionsCommand } from "@aws-sdk/client-sns";
import { z } from "zod";
import { defineEvent, type Bus } from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { queueDepth, startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

function jobEvent(source: string) {
  return defineEvent("job.requested", { source, version: 1, context: "JOBS", schema: z.object({ n: z.number() }) });
}

describe("shutdown", () => {
  it("loses no message on SIGTERM: in-flight handlers finish, the rest wait for the next instance", async (t) => {
    const source = uniqueService("jobs");
    const service = uniqueService("workers");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    const fixture = fileURLToPath(new URL("./fixtures/sigterm-consumer.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", fixture, h.broker.endpoint, source, service], { stdio: ["ignore", "pipe", "inherit"] });
    const lines: string[] = [];
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts);
    });
    const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
    const waitFor = async (test: () => boolean, what: string): Promise<void> => {
      for (const deadline = Date.now() + 20_000; !test(); await sleep(20)) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${lines.join(" | ")}`);
    };
    await waitFor(() => lines.includes("READY"), "READY");

    const total = 40;
    await publisher.publishMany(Array.from({ length: total }, (_, n) => Job.of({ n })));
    const handledByChild = (): number[] => lines.filter((line) => line.startsWith("HANDLED ")).map((line) => Number(line.slice(8)));
    const startedByChild = (): number[] => lines.filter((line) => line.startsWith("STARTED ")).map((line) => Number(line.slice(8)));
    // Signal while handlers are running, so the drain has in-flight work to finish.
    await waitFor(() => handledByChild().length >= 4 && startedByChild().length > handledByChild().length, "handlers in flight");
    const inFlightAtSignal = startedByChild().length - handledByChild().length;
    const signalledAt = Date.now();
    child.kill("SIGTERM");
    const [code, signal] = await exit;
    const drainMs = Date.now() - signalledAt;
    assert.equal(signal ?? code, signal ? "SIGTERM" : 0, "the process ends by the signal's default action after draining");
    assert.ok(inFlightAtSignal > 0);
    assert.deepEqual(startedByChild().sort(), handledByChild().sort(), "every handler that started also finished");
    assert.ok(drainMs < 15_000, `drain took ${drainMs}ms`);

    const first = handledByChild();
    t.diagnostic(`child handled ${first.length}/${total}; ${inFlightAtSignal} in flight at SIGTERM; drain took ${drainMs}ms`);
    assert.ok(first.length < total, "the child was stopped midway");
    // With a 60 s visibility timeout, anything received and neither handled nor handed back would
    // stay hidden far longer than this test waits for it.
    const rest = new Set<number>();
    const second: Bus = await h.bus({ service });
    second.consume("slow-job", { events: [Job], concurrency: 16 }, (event) => void rest.add(event.data.n));
    await second.start();
    const spy = spyOn(second);
    await spy.waitUntil(() => first.length + rest.size >= total, { timeoutMs: 15_000, description: `all ${total} messages` });
    await sleep(300);
    const all = new Set([...first, ...rest]);
    assert.equal(all.size, total, "every message handled");
    assert.deepEqual(first.filter((n) => rest.has(n)), [], "nothing handled twice");
    assert.deepEqual(await queueDepth(h.sqs, await h.queueUrl(`${service}-slow-job`)), { visible: 0, inFlight: 0 });
  });

  it("gives each instance its own queue, so all see every event, and deletes it on shutdown", async () => {
    const teams = uniqueService("teams");
    const cache = uniqueService("transfers");
    const TeamCreated = defineEvent("team.created", { source: teams, version: 1, context: "LEAGUE", schema: z.object({ teamId: z.string(), name: z.string() }) });
    const publisher = await h.bus({ service: teams });
    const instances = await Promise.all(["a1", "b2", "c3"].map((instanceId) => h.bus({ service: cache, instanceId })));
    const caches = instances.map(() => new Map<string, string>());
    instances.forEach((bus, index) =>
      bus.consume("refresh-team-cache", { events: [TeamCreated], perInstance: true }, (event) => void caches[index]!.set(event.data.teamId, event.data.name)),
    );
    await Promise.all(instances.map((bus) => bus.start()));
    const queues = async (): Promise<string[]> =>
      ((await h.sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${cache}-refresh-team-cache` }))).QueueUrls ?? []).map((url) => url.slice(url.lastIndexOf("/") + 1)).sort();
    assert.deepEqual(await queues(), [`${cache}-refresh-team-cache-a1`, `${cache}-refresh-team-cache-b2`, `${cache}-refresh-team-cache-c3`, `${cache}-refresh-team-cache-dlq`]);

    const spy = spyOn(...instances);
    await publisher.publish(TeamCreated, { teamId: "t1", name: "Rovers" });
    await spy.waitUntil((s) => s.handled().length === 3);
    for (const map of caches) assert.equal(map.get("t1"), "Rovers");

    await Promise.all(instances.map((bus) => bus.stop()));
    assert.deepEqual(await queues(), [`${cache}-refresh-team-cache-dlq`], "per-instance queues deleted, the shared DLQ kept");
    const subscriptions = (await h.sns.send(new ListSubscriptionsCommand({}))).Subscriptions ?? [];
    assert.deepEqual(subscriptions.filter((subscription) => subscription.Endpoint?.includes(`${cache}-refresh-team-cache-`)), []);
  });

  it("stop() waits for running handlers and leaves unreceived messages on the queue", async () => {
    const source = uniqueService("jobs");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("drain") });
    const spy = spyOn(consumer);
    let finished = 0;
    let started = 0;
    consumer.consume("drain-job", { events: [Job], concurrency: 2, visibilityTimeout: 60 }, async () => {
      started += 1;
      await sleep(800);
      finished += 1;
    });
    await consumer.start();
    await publisher.publishMany(Array.from({ length: 6 }, (_, n) => Job.of({ n })));
    await spy.waitUntil(() => started >= 2);
    await consumer.stop();
    assert.equal(finished, started, "every started handler finished before stop() resolved");
    const depth = await queueDepth(h.sqs, await h.queueUrl(`${consumer.service}-drain-job`));
    assert.deepEqual(depth, { visible: 6 - finished, inFlight: 0 });
  });

  it("hands back messages that a poll in progress brings after stop() was called", async () => {
    const source = uniqueService("jobs");
    const Job = jobEvent(source);
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("late") });
    const spy = spyOn(consumer);
    let calls = 0;
    consumer.consume("late-job", { events: [Job], waitTimeSeconds: 3, visibilityTimeout: 60 }, () => void (calls += 1));
    await consumer.start();
    await sleep(300);
    const stopped = consumer.stop();
    await publisher.publishMany([Job.of({ n: 1 }), Job.of({ n: 2 }), Job.of({ n: 3 })]);
    await stopped;
    assert.equal(calls, 0);
    const handedBack = spy.activities.reduce((sum, activity) => sum + (activity.type === "handed-back" ? activity.count : 0), 0);
    assert.equal(handedBack, 3);
    assert.deepEqual(await queueDepth(h.sqs, await h.queueUrl(`${consumer.service}-late-job`)), { visible: 3, inFlight: 0 });
  });
});
