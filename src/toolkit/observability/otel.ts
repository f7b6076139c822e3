import type { Context, Link, Span, SpanContext, TracerProvider } from "@opentelemetry/api";
import { newSpanId } from "../ids.js";
import { parseTraceparent, type ActiveTrace } from "../trace-context.js";
import type { Instrumentation } from "./instrumentation.js";

export interface OpenTelemetryOptions {
  /** Defaults to the globally registered provider. */
  readonly tracerProvider?: TracerProvider;
}

// Attribute names from the OpenTelemetry messaging semantic conventions, written out rather than
// imported so the toolkit needs nothing beyond the optional @opentelemetry/api peer.
const SYSTEM = "messaging.system";
const OPERATION_TYPE = "messaging.operation.type";
const OPERATION_NAME = "messaging.operation.name";
const DESTINATION = "messaging.destination.name";
const MESSAGE_ID = "messaging.message.id";
const BATCH_COUNT = "messaging.batch.message_count";

function isContext(value: unknown): value is Context {
  return typeof value === "object" && value !== null && typeof (value as { getValue?: unknown }).getValue === "function";
}

/**
 * Spans for publish, send and process, following the messaging semantic conventions. The
 * @opentelemetry/api package is loaded only when tracing is switched on, as it is an optional peer.
 */
export async function openTelemetryInstrumentation(options: OpenTelemetryOptions = {}): Promise<Instrumentation> {
  const api = await import("@opentelemetry/api");
  const tracer = (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer("sluice-toolkit");

  const remote = (traceId: string, spanId: string, sampled: boolean): SpanContext => ({
    traceId,
    spanId,
    traceFlags: sampled ? api.TraceFlags.SAMPLED : api.TraceFlags.NONE,
    isRemote: true,
  });

  const parentContext = (parent: ActiveTrace | undefined): Context => {
    if (isContext(parent?.carrier)) return parent.carrier;
    if (parent) {
      // A flow begun with withTrace() has a traceId but no span yet. OpenTelemetry cannot start a
      // span inside a chosen trace without a parent, so a remote parent stands in for the caller.
      const spanId = parent.parentSpanId ?? parent.causationId ?? newSpanId();
      return api.trace.setSpanContext(api.ROOT_CONTEXT, remote(parent.traceId, spanId, parent.sampled));
    }
    return api.context.active();
  };

  const finish = (span: Span, error: unknown): void => {
    if (error !== undefined) {
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      if (error instanceof Error) span.recordException(error);
    }
    span.end();
  };

  return {
    startProducer(request) {
      const span = tracer.startSpan(
        `${request.operation} ${request.destination}`,
        {
          kind: api.SpanKind.PRODUCER,
          attributes: {
            [SYSTEM]: request.system,
            [OPERATION_TYPE]: request.operation === "create" ? "create" : "send",
            [OPERATION_NAME]: request.operation,
            [DESTINATION]: request.destination,
            "sluice.event.type": request.eventType,
            "sluice.event.id": request.eventId,
          },
        },
        parentContext(request.parent),
      );
      const context = span.spanContext();
      return {
        traceId: context.traceId,
        spanId: context.spanId,
        sampled: (context.traceFlags & api.TraceFlags.SAMPLED) === api.TraceFlags.SAMPLED,
        end({ messageId, error }) {
          if (messageId) span.setAttribute(MESSAGE_ID, messageId);
          finish(span, error);
        },
      };
    },

    startBatch(request) {
      const links: Link[] = request.spans.map((producer) => ({ context: remote(producer.traceId, producer.spanId, producer.sampled) }));
      const span = tracer.startSpan(
        `publish ${request.destination}`,
        {
          kind: api.SpanKind.CLIENT,
          links,
          attributes: {
            [SYSTEM]: request.system,
            [OPERATION_TYPE]: "send",
            [OPERATION_NAME]: "publish",
            [DESTINATION]: request.destination,
            [BATCH_COUNT]: request.spans.length,
          },
        },
        parentContext(request.parent),
      );
      return { end: ({ error }) => finish(span, error) };
    },

    startConsumer(request) {
      const { envelope } = request;
      const producer = parseTraceparent(envelope.traceparent) ?? { traceId: envelope.traceId, spanId: envelope.spanId, sampled: true };
      const producerContext = remote(producer.traceId, producer.spanId, producer.sampled);
      // Parented to the producer so one trace shows the whole flow; the link is what the
      // conventions require and what backends without parent propagation still follow.
      const parent = api.trace.setSpanContext(api.ROOT_CONTEXT, producerContext);
      const span = tracer.startSpan(
        `process ${request.queue}`,
        {
          kind: api.SpanKind.CONSUMER,
          links: [{ context: producerContext }],
          attributes: {
            [SYSTEM]: "aws_sqs",
            [OPERATION_TYPE]: "process",
            [OPERATION_NAME]: "process",
            [DESTINATION]: request.queue,
            [MESSAGE_ID]: request.messageId,
            "sluice.event.type": envelope.type,
            "sluice.event.id": envelope.eventId,
            "sluice.event.version": envelope.version,
            "sluice.receive_count": request.receiveCount,
            ...(envelope.causationId ? { "sluice.causation_id": envelope.causationId } : {}),
          },
        },
        parent,
      );
      const carrier = api.trace.setSpan(parent, span);
      return {
        carrier,
        run: (fn) => api.context.with(carrier, fn),
        end({ outcome, error }) {
          span.setAttribute("sluice.outcome", outcome);
          finish(span, error);
        },
      };
    },
  };
}
