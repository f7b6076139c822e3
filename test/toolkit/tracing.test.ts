import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SpanKind } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { z } from "zod";
import { defineEvent, withTrace, currentTrace } from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { startHarness, uniqueService, type Harness } from "./support.js";

let h: Harness;
before(async () => (h = await startHarness()));
after(async () => h.close());

function flow() {
  const orders = uniqueService("orders");
  const payments = uniqueService("payments");
  const OrderPlaced = defineEvent("order.placed", { source: orders, version: 1, context: "ORDER_PROCESSING", schema: z.object({ orderId: z.string(), total: z.number() }) });
  const PaymentCaptured = defineEvent("payment.captured", { source: payments, version: 1, context: "ORDER_PROCESSING", schema: z.object({ orderId: z.string() }) });
  const OrderConfirmed = defineEvent("order.confirmed", { source: orders, version: 1, context: "ORDER_PROCESSING", schema: z.object({ orderId: z.string() }) });
  return { orders, payments, OrderPlaced, PaymentCaptured, OrderConfirmed };
}

describe("trace context", () => {
  it("chains one traceId across three hops, each with its own span and the cause's span as causation", async () => {
    const { orders, payments, OrderPlaced, PaymentCaptured, OrderConfirmed } = flow();
    const ordersBus = await h.bus({ service: orders });
    const paymentsBus = await h.bus({ service: payments });
    const shipping = await h.bus({ service: uniqueService("shipping") });
    const spy = spyOn(ordersBus, paymentsBus, shipping);
    paymentsBus.consume("capture-payment-on-order-placed", { events: [OrderPlaced] }, async (event) => {
      await paymentsBus.publish(PaymentCaptured, { orderId: event.data.orderId });
    });
    ordersBus.consume("confirm-order-on-payment-captured", { events: [PaymentCaptured] }, async (event) => {
      await ordersBus.publish(OrderConfirmed, { orderId: event.data.orderId });
    });
    let seenTrace: string | undefined;
    shipping.consume("ship-on-order-confirmed", { events: [OrderConfirmed] }, (_event, ctx) => void (seenTrace = ctx.traceId));
    await Promise.all([ordersBus.start(), paymentsBus.start(), shipping.start()]);

    const placed = await ordersBus.publish(OrderPlaced, { orderId: "o-1", total: 42 });
    await spy.waitForHandled(OrderConfirmed);
    const captured = await spy.waitForPublished(PaymentCaptured);
    const confirmed = await spy.waitForPublished(OrderConfirmed);

    assert.equal(placed.causationId, null);
    assert.equal(captured.traceId, placed.traceId);
    assert.equal(confirmed.traceId, placed.traceId);
    assert.equal(seenTrace, placed.traceId);
    assert.equal(captured.causationId, placed.spanId);
    assert.equal(confirmed.causationId, captured.spanId);
    assert.equal(new Set([placed.spanId, captured.spanId, confirmed.spanId]).size, 3);
    assert.deepEqual(
      spy.trace(placed.traceId).map((entry) => [entry.envelope.type, entry.depth]),
      [["order.placed", 0], ["payment.captured", 1], ["order.confirmed", 2]],
    );
  });

  it("gives each outside publish a new trace, and joins an incoming traceparent", async () => {
    const { orders, OrderPlaced } = flow();
    const bus = await h.bus({ service: orders });
    const a = await bus.publish(OrderPlaced, { orderId: "a", total: 1 });
    const b = await bus.publish(OrderPlaced, { orderId: "b", total: 1 });
    assert.notEqual(a.traceId, b.traceId);
    const joined = await withTrace(() => bus.publish(OrderPlaced, { orderId: "c", total: 1 }), {
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    assert.equal(joined.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(joined.causationId, null);
    await withTrace(async () => {
      const first = await bus.publish(OrderPlaced, { orderId: "d", total: 1 });
      const second = await bus.publish(OrderPlaced, { orderId: "e", total: 1 });
      assert.equal(first.traceId, currentTrace()!.traceId);
      assert.equal(second.traceId, first.traceId);
    });
  });

  it("records OpenTelemetry spans by the messaging conventions, linked through the envelope", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { orders, payments, OrderPlaced, PaymentCaptured } = flow();
    const ordersBus = await h.bus({ service: orders, openTelemetry: { tracerProvider } });
    const paymentsBus = await h.bus({ service: payments, openTelemetry: { tracerProvider } });
    const spy = spyOn(ordersBus, paymentsBus);
    paymentsBus.consume("capture-payment", { events: [OrderPlaced] }, async (event) => {
      await paymentsBus.publish(PaymentCaptured, { orderId: event.data.orderId });
    });
    await paymentsBus.start();
    const placed = await ordersBus.publish(OrderPlaced, { orderId: "o-2", total: 1 });
    await spy.waitForHandled(OrderPlaced);
    const captured = await spy.waitForPublished(PaymentCaptured);

    const spans = exporter.getFinishedSpans();
    const publish = spans.find((span) => span.name === `publish ${orders}-domain-events`)!;
    const process = spans.find((span) => span.name === `process ${payments}-capture-payment`)!;
    const child = spans.find((span) => span.name === `publish ${payments}-domain-events`)!;
    assert.ok(publish && process && child, spans.map((span) => span.name).join(", "));
    assert.equal(publish.kind, SpanKind.PRODUCER);
    assert.equal(publish.attributes["messaging.system"], "aws.sns");
    assert.equal(publish.attributes["messaging.operation.type"], "send");
    assert.equal(publish.attributes["messaging.destination.name"], `${orders}-domain-events`);
    assert.ok(publish.attributes["messaging.message.id"]);
    assert.equal(publish.spanContext().traceId, placed.traceId);
    assert.equal(publish.spanContext().spanId, placed.spanId);

    assert.equal(process.kind, SpanKind.CONSUMER);
    assert.equal(process.attributes["messaging.system"], "aws_sqs");
    assert.equal(process.attributes["messaging.operation.type"], "process");
    assert.equal(process.attributes["sluice.event.id"], placed.eventId);
    assert.equal(process.spanContext().traceId, placed.traceId);
    assert.equal(process.parentSpanContext?.spanId, placed.spanId);
    assert.equal(process.links[0]?.context.spanId, placed.spanId);

    assert.equal(child.parentSpanContext?.spanId, process.spanContext().spanId);
    assert.equal(child.spanContext().spanId, captured.spanId);
    assert.equal(captured.causationId, placed.spanId);
    assert.equal(captured.traceId, placed.traceId);
  });
});
