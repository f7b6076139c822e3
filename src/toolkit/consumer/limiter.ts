/**
 * Handler slots. A poller takes slots before it receives, so it never asks SQS for more messages
 * than can start at once: a received message that waits for a slot would burn its visibility time.
 */
export class Slots {
  readonly #capacity: number;
  #used = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get inUse(): number {
    return this.#used;
  }

  /** Waits for at least one free slot and takes up to `max`; resolves 0 if `signal` aborts first. */
  async acquireUpTo(max: number, signal: AbortSignal): Promise<number> {
    while (this.#used >= this.#capacity) {
      if (signal.aborted) return 0;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal.removeEventListener("abort", wake);
          const index = this.#waiters.indexOf(wake);
          if (index >= 0) this.#waiters.splice(index, 1);
          resolve();
        };
        this.#waiters.push(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
    if (signal.aborted) return 0;
    const taken = Math.min(max, this.#capacity - this.#used);
    this.#used += taken;
    return taken;
  }

  release(count = 1): void {
    if (count <= 0) return;
    this.#used = Math.max(0, this.#used - count);
    for (const wake of this.#waiters.splice(0, count)) wake();
  }
}
