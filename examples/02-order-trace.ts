/**
 * order.placed → payment.captured → order.confirmed → welcome-back e-mail, across three services.
 * Every message carries the same traceId; each one's causationId is the span of the message whose
 * handling published it, so the whole flow can be printed in order afterwards.
 */
import { formatTrace, spyOn } from "../src/toolkit/testing/index.js";
import { connect, detail, OrderConfirmed, OrderPlaced, PaymentCaptured, runIfMain, step, type Example } from "./shared.js";

export const title = "An order → payment → order-confirmed flow across three services, one traceId";

export const run: Example = async (broker) => {
  const orders = await connect(broker, { service: "orders" });
  const payments = await connect(broker, { service: "payments" });
  const notifications = await connect(broker, { service: "notifications" });
  const spy = spyOn(orders, payments, notifications);

  payments.consume("capture-payment-on-order-placed", { events: [OrderPlaced] }, async (event) => {
    // No trace plumbing: the publish inherits the trace of the event being handled.
    await payments.publish(PaymentCaptured, { orderId: event.data.orderId, userId: event.data.userId, amount: event.data.total });
  });
  orders.consume("confirm-order-on-payment-captured", { events: [PaymentCaptured] }, async (event) => {
    await orders.publish(OrderConfirmed, { orderId: event.data.orderId, userId: event.data.userId });
  });
  notifications.consume("send-receipt-on-order-confirmed", { events: [OrderConfirmed] }, async (event, ctx) => {
    ctx.log("info", `receipt for ${event.data.orderId} sent`);
  });

  step("three services start, each creating its own queues and subscriptions");
  await Promise.all([orders.start(), payments.start(), notifications.start()]);

  step("orders publishes order.placed, starting a new flow (a new traceId)");
  const placed = await orders.publish(OrderPlaced, { orderId: "o-42", userId: "u-1", total: 99.5 });
  detail(`traceId ${placed.traceId}, spanId ${placed.spanId}, causationId ${placed.causationId}`);

  await spy.waitUntil((s) => s.handled().length === 3);
  step("payments captured the payment, orders confirmed the order, notifications sent the receipt");

  const trace = spy.trace(placed.traceId);
  step(`the trace ${placed.traceId}, in causal order:`);
  detail(formatTrace(trace));
  const position = new Map(trace.map((entry, index) => [entry.envelope.eventId, index]));
  const handled = spy.handled().sort((a, b) => position.get(a.envelope.eventId)! - position.get(b.envelope.eventId)!);
  step(`handled by: ${handled.map((activity) => `${activity.service}/${activity.consumer} (${activity.envelope.type})`).join(" → ")}`);

  await Promise.all([orders.stop(), payments.stop(), notifications.stop()]);
};

await runIfMain(import.meta.url, title, run);
