import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { defineEvent, jsonLogger, type LogRecord } from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

describe("structured logs", () => {
  it("writes one JSON line per handled, retried and dead-lettered event, with eventId and traceId", async () => {
    const source = uniqueService("jobs");
    const Job = defineEvent("job.requested", { source, version: 1, context: "JOBS", schema: z.object({ n: z.number() }) });
    const lines: string[] = [];
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("logged"), logger: jsonLogger({ write: (line) => void lines.push(line) }) });
    const spy = spyOn(consumer);
    const handle = consumer.consume("job", { events: [Job], backoff: { initialSeconds: 0 } }, (event, ctx) => {
      ctx.log("info", "working", { n: event.data.n });
      if (event.data.n === 2 && ctx.receiveCount === 1) throw new Error("first try fails");
    });
    await consumer.start();
    const one = await publisher.publish(Job, { n: 1 });
    const two = await publisher.publish(Job, { n: 2 });
    await h.sqs.send(new SendMessageCommand({ QueueUrl: await h.queueUrl(handle.queue), MessageBody: "{}" }));
    await spy.waitUntil((s) => s.handled().length === 2 && s.deadLettered().length === 1);

    const records = lines.map((line) => {
      assert.ok(line.endsWith("\n"));
      return JSON.parse(line) as LogRecord & Record<string, unknown>;
    });
    const outcome = (name: string) => records.filter((record) => record["outcome"] === name);
    const handled = outcome("handled");
    assert.deepEqual(handled.map((record) => record["eventId"]).sort(), [one.eventId, two.eventId].sort());
    for (const record of handled) {
      assert.equal(record.level, "info");
      assert.match(String(record["traceId"]), /^[0-9a-f]{32}$/);
      assert.ok(typeof record["time"] === "string");
    }
    const [retried] = outcome("retried");
    assert.equal(retried?.["eventId"], two.eventId);
    assert.equal(retried?.["traceId"], two.traceId);
    assert.equal(retried?.level, "warn");
    assert.match(String(retried?.["error"]), /first try fails/);
    const [dead] = outcome("dead-lettered");
    assert.equal(dead?.level, "error");
    assert.equal(dead?.["reason"], "malformed-message");
    const own = records.filter((record) => record.msg === "working");
    assert.equal(own.length, 3);
    assert.ok(own.every((record) => record["eventId"] && record["traceId"]));
  });

  it("stays silent when asked to", async () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    const source = uniqueService("quiet");
    const Job = defineEvent("job.requested", { source, version: 1, context: "JOBS", schema: z.object({ n: z.number() }) });
    const bus = await h.bus({ service: source, logger: "silent" });
    bus.consume("job", { events: [Job] }, () => {});
    const spy = spyOn(bus);
    // Pass everything through: the test runner reports over this same stream.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (String(chunk).includes(source)) written.push(String(chunk));
      return original(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await bus.start();
      await bus.publish(Job, { n: 1 });
      await spy.waitForHandled(Job);
    } finally {
      process.stdout.write = original;
    }
    assert.deepEqual(written, []);
  });
});
