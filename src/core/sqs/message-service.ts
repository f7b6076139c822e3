import type { Clock } from "../clock.js";
import { SqsError, invalidParameter } from "../errors.js";
import type { Caller } from "../identity.js";
import type { LongPoll } from "../long-poll.js";
import type { NewMessage, StoredMessage, Store } from "../../store/types.js";
import { perEntry, validateBatch, type BatchFailure } from "./batch.js";
import { sequenceBatch } from "./fifo-batch.js";
import { messageSize } from "./message-attributes.js";
import type { Queue } from "./queue.js";
import { decodeReceiptHandle } from "./receipt-handle.js";
import { renderReceived, type ReceivedMessage } from "./receiving.js";
import type { QueueRegistry } from "./queue-registry.js";
import {
  DEDUP_WINDOW_MS,
  prepareMessage,
  type PreparedMessage,
  type SendInput,
  type SendOutput,
} from "./sending.js";

export interface ReceiveInput {
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  ReceiveRequestAttemptId?: string;
}

export interface BatchResult<T> {
  Successful: T[];
  Failed: BatchFailure[];
}

const MAX_BATCH_BYTES = 1048576;

interface ReceiveAttempt {
  messages: ReceivedMessage[];
  until: number;
}

/**
 * A batch entry's result: the send's output under the entry's Id, fields in the same order as the output.
 * Written out rather than spread: `{ Id, ...output }` made V8 build a fresh hidden class per entry.
 */
function withId(id: string, output: SendOutput): SendOutput & { Id: string } {
  return {
    Id: id,
    MessageId: output.MessageId,
    MD5OfMessageBody: output.MD5OfMessageBody,
    MD5OfMessageAttributes: output.MD5OfMessageAttributes,
    MD5OfMessageSystemAttributes: output.MD5OfMessageSystemAttributes,
    SequenceNumber: output.SequenceNumber,
  };
}

/** A FIFO send's output: the message's (or, for a duplicate, the original's) id and sequence number. */
function sequenced(output: SendOutput, sequenceNumber: string | undefined, messageId: string): SendOutput {
  const out: SendOutput = { MessageId: messageId, MD5OfMessageBody: output.MD5OfMessageBody };
  if (output.MD5OfMessageAttributes !== undefined) out.MD5OfMessageAttributes = output.MD5OfMessageAttributes;
  if (output.MD5OfMessageSystemAttributes !== undefined) {
    out.MD5OfMessageSystemAttributes = output.MD5OfMessageSystemAttributes;
  }
  out.SequenceNumber = sequenceNumber;
  return out;
}

const NO_NAMES: readonly string[] = [];

/** AttributeNames and MessageSystemAttributeNames ask for the same things; copied only when both are given. */
function systemNamesOf(input: ReceiveInput): readonly string[] {
  const legacy = input.AttributeNames;
  const current = input.MessageSystemAttributeNames;
  if (!current || current.length === 0) return legacy ?? NO_NAMES;
  if (!legacy || legacy.length === 0) return current;
  return [...legacy, ...current];
}

/** Sending, receiving and settling messages: the rules of the message lifecycle. */
export class MessageService {
  private attempts = new Map<string, ReceiveAttempt>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly registry: QueueRegistry,
    private readonly longPoll: LongPoll,
  ) {}

  send(caller: Caller, queue: Queue, input: SendInput, traceHeader?: string): SendOutput {
    const prepared = prepareMessage(queue, caller, input, this.clock.now(), traceHeader);
    return this.commit(queue, [prepared])[0];
  }

  sendBatch(
    caller: Caller,
    queue: Queue,
    entries: Array<SendInput & { Id?: string }> | undefined,
    traceHeader?: string,
  ): BatchResult<SendOutput & { Id: string }> {
    validateBatch(entries, "SendMessageBatchRequestEntry");
    const list = entries ?? [];
    const total = list.reduce((sum, e) => sum + messageSize(e.MessageBody ?? "", e.MessageAttributes), 0);
    if (total > MAX_BATCH_BYTES) {
      throw new SqsError(
        "BatchRequestTooLong",
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
    const now = this.clock.now();
    const { successful, failed } = perEntry(list, (entry) => prepareMessage(queue, caller, entry, now, traceHeader));
    const outputs = this.commit(
      queue,
      successful.map((s) => s.result),
    );
    return {
      Successful: successful.map((s, i) => withId(s.entry.Id ?? "", outputs[i])),
      Failed: failed,
    };
  }

  /** Stores prepared messages atomically (FIFO: deduplicated and sequenced) and wakes receivers. */
  private commit(queue: Queue, prepared: PreparedMessage[]): SendOutput[] {
    if (prepared.length === 0) return [];
    const outputs = this.store.transaction(() => this.write(queue, prepared, this.clock.now()));
    this.wake(queue, prepared);
    return outputs;
  }

  private write(queue: Queue, prepared: PreparedMessage[], now: number): SendOutput[] {
    if (!queue.fifo) {
      this.store.enqueue(prepared.map((p) => ({ queueId: queue.id, message: p.message })));
      return prepared.map((p) => p.output);
    }
    const keys = prepared.map((p) => p.dedupKey ?? p.message.messageId);
    const origins = sequenceBatch(
      keys,
      (key) => this.store.findDedup(queue.id, key, now),
      (count) => this.store.nextSequence(queue.id, count),
    );
    const outputs: SendOutput[] = [];
    const fresh: Array<{ queueId: number; message: NewMessage }> = [];
    origins.forEach((origin, i) => {
      const p = prepared[i];
      if (origin.kind === "repeat") {
        const first = outputs[origin.of];
        outputs.push(sequenced(p.output, first.SequenceNumber, first.MessageId));
      } else if (origin.kind === "stored") {
        outputs.push(sequenced(p.output, origin.entry.sequenceNumber, origin.entry.messageId));
      } else {
        const { sequenceNumber } = origin;
        // The prepared message is this call's own; setting the field beats copying it with a spread.
        p.message.sequenceNumber = sequenceNumber;
        this.store.recordDedup(queue.id, keys[i], { messageId: p.message.messageId, sequenceNumber }, now + DEDUP_WINDOW_MS);
        fresh.push({ queueId: queue.id, message: p.message });
        outputs.push(sequenced(p.output, sequenceNumber, p.output.MessageId));
      }
    });
    if (fresh.length > 0) this.store.enqueue(fresh);
    return outputs;
  }

  private wake(queue: Queue, prepared: PreparedMessage[]): void {
    const now = this.clock.now();
    const earliest = Math.min(...prepared.map((p) => p.message.visibleAt));
    if (earliest <= now) this.longPoll.notify(queue.id);
    else this.longPoll.wakeAt(queue.id, earliest);
  }

  /**
   * Delivers messages to several queues in one commit, together with `alsoWrite` (e.g. records of other
   * deliveries): either every queue holds its message afterwards or none does. Invalid messages throw
   * before anything is written.
   */
  deliver(
    caller: Caller,
    targets: ReadonlyArray<{ queue: Queue; input: SendInput; traceHeader?: string }>,
    alsoWrite?: () => void,
  ): SendOutput[] {
    const now = this.clock.now();
    const prepared = targets.map((t) => prepareMessage(t.queue, caller, t.input, now, t.traceHeader));
    const outputs = this.store.transaction(() => {
      // Standard queues take their copies in one store call; FIFO ones are deduplicated and sequenced each.
      const standard: Array<{ queueId: number; message: NewMessage }> = [];
      const written = targets.map((t, i) => {
        if (t.queue.fifo) return this.write(t.queue, [prepared[i]], now)[0];
        standard.push({ queueId: t.queue.id, message: prepared[i].message });
        return prepared[i].output;
      });
      if (standard.length > 0) this.store.enqueue(standard);
      alsoWrite?.();
      return written;
    });
    targets.forEach((t, i) => this.wake(t.queue, [prepared[i]]));
    return outputs;
  }

  /** Receives now, or parks until something arrives or the wait runs out. */
  receive(queue: Queue, input: ReceiveInput): Promise<ReceivedMessage[]> {
    const max = input.MaxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameter("MaxNumberOfMessages", max, "Must be between 1 and 10, if provided.");
    }
    const visibility = input.VisibilityTimeout ?? queue.settings.visibilityTimeout;
    if (visibility < 0 || visibility > 43200) {
      throw invalidParameter("VisibilityTimeout", visibility, "Must be >= 0 and <= 43200, if provided.");
    }
    const wait = input.WaitTimeSeconds ?? queue.settings.receiveMessageWaitTimeSeconds;
    if (wait < 0 || wait > 20) {
      throw invalidParameter("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.");
    }
    if (input.ReceiveRequestAttemptId !== undefined && input.ReceiveRequestAttemptId.length > 128) {
      throw invalidParameter("ReceiveRequestAttemptId", input.ReceiveRequestAttemptId, "Must be at most 128 characters.");
    }
    const systemNames = systemNamesOf(input);
    const attemptKey = queue.fifo && input.ReceiveRequestAttemptId ? `${queue.id}\u0000${input.ReceiveRequestAttemptId}` : undefined;
    const retried = attemptKey ? this.attempts.get(attemptKey) : undefined;
    if (retried && retried.until > this.clock.now()) return Promise.resolve(retried.messages);

    const checkedAt = this.clock.now();
    const now = this.take(queue, max, visibility, systemNames, input.MessageAttributeNames, attemptKey);
    if (now.length > 0 || wait === 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      this.longPoll.park(
        queue.id,
        wait * 1000,
        () => {
          if (queue.deleted) {
            resolve([]);
            return true;
          }
          const got = this.take(queue, max, visibility, systemNames, input.MessageAttributeNames, attemptKey);
          if (got.length === 0) return false;
          resolve(got);
          return true;
        },
        () => resolve([]),
        checkedAt,
      );
    });
  }

  // A method rather than a closure per receive: the TypeScript loader names every function bound to a
  // local (`__name`, a defineProperty per call), which showed in the profile.
  private take(
    queue: Queue,
    max: number,
    visibility: number,
    systemNames: readonly string[],
    attributeNames: readonly string[] | undefined,
    attemptKey: string | undefined,
  ): ReceivedMessage[] {
    const stored = this.receiveNow(queue, max, visibility);
    const messages: ReceivedMessage[] = [];
    for (const m of stored) messages.push(renderReceived(m, systemNames, attributeNames));
    if (attemptKey && messages.length > 0) this.rememberAttempt(attemptKey, messages, visibility);
    return messages;
  }

  /**
   * A FIFO receive retried with the same ReceiveRequestAttemptId gets the same messages and handles while
   * they stay invisible (at most five minutes).
   */
  private rememberAttempt(key: string, messages: ReceivedMessage[], visibilitySeconds: number): void {
    const now = this.clock.now();
    for (const [k, v] of this.attempts) if (v.until <= now) this.attempts.delete(k);
    this.attempts.set(key, { messages, until: now + Math.min(visibilitySeconds * 1000, DEDUP_WINDOW_MS) });
  }

  private receiveNow(queue: Queue, max: number, visibilitySeconds: number): StoredMessage[] {
    const now = this.clock.now();
    const redrive = queue.settings.redrivePolicy;
    const target = redrive ? this.registry.byQueueArn(redrive.deadLetterTargetArn) : undefined;
    const result = this.store.receive({
      queueId: queue.id,
      now,
      max,
      visibleAt: now + visibilitySeconds * 1000,
      fifo: queue.fifo,
      redrive:
        redrive && target
          ? {
              maxReceiveCount: redrive.maxReceiveCount,
              deadLetterQueueId: target.id,
              sourceArn: queue.arn,
              deadLetterRetentionMs: target.settings.messageRetentionPeriod * 1000,
            }
          : undefined,
    });
    if (result.movedToDeadLetter > 0 && target) this.longPoll.notify(target.id);
    if (result.messages.length > 0 && this.longPoll.hasWaiters(queue.id)) {
      this.longPoll.wakeAt(queue.id, now + visibilitySeconds * 1000);
    }
    return result.messages;
  }

  delete(queue: Queue, receiptHandle: string | undefined): void {
    const handle = decodeReceiptHandle(receiptHandle ?? "", queue.id);
    const outcome = this.store.deleteMessage(queue.id, handle.seq, handle.token, this.clock.now(), queue.fifo);
    if (outcome === "expired") {
      throw invalidParameter("ReceiptHandle", receiptHandle ?? "", "The receipt handle has expired.");
    }
    if (outcome === "deleted" && queue.fifo) this.longPoll.notify(queue.id);
  }

  deleteBatch(queue: Queue, entries: Array<{ Id?: string; ReceiptHandle?: string }> | undefined): BatchResult<{ Id: string }> {
    validateBatch(entries, "DeleteMessageBatchRequestEntry");
    const { successful, failed } = this.store.transaction(() =>
      perEntry(entries ?? [], (entry) => this.delete(queue, entry.ReceiptHandle)),
    );
    return { Successful: successful.map((s) => ({ Id: s.entry.Id ?? "" })), Failed: failed };
  }

  changeVisibility(queue: Queue, receiptHandle: string | undefined, timeout: number | undefined): void {
    const handleText = receiptHandle ?? "";
    const handle = decodeReceiptHandle(handleText, queue.id);
    const seconds = timeout ?? 0;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43200) {
      throw invalidParameter("VisibilityTimeout", seconds, "Must be >= 0 and <= 43200, if provided.");
    }
    const now = this.clock.now();
    const visibleAt = now + seconds * 1000;
    const outcome = this.store.changeVisibility(queue.id, handle.seq, handle.token, now, visibleAt, 43200 * 1000);
    if (outcome === "not-in-flight") {
      throw invalidParameter(
        "ReceiptHandle",
        handleText,
        "Message does not exist or is not available for visibility timeout change.",
      );
    }
    if (outcome === "beyond-limit") {
      throw invalidParameter(
        "VisibilityTimeout",
        seconds,
        "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
      );
    }
    if (seconds === 0) this.longPoll.notify(queue.id);
    else this.longPoll.wakeAt(queue.id, visibleAt);
  }

  changeVisibilityBatch(
    queue: Queue,
    entries: Array<{ Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number }> | undefined,
  ): BatchResult<{ Id: string }> {
    validateBatch(entries, "ChangeMessageVisibilityBatchRequestEntry");
    const { successful, failed } = this.store.transaction(() =>
      perEntry(entries ?? [], (entry) => this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout)),
    );
    return { Successful: successful.map((s) => ({ Id: s.entry.Id ?? "" })), Failed: failed };
  }

  purge(queue: Queue): void {
    const now = this.clock.now();
    if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < 60_000) {
      throw new SqsError(
        "PurgeQueueInProgress",
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
      );
    }
    queue.lastPurgeAt = now;
    this.store.purge(queue.id);
  }
}
