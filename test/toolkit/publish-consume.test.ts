import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as v from "valibot";
import { z } from "zod";
import { defineEvent, MessageValidationError, EVENT_TYPE_ATTRIBUTE, type Envelope } from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { peek, startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

function userEvents(users: string) {
  const RegisteredV1 = defineEvent("user.registered", {
    source: users,
    version: 1,
    context: "USER_ONBOARDING",
    schema: z.object({ userId: z.string(), email: z.string().email() }),
  });
  const Registered = RegisteredV1.evolve({
    version: 2,
    schema: z.object({ userId: z.string(), email: z.string().email(), locale: z.string() }),
    upcast: (previous) => ({ ...previous, locale: "en" }),
  });
  const Deleted = defineEvent("user.deleted", { source: users, version: 1, context: "USER_ONBOARDING", schema: v.object({ userId: v.string() }) });
  return { RegisteredV1, Registered, Deleted };
}

describe("publish and consume", () => {
  it("publishes a validated envelope that a filtered consumer receives, typed", async () => {
    const users = uniqueService("users");
    const { RegisteredV1, Deleted } = userEvents(users);
    const publisher = await h.bus({ service: users });
    const consumer = await h.bus({ service: uniqueService("notifications") });
    const spy = spyOn(publisher, consumer);
    const received: Array<{ email: string; traceId: string }> = [];
    consumer.consume("send-email-on-user-registered", { events: [RegisteredV1] }, async (event, ctx) => {
      received.push({ email: event.data.email, traceId: ctx.traceId });
    });
    await consumer.start();
    const sent = await publisher.publish(RegisteredV1, { userId: "u1", email: "ada@example.com" });
    await publisher.publish(Deleted, { userId: "u1" });
    const handled = await spy.waitForHandled(RegisteredV1);
    assert.equal(handled.envelope.eventId, sent.eventId);
    assert.deepEqual(received, [{ email: "ada@example.com", traceId: sent.traceId }]);
    assert.equal(sent.source, users);
    assert.equal(sent.context, "USER_ONBOARDING");
    assert.equal(sent.causationId, null);
    assert.equal(sent.traceparent, `00-${sent.traceId}-${sent.spanId}-01`);
    // user.deleted is filtered out by SNS, so it never reaches this queue (no unknown-type dead letter).
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(spy.deadLettered(), []);
    assert.equal(spy.handled().length, 1);
  });

  it("spends exactly one message attribute: the event type", async () => {
    const users = uniqueService("users");
    const { RegisteredV1 } = userEvents(users);
    const publisher = await h.bus({ service: users });
    // Start and stop at once: the topology stays, and the test reads the queue itself.
    const consumer = await h.bus({ service: uniqueService("inspector") });
    consumer.consume("look", { events: [RegisteredV1] }, () => {});
    await consumer.start();
    await consumer.stop();
    const envelope = await publisher.publish(RegisteredV1, { userId: "u2", email: "b@example.com" });
    const [message] = await peek(h.sqs, await h.queueUrl(`${consumer.service}-look`));
    assert.ok(message);
    assert.deepEqual(Object.keys(message.MessageAttributes ?? {}), [EVENT_TYPE_ATTRIBUTE]);
    assert.equal(message.MessageAttributes?.[EVENT_TYPE_ATTRIBUTE]?.StringValue, "user.registered");
    assert.deepEqual(JSON.parse(message.Body!) as Envelope, envelope);
  });

  it("refuses invalid data and events owned by another service, sending nothing", async () => {
    const users = uniqueService("users");
    const { RegisteredV1 } = userEvents(users);
    const publisher = await h.bus({ service: users });
    const spy = spyOn(publisher);
    await assert.rejects(publisher.publish(RegisteredV1, { userId: "u1", email: "not-an-email" }), (error: unknown) => {
      assert.ok(error instanceof MessageValidationError);
      assert.match(error.message, /email/);
      return true;
    });
    await assert.rejects(
      publisher.publishMany([RegisteredV1.of({ userId: "ok", email: "ok@example.com" }), RegisteredV1.of({ userId: "bad", email: "x" })]),
      MessageValidationError,
    );
    const other = await h.bus({ service: uniqueService("orders") });
    await assert.rejects(other.publish(RegisteredV1, { userId: "u", email: "a@b.co" }), /publishes only its own events/);
    assert.deepEqual(spy.published(), []);
  });

  it("publishes many events through PublishBatch, beyond ten per call, in the order given", async () => {
    const users = uniqueService("users");
    const { RegisteredV1, Deleted } = userEvents(users);
    const publisher = await h.bus({ service: users });
    const consumer = await h.bus({ service: uniqueService("counter") });
    const spy = spyOn(consumer);
    const seen = new Set<string>();
    consumer
      .consumer("count-users", { concurrency: 20 })
      .on(RegisteredV1, (event) => void seen.add(`r:${event.data.userId}`))
      .on(Deleted, (event) => void seen.add(`d:${event.data.userId}`));
    await consumer.start();
    const drafts = Array.from({ length: 23 }, (_, index) =>
      index % 2 === 0 ? RegisteredV1.of({ userId: String(index), email: `u${index}@example.com` }) : Deleted.of({ userId: String(index) }),
    );
    const envelopes = await publisher.publishMany(drafts);
    assert.deepEqual(envelopes.map((envelope) => envelope.type), drafts.map((draft) => draft.definition.name));
    assert.equal(new Set(envelopes.map((envelope) => envelope.eventId)).size, 23);
    await spy.waitUntil((s) => s.handled().length === 23, { description: "23 handled" });
    assert.equal(seen.size, 23);
  });

  it("upcasts older versions for a consumer that handles the newest, and dead-letters newer ones", async () => {
    const users = uniqueService("users");
    const { RegisteredV1, Registered } = userEvents(users);
    const publisher = await h.bus({ service: users });
    const consumer = await h.bus({ service: uniqueService("profiles") });
    const spy = spyOn(consumer);
    const locales: string[] = [];
    consumer.consume("create-profile", { events: [Registered] }, (event) => {
      assert.equal(event.version, 2);
      locales.push(`${event.data.userId}:${event.data.locale}`);
    });
    await consumer.start();
    await publisher.publish(RegisteredV1, { userId: "old", email: "old@example.com" });
    await publisher.publish(Registered, { userId: "new", email: "new@example.com", locale: "fr" });
    await spy.waitUntil((s) => s.handled().length === 2);
    assert.deepEqual(locales.sort(), ["new:fr", "old:en"]);

    const V3 = Registered.evolve({ version: 3, schema: z.object({ userId: z.string(), email: z.string(), locale: z.string(), tier: z.string() }), upcast: (p) => ({ ...p, tier: "free" }) });
    await publisher.publish(V3, { userId: "future", email: "f@example.com", locale: "de", tier: "gold" });
    const dead = await spy.waitForDeadLettered({ reason: "unsupported-version" });
    assert.equal(dead.envelope?.version, 3);
    assert.match(dead.detail, /handles v1, v2/);
  });
});
