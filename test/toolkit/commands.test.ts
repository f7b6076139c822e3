import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { defineCommand } from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

function awardPoints(target: string) {
  return defineCommand("users.award-points", {
    target,
    version: 1,
    context: "LOYALTY",
    schema: z.object({ userId: z.string(), seq: z.number().int(), points: z.number().int() }),
    groupBy: (command) => command.userId,
  });
}

describe("commands", () => {
  it("goes to the target's FIFO command queue: ordered per entity, parallel across entities", async () => {
    const users = uniqueService("users");
    const Award = awardPoints(users);
    const handler = await h.bus({ service: users });
    const sender = await h.bus({ service: uniqueService("orders"), sendsCommandsTo: [users] });
    const spy = spyOn(handler);
    const order = new Map<string, number[]>();
    let running = 0;
    let peak = 0;
    const commands = handler.commands({ concurrency: 10 }).on(Award, async (command, ctx) => {
      running += 1;
      peak = Math.max(peak, running);
      assert.equal(command.kind, "command");
      assert.equal(ctx.queue, `${users}-async-commands.fifo`);
      await sleep(150);
      order.set(command.data.userId, [...(order.get(command.data.userId) ?? []), command.data.seq]);
      running -= 1;
    });
    assert.equal(commands.queue, `${users}-async-commands.fifo`);
    assert.equal(commands.deadLetterQueue, `${users}-async-commands-dlq.fifo`);
    await handler.start();
    const plan = await sender.start();
    assert.ok(plan.steps.some((step) => step.resource === "dependency" && step.name === `${users}-async-commands.fifo` && step.change === "unchanged"));
    for (let seq = 1; seq <= 5; seq += 1) {
      for (const userId of ["alice", "bob", "carol"]) await sender.send(Award, { userId, seq, points: 10 });
    }
    await spy.waitUntil((s) => s.handled().length === 15, { timeoutMs: 20_000 });
    for (const userId of ["alice", "bob", "carol"]) assert.deepEqual(order.get(userId), [1, 2, 3, 4, 5], userId);
    assert.ok(peak >= 2, `groups ran one at a time (peak ${peak})`);
    const url = await h.queueUrl(`${users}-async-commands.fifo`);
    const attrs = (await h.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["FifoQueue", "RedrivePolicy"] }))).Attributes!;
    assert.equal(attrs["FifoQueue"], "true");
    assert.match(attrs["RedrivePolicy"]!, /async-commands-dlq\.fifo/);
  });

  it("keeps a group's order when one of its commands fails and is retried", async () => {
    const users = uniqueService("users");
    const Award = awardPoints(users);
    const handler = await h.bus({ service: users });
    const sender = await h.bus({ service: uniqueService("orders") });
    const spy = spyOn(handler);
    const seen: number[] = [];
    handler.commands({ backoff: { initialSeconds: 1, jitter: false } }).on(Award, (command, ctx) => {
      if (command.data.seq === 2 && ctx.receiveCount === 1) throw new Error("transient");
      seen.push(command.data.seq);
    });
    await handler.start();
    for (let seq = 1; seq <= 4; seq += 1) await sender.send(Award, { userId: "dave", seq, points: 1 });
    await spy.waitUntil((s) => s.handled().length === 4, { timeoutMs: 20_000 });
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it("deduplicates: the same command sent twice is handled once", async () => {
    const users = uniqueService("users");
    const Award = awardPoints(users);
    const sender = await h.bus({ service: uniqueService("orders") });
    const setup = await h.bus({ service: users });
    setup.commands().on(Award, () => {});
    await setup.start();
    await setup.stop();
    // Sent while the handler is down, so the copies meet in the queue (see support.ts on moto).
    await sender.send(Award, { userId: "erin", seq: 1, points: 5 });
    await sender.send(Award, { points: 5, seq: 1, userId: "erin" });
    await sender.send(Award, { userId: "erin", seq: 1, points: 5 }, { deduplicationId: "explicitly-new" });
    // Idempotency off, so only the FIFO queue's deduplication can keep the second copy out.
    const handler = await h.bus({ service: users, idempotency: false });
    const spy = spyOn(handler);
    let calls = 0;
    handler.commands().on(Award, () => void (calls += 1));
    await handler.start();
    await spy.waitUntil((s) => s.handled().length === 2);
    await sleep(1500);
    assert.equal(calls, 2);
  });

  it("refuses to send to a service that has no command queue yet, and refuses to handle others' commands", async () => {
    const ghost = uniqueService("ghost");
    const sender = await h.bus({ service: uniqueService("orders") });
    await assert.rejects(sender.send(awardPoints(ghost), { userId: "x", seq: 1, points: 1 }), /does not exist/);
    assert.throws(() => sender.commands().on(awardPoints(ghost), () => {}), /handled by/);
  });
});
