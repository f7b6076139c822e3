import { createHash } from "node:crypto";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { buildEnvelope, type Envelope } from "./envelope.js";
import { MessageValidationError } from "./errors.js";
import { validate, type CommandDefinition, type InputOf } from "./events.js";
import { uuidv7 } from "./ids.js";
import type { Naming } from "./naming.js";
import type { ActivityHub } from "./observability/activity.js";
import type { Instrumentation } from "./observability/instrumentation.js";
import { currentTrace, toXRayHeader } from "./trace-context.js";

export interface SendOptions {
  /** Overrides the definition's groupBy: commands sharing a group are handled one at a time, in order. */
  readonly groupId?: string;
  /**
   * Overrides the definition's deduplicateBy. Within SQS's five-minute window a second send with
   * the same id is dropped; by default that id is a hash of type, version and data, so a retried
   * send of the same command is not handled twice.
   */
  readonly deduplicationId?: string;
  readonly occurredAt?: Date;
}

export interface CommandSenderDeps {
  readonly service: string;
  readonly sqs: SQSClient;
  readonly naming: Naming;
  readonly queueUrl: (queueName: string) => Promise<string>;
  readonly instrumentation: Instrumentation;
  readonly activity: ActivityHub;
}

const GROUP_ID = /^[\x21-\x7e]{1,128}$/;

/** Sends asynchronous commands to the FIFO command queue of the service that handles them. */
export class CommandSender {
  readonly #deps: CommandSenderDeps;

  constructor(deps: CommandSenderDeps) {
    this.#deps = deps;
  }

  async send<D extends CommandDefinition>(definition: D, data: InputOf<D["schema"]>, options: SendOptions = {}): Promise<Envelope> {
    if (definition.kind !== "command") throw new TypeError(`${String(definition.name)} is not a command; publish events with bus.publish()`);
    const checked = await validate(definition.schema, data);
    if (!checked.ok) throw new MessageValidationError(definition.name, definition.version, checked.issues);
    const value = checked.value;
    const groupId = options.groupId ?? definition.groupBy(value);
    if (!GROUP_ID.test(groupId)) throw new TypeError(`${definition.name}: group id "${groupId}" must be 1-128 printable ASCII characters`);
    const { service, sqs, naming, instrumentation, activity } = this.#deps;
    const queue = naming.commandQueue(definition.target);
    const queueUrl = await this.#deps.queueUrl(queue);
    const eventId = uuidv7();
    const parent = currentTrace();
    const span = instrumentation.startProducer({ system: "aws_sqs", operation: "send", destination: queue, eventType: definition.name, eventId, parent });
    const envelope = buildEnvelope({
      eventId,
      kind: "command",
      type: definition.name,
      version: definition.version,
      source: service,
      context: definition.context,
      traceId: span.traceId,
      spanId: span.spanId,
      sampled: span.sampled,
      causationId: parent?.causationId ?? null,
      occurredAt: options.occurredAt ?? new Date(),
      data: value,
    });
    const deduplicationId = dedupId(options.deduplicationId ?? definition.deduplicateBy(value) ?? contentKey(definition.name, definition.version, value));
    try {
      const result = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(envelope),
          MessageGroupId: groupId,
          MessageDeduplicationId: deduplicationId,
          // Also in AWSTraceHeader, which AWS tooling reads and which costs no message attribute.
          MessageSystemAttributes: {
            AWSTraceHeader: { DataType: "String", StringValue: toXRayHeader({ traceId: span.traceId, spanId: span.spanId, sampled: span.sampled }) },
          },
        }),
      );
      span.end({ messageId: result.MessageId });
      activity.emit({ type: "sent", service, envelope, destination: queue, messageId: result.MessageId ?? "", groupId });
      return envelope;
    } catch (error) {
      span.end({ error });
      throw error;
    }
  }
}

/** SQS caps deduplication ids at 128 characters; longer keys are hashed rather than rejected. */
function dedupId(key: string): string {
  return GROUP_ID.test(key) ? key : createHash("sha256").update(key).digest("hex");
}

function contentKey(type: string, version: number, data: unknown): string {
  return createHash("sha256").update(`${type}\n${version}\n${canonicalJson(data)}`).digest("hex");
}

/** JSON with object keys sorted, so equal data hashes equally whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
