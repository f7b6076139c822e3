import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";

export interface HeartbeatOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly receiptHandle: string;
  readonly visibilityTimeout: number;
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
  /** Stops the heartbeat early (a drain that timed out): the message then reappears for others. */
  readonly signal?: AbortSignal;
}

/**
 * Keeps a message invisible while it waits or is being handled, by pushing its visibility
 * timeout forward before it runs out. Without it a slow handler's message would reappear and be
 * handled a second time in parallel.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions;
  #timer: NodeJS.Timeout | undefined;
  #beat: Promise<void> = Promise.resolve();
  readonly #onAbort = (): void => void this.stop();
  /** Extra work per beat, e.g. extending the idempotency lease alongside the visibility. */
  onBeat: (() => Promise<void>) | undefined;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
  }

  start(): this {
    const { sqs, queueUrl, receiptHandle, visibilityTimeout, intervalMs, onError } = this.#options;
    this.#timer = setInterval(() => {
      this.#beat = this.#beat.then(async () => {
        try {
          await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: visibilityTimeout }));
          await this.onBeat?.();
        } catch (error) {
          onError(error);
        }
      });
    }, intervalMs);
    this.#options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    return this;
  }

  /** Stops beating and waits for a beat in progress, so nothing extends a message after it settles. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    await this.#beat;
  }
}
