import { DeleteMessageBatchCommand, DeleteMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

interface Pending {
  readonly receiptHandle: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Acknowledges messages one by one as their handlers finish (a slow or failing message never holds
 * back the others of its batch) while still sending deletes ten at a time.
 */
export class Acker {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #flushMs: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing = new Set<Promise<void>>();

  constructor(sqs: SQSClient, queueUrl: string, flushMs = 10) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
    this.#flushMs = flushMs;
  }

  delete(receiptHandle: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ receiptHandle, resolve, reject });
      if (this.#pending.length >= 10) this.#kick();
      else this.#timer ??= setTimeout(() => this.#kick(), this.#flushMs);
    });
  }

  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing.size > 0) {
      this.#kick();
      await Promise.allSettled([...this.#flushing]);
    }
  }

  #kick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, 10);
      const run = this.#send(batch).finally(() => this.#flushing.delete(run));
      this.#flushing.add(run);
    }
  }

  async #send(batch: readonly Pending[]): Promise<void> {
    let failedIds: Set<string>;
    try {
      const result = await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receiptHandle })),
        }),
      );
      failedIds = new Set((result.Failed ?? []).map((failure) => failure.Id ?? ""));
    } catch {
      failedIds = new Set(batch.map((_, index) => String(index)));
    }
    await Promise.all(
      batch.map(async (entry, index) => {
        if (!failedIds.has(String(index))) return entry.resolve();
        // One more try alone: a batch can fail as a whole for reasons that do not concern each entry.
        try {
          await this.#sqs.send(new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: entry.receiptHandle }));
          entry.resolve();
        } catch (error) {
          entry.reject(error);
        }
      }),
    );
  }
}
