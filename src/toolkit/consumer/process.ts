import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { parseBody, type Envelope } from "../envelope.js";
import type { IdempotencyStore } from "../idempotency/store.js";
import type { ActivityHub, DeadLetterReason } from "../observability/activity.js";
import type { Instrumentation } from "../observability/instrumentation.js";
import { describeError, type Logger } from "../observability/logger.js";
import { parseTraceparent, runInTrace } from "../trace-context.js";
import type { Acker } from "./acker.js";
import { sendToDeadLetter, type DeadLetterTarget } from "./dead-letter.js";
import type { Heartbeat } from "./heartbeat.js";
import type { HandlerRegistry } from "./registry.js";
import type { HandlerContext } from "./types.js";

export interface ProcessDeps {
  readonly service: string;
  readonly consumer: string;
  readonly sqs: SQSClient;
  readonly queue: { readonly name: string; readonly url: string };
  readonly deadLetter: DeadLetterTarget;
  readonly visibilityTimeout: number;
  readonly maxReceiveCount: number;
  readonly registry: HandlerRegistry;
  readonly idempotency: IdempotencyStore | undefined;
  readonly retainMs: number;
  readonly backoff: (receiveCount: number) => number;
  readonly instrumentation: Instrumentation;
  readonly activity: ActivityHub;
  readonly logger: Logger;
  readonly acker: Acker;
  /** Aborted when shutdown outlasts its drain timeout. */
  readonly abort: AbortSignal;
}

/** "settled": deleted or moved; "pending": left on the queue (retry, duplicate in flight, exhausted). */
export type Outcome = "settled" | "pending";

/**
 * Takes one received message to its end: dead-letter it if it can never succeed, skip it if it
 * was already handled, else run the handler and acknowledge or schedule a retry.
 */
export async function processMessage(deps: ProcessDeps, message: Message, heartbeat: Heartbeat): Promise<Outcome> {
  const { service, consumer, queue, activity } = deps;
  const receiveCount = Number(message.Attributes?.["ApproximateReceiveCount"] ?? 1);
  const messageId = message.MessageId ?? "";
  const delivery = { service, consumer, queue: queue.name, messageId, receiveCount };

  const parsed = parseBody(message.Body ?? "");
  if (!parsed.ok) return deadLetter(deps, message, heartbeat, undefined, "malformed-message", parsed.detail, receiveCount);
  const decoded = await deps.registry.decode(parsed.envelope);
  if (!decoded.ok) return deadLetter(deps, message, heartbeat, parsed.envelope, decoded.reason, decoded.detail, receiveCount);
  const event = decoded.event;

  const key = `${queue.name}:${event.eventId}`;
  const leaseMs = deps.visibilityTimeout * 1000;
  let token: string | undefined;
  if (deps.idempotency) {
    const claim = await deps.idempotency.claim(key, leaseMs);
    if (claim.status !== "acquired") {
      await heartbeat.stop();
      if (claim.status === "completed") {
        await acknowledge(deps, message, event);
        activity.emit({ type: "duplicate", ...delivery, envelope: event, state: "completed" });
        return "settled";
      }
      // Another copy is being handled right now; look again once its lease could have run out.
      await changeVisibility(deps, message, deps.visibilityTimeout, event);
      activity.emit({ type: "duplicate", ...delivery, envelope: event, state: "in-flight" });
      return "pending";
    }
    token = claim.token;
    const store = deps.idempotency;
    const held = token;
    heartbeat.onBeat = () => store.extend(key, held, leaseMs);
  }

  const span = deps.instrumentation.startConsumer({ queue: queue.name, messageId, receiveCount, envelope: event });
  const context: HandlerContext = {
    consumer,
    queue: queue.name,
    messageId,
    receiveCount,
    traceId: event.traceId,
    spanId: event.spanId,
    signal: deps.abort,
    log: (level, msg, fields) =>
      deps.logger.log({ level, msg, service, consumer, eventId: event.eventId, traceId: event.traceId, eventType: event.type, ...fields }),
  };
  const started = performance.now();
  try {
    const sampled = parseTraceparent(event.traceparent)?.sampled ?? true;
    await runInTrace({ traceId: event.traceId, sampled, causationId: event.spanId, parentSpanId: null, carrier: span.carrier }, () =>
      span.run(() => decoded.handler(event, context)),
    );
  } catch (error) {
    await heartbeat.stop();
    if (deps.idempotency && token) await deps.idempotency.release(key, token).catch((cause) => warn(deps, "could not release idempotency lease", cause, event));
    if (receiveCount >= deps.maxReceiveCount) {
      // The last allowed attempt: make it visible now so SQS's redrive moves it on the next receive.
      // Moving it ourselves would reset the receive count SQS uses to decide.
      await changeVisibility(deps, message, 0, event);
      span.end({ outcome: "dead-lettered", error });
      activity.emit({ type: "dead-lettered", ...delivery, envelope: event, body: message.Body ?? "", reason: "max-receives-exceeded", detail: describeError(error), via: "redrive-policy" });
      return "pending";
    }
    const delaySeconds = deps.backoff(receiveCount);
    await changeVisibility(deps, message, delaySeconds, event);
    span.end({ outcome: "retried", error });
    activity.emit({ type: "retried", ...delivery, envelope: event, delaySeconds, error });
    return "pending";
  }
  await heartbeat.stop();
  if (deps.idempotency && token) {
    await deps.idempotency.complete(key, token, deps.retainMs).catch((cause) => warn(deps, "could not record completion", cause, event));
  }
  await acknowledge(deps, message, event);
  span.end({ outcome: "handled" });
  activity.emit({ type: "handled", ...delivery, envelope: event, durationMs: Math.round(performance.now() - started) });
  return "settled";
}

async function deadLetter(
  deps: ProcessDeps,
  message: Message,
  heartbeat: Heartbeat,
  envelope: Envelope | undefined,
  reason: DeadLetterReason,
  detail: string,
  receiveCount: number,
): Promise<Outcome> {
  await heartbeat.stop();
  try {
    await sendToDeadLetter(deps.deadLetter, message, reason, detail);
  } catch (error) {
    // Not deleted: it comes back after its visibility timeout and the move is tried again.
    warn(deps, `could not move message to ${deps.deadLetter.sourceQueue}'s DLQ`, error, envelope);
    return "pending";
  }
  await acknowledge(deps, message, envelope);
  deps.activity.emit({
    type: "dead-lettered",
    service: deps.service,
    consumer: deps.consumer,
    queue: deps.queue.name,
    messageId: message.MessageId ?? "",
    receiveCount,
    envelope,
    body: message.Body ?? "",
    reason,
    detail,
    via: "toolkit",
  });
  return "settled";
}

async function acknowledge(deps: ProcessDeps, message: Message, envelope: Envelope | undefined): Promise<void> {
  try {
    await deps.acker.delete(message.ReceiptHandle ?? "");
  } catch (error) {
    // It will be delivered again; the idempotency store turns that into a no-op.
    warn(deps, "could not delete handled message", error, envelope);
  }
}

async function changeVisibility(deps: ProcessDeps, message: Message, seconds: number, envelope: Envelope | undefined): Promise<void> {
  try {
    await deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: deps.queue.url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }));
  } catch (error) {
    warn(deps, `could not set visibility to ${seconds}s`, error, envelope);
  }
}

function warn(deps: ProcessDeps, msg: string, error: unknown, envelope: Envelope | undefined): void {
  deps.logger.log({
    level: "warn",
    msg,
    service: deps.service,
    consumer: deps.consumer,
    queue: deps.queue.name,
    eventId: envelope?.eventId ?? null,
    traceId: envelope?.traceId ?? null,
    error: describeError(error),
  });
}
