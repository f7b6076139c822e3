/**
 * sluice/toolkit — services talking through SNS topics and SQS queues by one convention, on the
 * AWS SDK alone, so the same code runs against Sluice and against AWS. See docs/toolkit.md.
 */
export { connectBus, type Bus, type BusOptions } from "./bus.js";
export type { AwsConnectionOptions } from "./clients.js";
export {
  defineEvent,
  defineCommand,
  type EventDefinition,
  type CommandDefinition,
  type MessageDefinition,
  type DefineEventOptions,
  type DefineCommandOptions,
  type EvolveOptions,
  type EventDraft,
  type EventOf,
  type CommandOf,
  type InputOf,
  type OutputOf,
} from "./events.js";
export { parseBody, type Envelope, type ParsedBody } from "./envelope.js";
export { MessageValidationError, PublishError, type FailedEntry } from "./errors.js";
export { uuidv7, isUuidV7 } from "./ids.js";
export {
  currentTrace,
  withTrace,
  formatTraceparent,
  parseTraceparent,
  toXRayHeader,
  type ActiveTrace,
  type TraceparentParts,
} from "./trace-context.js";
export { createNaming, type Naming, type NamingOptions } from "./naming.js";
export type { PublishOptions } from "./publisher.js";
export type { SendOptions } from "./commands.js";
export type { ConsumerOptions, Handler, HandlerContext } from "./consumer/types.js";
export type { BackoffOptions } from "./consumer/backoff.js";
export type { ConsumerHandle } from "./consumer/declaration.js";
export { DeadLetterQueue, REASON_ATTRIBUTE, DETAIL_ATTRIBUTE, SOURCE_ATTRIBUTE, type DeadLetter } from "./consumer/dead-letter.js";
export type { IdempotencyStore, ClaimResult } from "./idempotency/store.js";
export { memoryIdempotencyStore } from "./idempotency/memory.js";
export { sqliteIdempotencyStore, type SqliteIdempotencyOptions } from "./idempotency/sqlite.js";
export { redisIdempotencyStore, type RedisIdempotencyOptions } from "./idempotency/redis.js";
export { jsonLogger, silentLogger, type Logger, type LogRecord, type LogLevel, type JsonLoggerOptions } from "./observability/logger.js";
export type {
  BusActivity,
  ActivityListener,
  DeadLetterReason,
  PublishedActivity,
  SentActivity,
  HandledActivity,
  RetriedActivity,
  DuplicateActivity,
  DeadLetteredActivity,
  HandedBackActivity,
} from "./observability/activity.js";
export type { OpenTelemetryOptions } from "./observability/otel.js";
export { EVENT_TYPE_ATTRIBUTE } from "./topology/policies.js";
export { TopologyError, type TopologyPlan, type PlanStep, type TopologyMode } from "./topology/plan.js";
