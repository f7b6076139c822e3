import { isUuidV7 } from "./ids.js";
import { formatTraceparent } from "./trace-context.js";

/**
 * What travels in the message body. Everything a consumer needs to dedupe, route, trace and
 * version a message is here, so the 10 message attributes SQS allows stay free for the owner.
 */
export interface Envelope<Type extends string = string, Data = unknown> {
  /** UUID v7; the key consumers dedupe on. */
  readonly eventId: string;
  readonly kind: "event" | "command";
  readonly type: Type;
  readonly version: number;
  /** The service that published the event or sent the command. */
  readonly source: string;
  /** Business context, e.g. ORDER_PROCESSING. */
  readonly context: string;
  /** Shared by every message of one business flow. */
  readonly traceId: string;
  /** This message's own span. */
  readonly spanId: string;
  /** spanId of the message whose handling caused this one; null when the flow started outside. */
  readonly causationId: string | null;
  /** W3C trace context of this message (`00-<traceId>-<spanId>-<flags>`), for tracing backends. */
  readonly traceparent: string;
  /** ISO-8601 instant. */
  readonly occurredAt: string;
  readonly data: Data;
}

export interface EnvelopeFields {
  readonly eventId: string;
  readonly kind: "event" | "command";
  readonly type: string;
  readonly version: number;
  readonly source: string;
  readonly context: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly causationId: string | null;
  readonly occurredAt: Date;
  readonly data: unknown;
}

export function buildEnvelope(fields: EnvelopeFields): Envelope {
  return {
    eventId: fields.eventId,
    kind: fields.kind,
    type: fields.type,
    version: fields.version,
    source: fields.source,
    context: fields.context,
    traceId: fields.traceId,
    spanId: fields.spanId,
    causationId: fields.causationId,
    traceparent: formatTraceparent({ traceId: fields.traceId, spanId: fields.spanId, sampled: fields.sampled }),
    occurredAt: fields.occurredAt.toISOString(),
    data: fields.data,
  };
}

export type ParsedBody =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly detail: string };

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads an envelope from an SQS body. Subscriptions are created with raw delivery, but a body may
 * still be an SNS notification (a subscription created by hand, or a broker without raw delivery),
 * so the SNS wrapper is unwrapped when present.
 */
export function parseBody(body: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, detail: "body is not JSON" };
  }
  if (isRecord(value) && value["Type"] === "Notification" && typeof value["Message"] === "string" && !("eventId" in value)) {
    return parseBody(value["Message"]);
  }
  return checkEnvelope(value);
}

export function checkEnvelope(value: unknown): ParsedBody {
  if (!isRecord(value)) return { ok: false, detail: "body is not a JSON object" };
  const problems: string[] = [];
  const text = (key: string): string => {
    const field = value[key];
    if (typeof field !== "string" || field.length === 0) problems.push(`${key} must be a non-empty string`);
    return typeof field === "string" ? field : "";
  };
  const eventId = text("eventId");
  if (eventId && !isUuidV7(eventId)) problems.push("eventId must be a UUID v7");
  const kind = value["kind"] === "command" ? "command" : "event";
  const type = text("type");
  const version = value["version"];
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) problems.push("version must be a positive integer");
  const source = text("source");
  const context = text("context");
  const traceId = text("traceId");
  if (traceId && !HEX32.test(traceId)) problems.push("traceId must be 32 lowercase hex digits");
  const spanId = text("spanId");
  if (spanId && !HEX16.test(spanId)) problems.push("spanId must be 16 lowercase hex digits");
  const causation = value["causationId"];
  if (causation !== null && (typeof causation !== "string" || !HEX16.test(causation))) problems.push("causationId must be null or a spanId");
  const traceparent = text("traceparent");
  const occurredAt = text("occurredAt");
  if (occurredAt && Number.isNaN(Date.parse(occurredAt))) problems.push("occurredAt must be an ISO-8601 date");
  if (!("data" in value)) problems.push("data is missing");
  if (problems.length > 0) return { ok: false, detail: `not an envelope: ${problems.join("; ")}` };
  return {
    ok: true,
    envelope: {
      eventId,
      kind,
      type,
      version: version as number,
      source,
      context,
      traceId,
      spanId,
      causationId: causation as string | null,
      traceparent,
      occurredAt,
      data: value["data"],
    },
  };
}
