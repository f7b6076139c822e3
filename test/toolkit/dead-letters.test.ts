import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { defineEvent, uuidv7, REASON_ATTRIBUTE, SOURCE_ATTRIBUTE } from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { peek, queueDepth, startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

function paymentEvent(source: string) {
  return defineEvent("payment.captured", { source, version: 1, context: "ORDER_PROCESSING", schema: z.object({ orderId: z.string(), amount: z.number().positive() }) });
}

function envelopeFor(source: string, type: string, version: number, data: unknown) {
  return {
    eventId: uuidv7(),
    kind: "event",
    type,
    version,
    source,
    context: "ORDER_PROCESSING",
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    causationId: null,
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    occurredAt: new Date().toISOString(),
    data,
  };
}

describe("dead letters", () => {
  it("sends poison messages to the DLQ at once, with the reason, and deletes them from the source", async () => {
    const source = uniqueService("payments");
    const Captured = paymentEvent(source);
    const consumer = await h.bus({ service: uniqueService("ledger") });
    const spy = spyOn(consumer);
    let calls = 0;
    const handle = consumer.consume("record-payment", { events: [Captured], maxReceiveCount: 5 }, () => void (calls += 1));
    await consumer.start();
    const queueUrl = await h.queueUrl(handle.queue);
    const poison = {
      "malformed-message": "this is not json",
      "unknown-type": JSON.stringify(envelopeFor(source, "payment.refunded", 1, {})),
      "schema-validation": JSON.stringify(envelopeFor(source, "payment.captured", 1, { orderId: "o1", amount: -5 })),
      "unsupported-version": JSON.stringify(envelopeFor(source, "payment.captured", 7, { orderId: "o1", amount: 5 })),
    };
    for (const body of Object.values(poison)) await h.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await spy.waitUntil((s) => s.deadLettered().length === 4);
    assert.equal(calls, 0);
    for (const activity of spy.deadLettered()) {
      assert.equal(activity.via, "toolkit");
      assert.equal(activity.receiveCount, 1, "dead-lettered on first sight, not after retries");
    }
    assert.deepEqual(await queueDepth(h.sqs, queueUrl), { visible: 0, inFlight: 0 });

    const letters = await handle.deadLetters().inspect();
    assert.equal(letters.length, 4);
    const byReason = new Map(letters.map((letter) => [letter.reason, letter]));
    assert.deepEqual([...byReason.keys()].sort(), Object.keys(poison).sort());
    for (const [reason, body] of Object.entries(poison)) assert.equal(byReason.get(reason)!.body, body);
    assert.match(byReason.get("schema-validation")!.detail!, /amount/);
    assert.match(byReason.get("unknown-type")!.detail!, /payment\.refunded/);
    assert.equal(byReason.get("malformed-message")!.envelope, undefined);
    const [raw] = await peek(h.sqs, await h.queueUrl(handle.deadLetterQueue));
    assert.equal(raw?.MessageAttributes?.[SOURCE_ATTRIBUTE]?.StringValue, handle.queue);
    assert.ok(raw?.MessageAttributes?.[REASON_ATTRIBUTE]);
  });

  it("lets SQS move a message that keeps failing after maxReceiveCount, then redrives it once fixed", async () => {
    const source = uniqueService("payments");
    const Captured = paymentEvent(source);
    const publisher = await h.bus({ service: source });
    const consumer = await h.bus({ service: uniqueService("ledger") });
    const spy = spyOn(consumer);
    let fixed = false;
    const attempts: number[] = [];
    const handle = consumer.consume("record-payment", { events: [Captured], maxReceiveCount: 2, backoff: { initialSeconds: 0 } }, (event, ctx) => {
      if (event.data.orderId === "big") attempts.push(ctx.receiveCount);
      if (!fixed && event.data.amount > 100) throw new Error("amounts over 100 crash the ledger");
    });
    await consumer.start();
    const poison = await publisher.publish(Captured, { orderId: "big", amount: 500 });
    await publisher.publish(Captured, { orderId: "small", amount: 5 });
    const dead = await spy.waitForDeadLettered({ reason: "max-receives-exceeded" });
    assert.equal(dead.via, "redrive-policy");
    assert.equal(dead.envelope?.eventId, poison.eventId);
    assert.match(dead.detail, /crash the ledger/);
    assert.deepEqual(attempts, [1, 2]);

    const dlq = handle.deadLetters();
    // SQS moves the message on the receive after the last failure, which the running consumer makes.
    let letters = await dlq.inspect();
    for (let tries = 0; letters.length === 0 && tries < 10; tries += 1) letters = await dlq.inspect();
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.envelope?.eventId, poison.eventId);
    assert.equal(letters[0]!.reason, undefined, "moved by SQS, so no toolkit reason attribute");

    fixed = true;
    const { moved } = await dlq.redrive();
    assert.equal(moved, 1);
    const handled = await spy.waitForHandled(Captured, { where: (event) => event.data.orderId === "big" });
    assert.equal(handled.envelope.eventId, poison.eventId);
    assert.equal(await dlq.count(), 0);
  });
});
