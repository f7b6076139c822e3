/**
 * Works off the durable HTTP/S outbox. Deliveries are leased from the store, POSTed with a timeout, and on
 * failure rescheduled by their retry policy; after the last retry they go to the subscription's
 * dead-letter queue (or are dropped). Concurrency is bounded overall and per subscription, so an endpoint
 * that hangs holds at most its own slots until the timeout, never everyone's. No polling: one timer
 * waits for the earliest due delivery, and commits of new deliveries wake the worker.
 */
import type { Clock, Timer } from "../core/clock.js";
import { retryDelaySeconds, type RetryPolicy } from "../core/sns/delivery-policy.js";
import type { Delivery, SnsStore, SubscriptionRoom } from "../store/sns-types.js";
import type { Poster, PostOutcome } from "./http-post.js";

export interface WorkerOptions {
  /** Deliveries in flight at once, over all subscriptions. */
  concurrency: number;
  /** Deliveries in flight at once to one subscription. */
  perSubscription: number;
  /** How long an endpoint has to answer (AWS allows 15 s). */
  timeoutMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { concurrency: 32, perSubscription: 4, timeoutMs: 15_000 };

export interface DeliveryOwner {
  /** Moves an exhausted delivery to its dead-letter queue, or drops it; removes it from the outbox. */
  deadLetter(delivery: Delivery): void;
  stillWanted(delivery: Delivery): boolean;
}

/**
 * SNS counts any answer below 500 except 429 as delivered (a 404 is the endpoint's business); 5xx, 429,
 * connection failures and timeouts are retried.
 */
export function isDelivered(outcome: PostOutcome): boolean {
  return outcome.status !== undefined && outcome.status < 500 && outcome.status !== 429;
}

export class HttpDeliveryWorker {
  private inFlight = new Map<number, Delivery>();
  private perSubscription = new Map<string, number>();
  private running = new Set<Promise<void>>();
  private timer?: { at: number; handle: Timer };
  private wakePending = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: SnsStore,
    private readonly clock: Clock,
    private readonly poster: Poster,
    private readonly owner: DeliveryOwner,
    private readonly options: WorkerOptions = DEFAULT_WORKER_OPTIONS,
  ) {}

  /** Whatever was in flight when the broker last stopped is due again. */
  start(): void {
    this.store.releaseAll();
    this.wake();
  }

  /** New deliveries were committed; look after the current call stack (the response goes out first). */
  wake(): void {
    if (this.stopped || this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.pump();
    });
  }

  private room(): SubscriptionRoom {
    return { each: this.options.perSubscription, inFlight: this.perSubscription };
  }

  private pump(): void {
    if (this.stopped) return;
    try {
      const free = this.options.concurrency - this.inFlight.size;
      if (free > 0) {
        for (const delivery of this.store.leaseDue(this.clock.now(), free, this.room())) this.attempt(delivery);
      }
      this.arm();
    } catch (error) {
      if (!this.stopped) process.stderr.write(`sluice: SNS delivery worker: ${(error as Error).message}\n`);
    }
  }

  /** One timer, at the earliest delivery that could start now. */
  private arm(): void {
    if (this.inFlight.size >= this.options.concurrency) return;
    const next = this.store.nextDue(this.room());
    if (next === undefined) return;
    if (this.timer && this.timer.at <= next) return;
    this.timer?.handle.cancel();
    const handle = this.clock.schedule(next - this.clock.now(), () => {
      this.timer = undefined;
      this.pump();
    });
    this.timer = { at: next, handle };
  }

  private attempt(delivery: Delivery): void {
    this.inFlight.set(delivery.id, delivery);
    this.perSubscription.set(delivery.subscriptionArn, (this.perSubscription.get(delivery.subscriptionArn) ?? 0) + 1);
    const run = this.run(delivery)
      .catch((error: unknown) => {
        if (!this.stopped) process.stderr.write(`sluice: SNS delivery ${delivery.id}: ${(error as Error).message}\n`);
      })
      .finally(() => {
        this.running.delete(run);
        if (this.stopped) return;
        this.inFlight.delete(delivery.id);
        const left = (this.perSubscription.get(delivery.subscriptionArn) ?? 1) - 1;
        if (left > 0) this.perSubscription.set(delivery.subscriptionArn, left);
        else this.perSubscription.delete(delivery.subscriptionArn);
        this.pump();
      });
    this.running.add(run);
  }

  private async run(delivery: Delivery): Promise<void> {
    if (!this.owner.stillWanted(delivery)) {
      this.store.removeDelivery(delivery.id);
      return;
    }
    const outcome = await this.poster.post(delivery.endpoint, delivery.headers, delivery.body, this.options.timeoutMs, this.abort.signal);
    // Stopping: leave the lease; the next start releases it and the delivery is retried then.
    if (this.stopped) return;
    try {
      if (isDelivered(outcome)) {
        this.store.removeDelivery(delivery.id);
        return;
      }
      const attempts = delivery.attempts + 1;
      const delay = retryDelaySeconds(JSON.parse(delivery.policy) as RetryPolicy, attempts);
      if (delay === undefined) this.owner.deadLetter(delivery);
      else this.store.reschedule(delivery.id, attempts, this.clock.now() + Math.round(delay * 1000));
    } catch (error) {
      // A delivery that cannot be settled is dropped rather than left leased (and retried) forever.
      process.stderr.write(`sluice: SNS delivery ${delivery.id} to ${delivery.endpoint} dropped: ${(error as Error).message}\n`);
      this.store.removeDelivery(delivery.id);
    }
  }

  /** Stops promptly: timers cancelled, requests in flight aborted, sockets closed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.handle.cancel();
    this.abort.abort();
    await Promise.allSettled([...this.running]);
    this.poster.close();
  }
}
