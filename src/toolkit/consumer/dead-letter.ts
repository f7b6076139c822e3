import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type MessageSystemAttributeNameForSends,
  type MessageSystemAttributeValue,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { parseBody, type Envelope } from "../envelope.js";
import type { DeadLetterReason } from "../observability/activity.js";

/** Message attributes that say why the toolkit dead-lettered a message (3 of the 10 allowed). */
export const REASON_ATTRIBUTE = "dead-letter-reason";
export const DETAIL_ATTRIBUTE = "dead-letter-detail";
export const SOURCE_ATTRIBUTE = "dead-letter-source";
const OURS = new Set([REASON_ATTRIBUTE, DETAIL_ATTRIBUTE, SOURCE_ATTRIBUTE]);
const MAX_ATTRIBUTES = 10;
const MAX_DETAIL = 1024;

export const RECEIVE_SYSTEM_ATTRIBUTES = ["ApproximateReceiveCount", "SentTimestamp", "MessageGroupId", "AWSTraceHeader"] as const;

function carriedAttributes(message: Message): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).filter(([name]) => !OURS.has(name)));
}

function traceHeader(message: Message): Partial<Record<MessageSystemAttributeNameForSends, MessageSystemAttributeValue>> | undefined {
  const header = message.Attributes?.["AWSTraceHeader"];
  return header ? { AWSTraceHeader: { DataType: "String", StringValue: header } } : undefined;
}

export interface DeadLetterTarget {
  readonly sqs: SQSClient;
  readonly url: string;
  readonly fifo: boolean;
  readonly sourceQueue: string;
}

/**
 * Puts a message that can never succeed (not an envelope, unknown type, invalid data) straight
 * into the DLQ with the reason attached, instead of letting it burn every retry first.
 */
export async function sendToDeadLetter(target: DeadLetterTarget, message: Message, reason: DeadLetterReason, detail: string): Promise<void> {
  const ours: Record<string, MessageAttributeValue> = {
    [REASON_ATTRIBUTE]: { DataType: "String", StringValue: reason },
    [DETAIL_ATTRIBUTE]: { DataType: "String", StringValue: detail.slice(0, MAX_DETAIL) || "-" },
    [SOURCE_ATTRIBUTE]: { DataType: "String", StringValue: target.sourceQueue },
  };
  const carried = carriedAttributes(message);
  // The reason matters more than attributes someone else put on the message, if both do not fit.
  const attributes = Object.keys(carried).length + 3 <= MAX_ATTRIBUTES ? { ...carried, ...ours } : ours;
  await target.sqs.send(
    new SendMessageCommand({
      QueueUrl: target.url,
      MessageBody: message.Body ?? "",
      MessageAttributes: attributes,
      MessageSystemAttributes: traceHeader(message),
      ...(target.fifo ? { MessageGroupId: message.Attributes?.["MessageGroupId"] ?? "dead-letters", MessageDeduplicationId: message.MessageId } : {}),
    }),
  );
}

export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  /** Undefined when the body is not an envelope (one of the reasons it may be here). */
  readonly envelope: Envelope | undefined;
  /** Set when the toolkit dead-lettered it; undefined when SQS moved it after maxReceiveCount. */
  readonly reason: string | undefined;
  readonly detail: string | undefined;
  readonly receiveCount: number;
  readonly sentAt: Date | undefined;
}

export interface DeadLetterQueueOptions {
  readonly sqs: SQSClient;
  readonly name: string;
  readonly url: () => Promise<string>;
  readonly sourceName: string;
  readonly sourceUrl: () => Promise<string>;
  readonly fifo: boolean;
}

function toDeadLetter(message: Message): DeadLetter {
  const parsed = parseBody(message.Body ?? "");
  const sent = Number(message.Attributes?.["SentTimestamp"]);
  return {
    messageId: message.MessageId ?? "",
    body: message.Body ?? "",
    envelope: parsed.ok ? parsed.envelope : undefined,
    reason: message.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue,
    detail: message.MessageAttributes?.[DETAIL_ATTRIBUTE]?.StringValue,
    receiveCount: Number(message.Attributes?.["ApproximateReceiveCount"] ?? 0),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent) : undefined,
  };
}

/** A consumer's DLQ: look at what is in it, and move messages back once the handler is fixed. */
export class DeadLetterQueue {
  readonly name: string;
  readonly #options: DeadLetterQueueOptions;

  constructor(options: DeadLetterQueueOptions) {
    this.name = options.name;
    this.#options = options;
  }

  /** Approximate, as SQS reports it. */
  async count(): Promise<number> {
    const url = await this.#options.url();
    const result = await this.#options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
    return Number(result.Attributes?.["ApproximateNumberOfMessages"] ?? 0);
  }

  /** Reads up to `max` dead letters without removing them; they are visible again afterwards. */
  async inspect(options: { readonly max?: number } = {}): Promise<DeadLetter[]> {
    const seen = new Map<string, Message>();
    await this.#scan(options.max ?? 100, async (batch) => {
      for (const message of batch) if (message.MessageId) seen.set(message.MessageId, message);
      return [];
    });
    return [...seen.values()].map(toDeadLetter);
  }

  /**
   * Moves dead letters back to the source queue (all, or those `filter` accepts), dropping the
   * toolkit's reason attributes. The receive count starts again, as with SQS's own redrive.
   */
  async redrive(options: { readonly filter?: (letter: DeadLetter) => boolean; readonly max?: number } = {}): Promise<{ readonly moved: number }> {
    const { sqs, fifo } = this.#options;
    const sourceUrl = await this.#options.sourceUrl();
    let moved = 0;
    await this.#scan(options.max ?? Number.POSITIVE_INFINITY, async (batch) => {
      const chosen = batch.filter((message) => !options.filter || options.filter(toDeadLetter(message)));
      if (chosen.length === 0) return [];
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: sourceUrl,
          Entries: chosen.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body ?? "",
            MessageAttributes: carriedAttributes(message),
            MessageSystemAttributes: traceHeader(message),
            ...(fifo ? { MessageGroupId: message.Attributes?.["MessageGroupId"] ?? "redrive", MessageDeduplicationId: `redrive-${message.MessageId}` } : {}),
          })),
        }),
      );
      const done = (sent.Successful ?? []).map((entry) => chosen[Number(entry.Id)]!);
      moved += done.length;
      return done;
    });
    return { moved };
  }

  /**
   * Receives batches while holding them invisible, so one pass sees each message once, then
   * deletes what `visit` returns and makes the rest visible again.
   */
  async #scan(max: number, visit: (batch: Message[]) => Promise<Message[]>): Promise<void> {
    const { sqs } = this.#options;
    const url = await this.#options.url();
    const held: Message[] = [];
    let count = 0;
    try {
      while (count < max) {
        const result = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: Math.min(10, max - count),
            WaitTimeSeconds: 1,
            VisibilityTimeout: 60,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: [...RECEIVE_SYSTEM_ATTRIBUTES],
          }),
        );
        const batch = result.Messages ?? [];
        if (batch.length === 0) break;
        count += batch.length;
        const remove = new Set(await visit(batch));
        if (remove.size > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: [...remove].map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
            }),
          );
        }
        held.push(...batch.filter((message) => !remove.has(message)));
      }
    } finally {
      for (let index = 0; index < held.length; index += 10) {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: url,
            Entries: held.slice(index, index + 10).map((message, offset) => ({ Id: String(offset), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        );
      }
    }
  }
}
