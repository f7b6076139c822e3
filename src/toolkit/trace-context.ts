import { AsyncLocalStorage } from "node:async_hooks";
import { newTraceId } from "./ids.js";

/** The trace a piece of work belongs to, carried implicitly across awaits. */
export interface ActiveTrace {
  readonly traceId: string;
  readonly sampled: boolean;
  /**
   * spanId of the message being handled, or null outside a handler. Everything published while it
   * is set cites it as `causationId`.
   */
  readonly causationId: string | null;
  /** spanId of the caller's own span when the flow was joined from a W3C `traceparent`. */
  readonly parentSpanId: string | null;
  /**
   * Context of the optional tracing backend. Kept here so spans nest correctly even when the
   * application never registered an OpenTelemetry context manager.
   */
  readonly carrier?: unknown;
}

const storage = new AsyncLocalStorage<ActiveTrace>();

export function currentTrace(): ActiveTrace | undefined {
  return storage.getStore();
}

export function runInTrace<T>(trace: ActiveTrace, fn: () => T): T {
  return storage.run(trace, fn);
}

/**
 * Runs `fn` as the start of a new flow (a fresh traceId), or joins the flow of an incoming W3C
 * `traceparent` (e.g. from an HTTP request) so events published inside carry the caller's trace.
 */
export function withTrace<T>(fn: () => T, options: { traceparent?: string } = {}): T {
  const parsed = options.traceparent === undefined ? undefined : parseTraceparent(options.traceparent);
  return storage.run(
    {
      traceId: parsed?.traceId ?? newTraceId(),
      sampled: parsed?.sampled ?? true,
      causationId: null,
      parentSpanId: parsed?.spanId ?? null,
    },
    fn,
  );
}

export interface TraceparentParts {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function formatTraceparent(parts: TraceparentParts): string {
  return `00-${parts.traceId}-${parts.spanId}-${parts.sampled ? "01" : "00"}`;
}

/** Parses a W3C `traceparent`; returns undefined for anything the spec says to ignore. */
export function parseTraceparent(header: string): TraceparentParts | undefined {
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === "ff" || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * The same trace written as an AWS X-Ray header, so AWS-side tooling that reads `AWSTraceHeader`
 * on SQS messages sees the flow too.
 */
export function toXRayHeader(parts: TraceparentParts): string {
  return `Root=1-${parts.traceId.slice(0, 8)}-${parts.traceId.slice(8)};Parent=${parts.spanId};Sampled=${parts.sampled ? 1 : 0}`;
}
