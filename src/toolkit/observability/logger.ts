import type { BusActivity } from "./activity.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogRecord {
  readonly level: LogLevel;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Anything that takes structured records: wrap pino, winston or console in one line. */
export interface Logger {
  log(record: LogRecord): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  /** Defaults to stdout. */
  readonly write?: (line: string) => void;
}

/** One JSON object per line, the shape log collectors ingest without configuration. */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  return {
    log(record) {
      if (ORDER[record.level] < threshold) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), ...record }, replacer)}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The log line for each message outcome: always with eventId and traceId, so one grep finds a flow. */
export function activityRecord(activity: BusActivity): LogRecord {
  switch (activity.type) {
    case "published":
    case "sent":
      return {
        level: "debug",
        msg: `${activity.type} ${activity.envelope.type}`,
        service: activity.service,
        outcome: activity.type,
        eventId: activity.envelope.eventId,
        traceId: activity.envelope.traceId,
        eventType: activity.envelope.type,
        destination: activity.destination,
        messageId: activity.messageId,
      };
    case "handled":
    case "retried":
    case "duplicate": {
      const base = {
        service: activity.service,
        outcome: activity.type,
        consumer: activity.consumer,
        queue: activity.queue,
        eventId: activity.envelope.eventId,
        traceId: activity.envelope.traceId,
        eventType: activity.envelope.type,
        messageId: activity.messageId,
        receiveCount: activity.receiveCount,
      };
      if (activity.type === "handled") return { level: "info", msg: `handled ${activity.envelope.type}`, ...base, durationMs: activity.durationMs };
      if (activity.type === "duplicate") return { level: "info", msg: `duplicate ${activity.envelope.type} (${activity.state})`, ...base, state: activity.state };
      return { level: "warn", msg: `retrying ${activity.envelope.type} in ${activity.delaySeconds}s`, ...base, delaySeconds: activity.delaySeconds, error: describeError(activity.error) };
    }
    case "dead-lettered":
      return {
        level: "error",
        msg: `dead-lettered ${activity.envelope?.type ?? "message"}: ${activity.reason}`,
        service: activity.service,
        outcome: activity.type,
        consumer: activity.consumer,
        queue: activity.queue,
        eventId: activity.envelope?.eventId ?? null,
        traceId: activity.envelope?.traceId ?? null,
        eventType: activity.envelope?.type ?? null,
        messageId: activity.messageId,
        receiveCount: activity.receiveCount,
        reason: activity.reason,
        detail: activity.detail,
        via: activity.via,
      };
    case "handed-back":
      return { level: "info", msg: `handed back ${activity.count} unstarted message(s)`, service: activity.service, outcome: activity.type, consumer: activity.consumer, queue: activity.queue, count: activity.count };
  }
}
