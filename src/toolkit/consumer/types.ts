import type { Envelope } from "../envelope.js";
import type { IdempotencyStore } from "../idempotency/store.js";
import type { LogLevel } from "../observability/logger.js";
import type { BackoffOptions } from "./backoff.js";

export interface HandlerContext {
  /** The consumer's use case, e.g. "send-email-on-user-registered". */
  readonly consumer: string;
  readonly queue: string;
  readonly messageId: string;
  /** 1 on the first delivery; SQS moves the message to the DLQ once it passes maxReceiveCount. */
  readonly receiveCount: number;
  readonly traceId: string;
  /** The handled message's spanId; everything published from this handler cites it as causationId. */
  readonly spanId: string;
  /** Aborted when a shutdown outlasts the drain timeout. */
  readonly signal: AbortSignal;
  /** A structured log line that carries this message's eventId and traceId. */
  log(level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

export type Handler<E> = (event: E, context: HandlerContext) => Promise<void> | void;

/** What the registry stores: handlers with their event type erased. */
export type ErasedHandler = (event: Envelope, context: HandlerContext) => Promise<void> | void;

export interface ConsumerOptions {
  /** Deliveries before SQS moves a failing message to the DLQ. Default 5. */
  readonly maxReceiveCount?: number;
  /** Messages handled at once; above 10 several long polls run side by side. Default 10. */
  readonly concurrency?: number;
  /** Seconds a received message stays invisible; the heartbeat extends it. Default 30. */
  readonly visibilityTimeout?: number;
  /** Seconds between visibility extensions. Default a third of the visibility timeout. */
  readonly heartbeatSeconds?: number;
  /** Long-poll length, 0-20. Shutdown waits for polls in progress, so this bounds drain time. Default 10. */
  readonly waitTimeSeconds?: number;
  readonly backoff?: BackoffOptions;
  /**
   * Give every instance its own queue (deleted on shutdown) so each sees every event, e.g. to keep
   * an in-process cache up to date. Instances share one DLQ.
   */
  readonly perInstance?: boolean;
  /** Overrides the bus's idempotency store for this consumer; false turns deduplication off. */
  readonly idempotency?: IdempotencyStore | false;
}

export interface ResolvedConsumerOptions {
  readonly maxReceiveCount: number;
  readonly concurrency: number;
  readonly visibilityTimeout: number;
  readonly heartbeatSeconds: number | undefined;
  readonly waitTimeSeconds: number;
  readonly backoff: BackoffOptions;
  readonly perInstance: boolean;
  readonly idempotency: IdempotencyStore | false | undefined;
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  const visibilityTimeout = integer("visibilityTimeout", options.visibilityTimeout ?? 30, 1, 43200);
  if (options.heartbeatSeconds !== undefined && !(options.heartbeatSeconds > 0 && options.heartbeatSeconds < visibilityTimeout)) {
    throw new RangeError("heartbeatSeconds must be above 0 and below visibilityTimeout");
  }
  return {
    maxReceiveCount: integer("maxReceiveCount", options.maxReceiveCount ?? 5, 1, 1000),
    concurrency: integer("concurrency", options.concurrency ?? 10, 1, 10000),
    visibilityTimeout,
    heartbeatSeconds: options.heartbeatSeconds,
    waitTimeSeconds: integer("waitTimeSeconds", options.waitTimeSeconds ?? 10, 0, 20),
    backoff: options.backoff ?? {},
    perInstance: options.perInstance ?? false,
    idempotency: options.idempotency,
  };
}
