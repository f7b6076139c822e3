import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as v from "valibot";
import { z } from "zod";
import { defineCommand, defineEvent, createNaming, formatTraceparent, isUuidV7, parseBody, parseTraceparent, toXRayHeader, uuidv7, withTrace, currentTrace } from "../../src/toolkit/index.js";
import { readAs } from "../../src/toolkit/events.js";
import { backoffSchedule } from "../../src/toolkit/consumer/backoff.js";
import { HandlerRegistry } from "../../src/toolkit/consumer/registry.js";
import { mergedQueuePolicy, policyAllowsTopics, sameFilterPolicy, filterPolicy } from "../../src/toolkit/topology/policies.js";
import { canonicalJson } from "../../src/toolkit/commands.js";
import { buildEnvelope } from "../../src/toolkit/envelope.js";
import { orderTrace } from "../../src/toolkit/testing/index.js";

describe("ids", () => {
  it("mints UUID v7s that sort by creation time", () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    for (const id of ids) assert.ok(isUuidV7(id), id);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    const ms = Number.parseInt(ids[0]!.replace(/-/g, "").slice(0, 12), 16);
    assert.ok(Math.abs(ms - Date.now()) < 5000);
  });
});

describe("trace context", () => {
  it("round-trips W3C traceparent and rejects invalid ones", () => {
    const parts = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true };
    assert.equal(formatTraceparent(parts), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assert.deepEqual(parseTraceparent(formatTraceparent(parts)), parts);
    assert.equal(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), undefined);
    assert.equal(parseTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), undefined);
    assert.equal(parseTraceparent("garbage"), undefined);
  });

  it("writes the same trace as an X-Ray header", () => {
    assert.equal(
      toXRayHeader({ traceId: "5759e988bd862e3fe1be46a994272793", spanId: "53995c3f42cd8ad8", sampled: true }),
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    );
  });

  it("starts a flow or joins one from a traceparent", () => {
    assert.equal(currentTrace(), undefined);
    withTrace(() => {
      const trace = currentTrace()!;
      assert.match(trace.traceId, /^[0-9a-f]{32}$/);
      assert.equal(trace.causationId, null);
    });
    withTrace(
      () => {
        assert.equal(currentTrace()!.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
        assert.equal(currentTrace()!.parentSpanId, "00f067aa0ba902b7");
      },
      { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    );
  });
});

const V1 = defineEvent("user.registered", { source: "users", version: 1, context: "USER_ONBOARDING", schema: z.object({ userId: z.string(), email: z.string().email() }) });
const V2 = V1.evolve({
  version: 2,
  schema: z.object({ userId: z.string(), email: z.string().email(), locale: z.string() }),
  upcast: (v1) => ({ ...v1, locale: "en" }),
});
const V3 = V2.evolve({
  version: 3,
  schema: z.object({ id: z.string(), email: z.string().email(), locale: z.string() }),
  upcast: ({ userId, ...rest }) => ({ id: userId, ...rest }),
});

describe("events", () => {
  it("rejects bad declarations", () => {
    assert.throws(() => defineEvent("User Registered", { source: "users", version: 1, context: "X", schema: z.object({}) }), /lowercase/);
    assert.throws(() => defineEvent("user.registered", { source: "users", version: 0, context: "X", schema: z.object({}) }), /positive integer/);
    assert.throws(() => V2.evolve({ version: 2, schema: z.object({}), upcast: () => ({}) }), /greater than 2/);
  });

  it("lifts old versions through every upcaster, validating each step", async () => {
    const lifted = await readAs(V3, 1, { userId: "u1", email: "a@b.co" });
    assert.deepEqual(lifted, { ok: true, data: { id: "u1", email: "a@b.co", locale: "en" } });
    const invalid = await readAs(V3, 1, { userId: "u1", email: "nope" });
    assert.equal(invalid.ok, false);
    assert.equal(!invalid.ok && invalid.reason, "schema-validation");
    const future = await readAs(V2, 3, {});
    assert.equal(!future.ok && future.reason, "unsupported-version");
  });

  it("accepts any Standard Schema library", async () => {
    const ValibotEvent = defineEvent("team.created", { source: "teams", version: 1, context: "TEAMS", schema: v.object({ teamId: v.string() }) });
    assert.deepEqual(await readAs(ValibotEvent, 1, { teamId: "t" }), { ok: true, data: { teamId: "t" } });
    assert.equal((await readAs(ValibotEvent, 1, { teamId: 1 })).ok, false);
  });

  it("routes an envelope to the exact version's handler, or to one that upcasts it", async () => {
    const registry = new HandlerRegistry("event");
    const calls: string[] = [];
    registry.add(V1, () => void calls.push("v1"));
    registry.add(V3, () => void calls.push("v3"));
    const envelope = buildEnvelope({
      eventId: uuidv7(), kind: "event", type: "user.registered", version: 2, source: "users", context: "USER_ONBOARDING",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true, causationId: null,
      occurredAt: new Date(), data: { userId: "u1", email: "a@b.co", locale: "fr" },
    });
    const decoded = await registry.decode(envelope);
    assert.ok(decoded.ok);
    assert.equal(decoded.event.version, 3);
    assert.deepEqual(decoded.event.data, { id: "u1", email: "a@b.co", locale: "fr" });
    const unknown = await registry.decode({ ...envelope, type: "user.deleted" });
    assert.equal(!unknown.ok && unknown.reason, "unknown-type");
    assert.throws(() => registry.add(defineCommand("users.ban", { target: "users", version: 1, context: "X", schema: z.object({ id: z.string() }), groupBy: (d) => d.id }), () => {}), /command/);
  });
});

describe("envelope", () => {
  it("parses raw bodies and SNS notifications, and explains what is wrong with the rest", () => {
    const envelope = buildEnvelope({
      eventId: uuidv7(), kind: "event", type: "user.registered", version: 1, source: "users", context: "C",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true, causationId: null,
      occurredAt: new Date(), data: { a: 1 },
    });
    const raw = parseBody(JSON.stringify(envelope));
    assert.ok(raw.ok);
    assert.deepEqual(raw.envelope, envelope);
    const wrapped = parseBody(JSON.stringify({ Type: "Notification", MessageId: "m", Message: JSON.stringify(envelope) }));
    assert.ok(wrapped.ok);
    assert.equal(wrapped.envelope.eventId, envelope.eventId);
    const bad = parseBody(JSON.stringify({ ...envelope, eventId: "not-a-uuid", traceId: "x" }));
    assert.ok(!bad.ok);
    assert.match(bad.detail, /eventId must be a UUID v7/);
    assert.match(bad.detail, /traceId/);
    assert.equal(parseBody("nope").ok, false);
  });
});

describe("naming", () => {
  it("follows the documented convention", () => {
    const naming = createNaming();
    assert.equal(naming.topic("users"), "users-domain-events");
    assert.equal(naming.consumerQueue("notifications", "send-email-on-user-registered"), "notifications-send-email-on-user-registered");
    assert.equal(naming.deadLetterQueue("notifications-send-email-on-user-registered"), "notifications-send-email-on-user-registered-dlq");
    assert.equal(naming.commandQueue("users"), "users-async-commands.fifo");
    assert.equal(naming.deadLetterQueue("users-async-commands.fifo"), "users-async-commands-dlq.fifo");
    assert.equal(naming.perInstanceQueue("transfers", "refresh-team-cache", "1a2b3c4d"), "transfers-refresh-team-cache-1a2b3c4d");
    assert.equal(createNaming({ prefix: "staging" }).topic("users"), "staging-users-domain-events");
    assert.throws(() => naming.consumerQueue("Users", "x"), /lowercase/);
    assert.throws(() => naming.consumerQueue("users", "x".repeat(80)), /limit is 80/);
  });
});

describe("policies", () => {
  const topic = "arn:aws:sns:us-east-1:123456789012:users-domain-events";
  const queue = "arn:aws:sqs:us-east-1:123456789012:notifications-x";
  it("reads queue policies by meaning and merges without clobbering other statements", () => {
    assert.equal(policyAllowsTopics(undefined, [topic]), false);
    const merged = mergedQueuePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "theirs", Effect: "Allow", Principal: "*", Action: "sqs:ReceiveMessage" }] }), queue, [topic]);
    assert.equal(policyAllowsTopics(merged, [topic]), true);
    assert.equal((JSON.parse(merged) as { Statement: unknown[] }).Statement.length, 2);
    const iac = JSON.stringify({ Statement: { Effect: "Allow", Principal: { Service: ["sns.amazonaws.com"] }, Action: ["sqs:SendMessage"], Condition: { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:users-*" } } } });
    assert.equal(policyAllowsTopics(iac, [topic]), true);
    assert.equal(policyAllowsTopics(iac, ["arn:aws:sns:us-east-1:123456789012:orders-domain-events"]), false);
  });

  it("compares filter policies regardless of order", () => {
    assert.equal(filterPolicy(["b", "a", "a"]), '{"eventType":["a","b"]}');
    assert.equal(sameFilterPolicy('{"eventType": ["b", "a"]}', ["a", "b"]), true);
    assert.equal(sameFilterPolicy('{"eventType": ["a"]}', ["a", "b"]), false);
  });
});

describe("backoff", () => {
  it("grows exponentially up to the cap, with jitter inside [delay/2, delay]", () => {
    const exact = backoffSchedule({ initialSeconds: 1, multiplier: 2, maxSeconds: 10, jitter: false });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(exact), [1, 2, 4, 8, 10, 10]);
    const jittered = backoffSchedule({ initialSeconds: 8, jitter: true });
    for (let index = 0; index < 100; index += 1) {
      const delay = jittered(1);
      assert.ok(delay >= 4 && delay <= 8, String(delay));
    }
  });
});

describe("commands", () => {
  it("hashes equal data equally whatever the key order", () => {
    assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), canonicalJson({ a: [1, { c: 3, d: 2 }], b: 1 }));
  });
});

describe("trace ordering", () => {
  it("orders a trace along causation links", () => {
    const base = { kind: "event" as const, version: 1, source: "s", context: "C", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", sampled: true, data: {} };
    const a = buildEnvelope({ ...base, eventId: uuidv7(), type: "a", spanId: "000000000000000a", causationId: null, occurredAt: new Date(1000) });
    const b = buildEnvelope({ ...base, eventId: uuidv7(), type: "b", spanId: "000000000000000b", causationId: "000000000000000a", occurredAt: new Date(3000) });
    const c = buildEnvelope({ ...base, eventId: uuidv7(), type: "c", spanId: "000000000000000c", causationId: "000000000000000b", occurredAt: new Date(2000) });
    assert.deepEqual(orderTrace([c, b, a]).map((entry) => [entry.envelope.type, entry.depth]), [["a", 0], ["b", 1], ["c", 2]]);
  });
});
