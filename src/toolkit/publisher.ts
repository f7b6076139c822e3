import { PublishBatchCommand, PublishCommand, type MessageAttributeValue, type SNSClient } from "@aws-sdk/client-sns";
import { buildEnvelope, type Envelope } from "./envelope.js";
import { MessageValidationError, PublishError, type FailedEntry } from "./errors.js";
import { validate, type EventDefinition, type EventDraft } from "./events.js";
import { uuidv7, isUuidV7 } from "./ids.js";
import type { ActivityHub } from "./observability/activity.js";
import type { Instrumentation, ProducerSpan } from "./observability/instrumentation.js";
import { EVENT_TYPE_ATTRIBUTE } from "./topology/policies.js";
import { currentTrace } from "./trace-context.js";

export interface PublishOptions {
  /** When the fact happened; defaults to now. */
  readonly occurredAt?: Date;
  /** A UUID v7 you minted earlier (e.g. stored in an outbox) so a re-publish dedupes downstream. */
  readonly eventId?: string;
}

export interface PublisherDeps {
  readonly service: string;
  readonly sns: SNSClient;
  readonly topicName: string;
  readonly topicArn: () => Promise<string>;
  readonly instrumentation: Instrumentation;
  readonly activity: ActivityHub;
}

const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;
const PARALLEL_BATCHES = 4;

interface Prepared {
  readonly envelope: Envelope;
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly bytes: number;
  readonly span: ProducerSpan;
}

interface Draft {
  readonly definition: EventDefinition;
  readonly data: unknown;
  readonly options: PublishOptions;
}

/** Publishes a service's domain events to its own topic, validated and carrying the active trace. */
export class Publisher {
  readonly #deps: PublisherDeps;

  constructor(deps: PublisherDeps) {
    this.#deps = deps;
  }

  async publish(definition: EventDefinition, data: unknown, options: PublishOptions = {}): Promise<Envelope> {
    const [validated] = await this.#validate([{ definition, data, options }]);
    const { sns, topicName, activity, service } = this.#deps;
    const topicArn = await this.#deps.topicArn();
    const entry = this.#prepare(validated!, "publish");
    try {
      const result = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: entry.body, MessageAttributes: entry.attributes }));
      entry.span.end({ messageId: result.MessageId });
      activity.emit({ type: "published", service, envelope: entry.envelope, destination: topicName, messageId: result.MessageId ?? "" });
      return entry.envelope;
    } catch (error) {
      entry.span.end({ error });
      throw error;
    }
  }

  /** Publishes several events with PublishBatch (10 per call). All are validated before any is sent. */
  async publishMany(drafts: readonly EventDraft[], options: PublishOptions = {}): Promise<Envelope[]> {
    if (drafts.length === 0) return [];
    const validated = await this.#validate(drafts.map((draft) => ({ definition: draft.definition, data: draft.data, options: { occurredAt: options.occurredAt } })));
    const topicArn = await this.#deps.topicArn();
    const prepared = validated.map((draft) => this.#prepare(draft, "create"));
    const batches = pack(prepared);
    const published: Envelope[] = [];
    const failed: FailedEntry[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await this.#sendBatch(topicArn, batch, published, failed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
    if (failed.length > 0) throw new PublishError(failed, published);
    // Callers get envelopes in the order they passed drafts, whatever order batches finished in.
    const order = new Map(prepared.map((entry, index) => [entry.envelope.eventId, index]));
    return published.sort((a, b) => order.get(a.eventId)! - order.get(b.eventId)!);
  }

  async #validate(drafts: readonly Draft[]): Promise<Array<Draft & { readonly value: unknown }>> {
    const { service } = this.#deps;
    return Promise.all(
      drafts.map(async (draft) => {
        const { definition } = draft;
        if (definition.kind !== "event") throw new TypeError(`${String(definition.name)} is not an event; send commands with bus.send()`);
        if (definition.source !== service) {
          throw new TypeError(`${definition.name} belongs to "${definition.source}"; service "${service}" publishes only its own events`);
        }
        if (draft.options.eventId !== undefined && !isUuidV7(draft.options.eventId)) throw new TypeError("eventId must be a UUID v7");
        const result = await validate(definition.schema, draft.data);
        if (!result.ok) throw new MessageValidationError(definition.name, definition.version, result.issues);
        return { ...draft, value: result.value };
      }),
    );
  }

  #prepare(draft: Draft & { readonly value: unknown }, operation: "publish" | "create"): Prepared {
    const { definition } = draft;
    const eventId = draft.options.eventId ?? uuidv7();
    const parent = currentTrace();
    const span = this.#deps.instrumentation.startProducer({
      system: "aws.sns",
      operation,
      destination: this.#deps.topicName,
      eventType: definition.name,
      eventId,
      parent,
    });
    const envelope = buildEnvelope({
      eventId,
      kind: "event",
      type: definition.name,
      version: definition.version,
      source: this.#deps.service,
      context: definition.context,
      traceId: span.traceId,
      spanId: span.spanId,
      sampled: span.sampled,
      causationId: parent?.causationId ?? null,
      occurredAt: draft.options.occurredAt ?? new Date(),
      data: draft.value,
    });
    const body = JSON.stringify(envelope);
    const attributes = { [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: definition.name } };
    const bytes = Buffer.byteLength(body) + EVENT_TYPE_ATTRIBUTE.length + "String".length + Buffer.byteLength(definition.name);
    if (bytes > MAX_BATCH_BYTES) {
      span.end({ error: new RangeError("too large") });
      throw new RangeError(`${definition.name} ${eventId} is ${bytes} bytes; SNS accepts at most ${MAX_BATCH_BYTES}`);
    }
    return { envelope, body, attributes, bytes, span };
  }

  async #sendBatch(topicArn: string, batch: readonly Prepared[], published: Envelope[], failed: FailedEntry[]): Promise<void> {
    const { sns, topicName, activity, service, instrumentation } = this.#deps;
    const batchSpan = instrumentation.startBatch({ system: "aws.sns", destination: topicName, spans: batch.map((entry) => entry.span), parent: currentTrace() });
    try {
      const result = await sns.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: batch.map((entry, index) => ({ Id: String(index), Message: entry.body, MessageAttributes: entry.attributes })),
        }),
      );
      for (const success of result.Successful ?? []) {
        const entry = batch[Number(success.Id)]!;
        entry.span.end({ messageId: success.MessageId });
        published.push(entry.envelope);
        activity.emit({ type: "published", service, envelope: entry.envelope, destination: topicName, messageId: success.MessageId ?? "" });
      }
      for (const failure of result.Failed ?? []) {
        const entry = batch[Number(failure.Id)]!;
        entry.span.end({ error: new Error(failure.Message ?? failure.Code) });
        failed.push({ envelope: entry.envelope, code: failure.Code ?? "Unknown", message: failure.Message ?? "" });
      }
      batchSpan.end({});
    } catch (error) {
      for (const entry of batch) {
        entry.span.end({ error });
        failed.push({ envelope: entry.envelope, code: (error as { name?: string }).name ?? "Error", message: error instanceof Error ? error.message : String(error) });
      }
      batchSpan.end({ error });
    }
  }
}

/** Groups entries into PublishBatch calls within SNS's limits of 10 entries and 256 KiB per call. */
function pack(entries: readonly Prepared[]): Prepared[][] {
  const batches: Prepared[][] = [];
  let current: Prepared[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + entry.bytes > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
