import type { Clock, Timer } from "./clock.js";

interface Waiter {
  /** Tries to serve the waiter; true once it has been answered. */
  attempt(): boolean;
  /** Answers the waiter with nothing (deadline, queue deleted, shutdown). */
  giveUp(): void;
  deadline: Timer;
}

/**
 * Parked long-poll receives, per queue. Events that can make messages available (a send, a visibility or
 * delay expiry, a FIFO group unlocking) wake the waiters of exactly that queue, oldest first; a single
 * timer per queue covers the earliest future visibility, so nothing polls.
 */
export class LongPoll {
  private waiters = new Map<number, Set<Waiter>>();
  private wakeTimers = new Map<number, { at: number; timer: Timer }>();
  private pendingNotify = new Set<number>();

  constructor(
    private readonly clock: Clock,
    /** The earliest moment after `now` at which the queue may have something to receive. */
    private readonly nextVisibleAt: (queueId: number, now: number) => number | undefined,
  ) {}

  hasWaiters(queueId: number): boolean {
    return (this.waiters.get(queueId)?.size ?? 0) > 0;
  }

  /**
   * `checkedAt` is when the caller last looked for messages (before its failed attempt): anything that turned
   * visible after that moment must wake the waiter, even if it did so before the waiter was parked.
   */
  park(queueId: number, waitMs: number, attempt: () => boolean, giveUp: () => void, checkedAt = this.clock.now()): void {
    let set = this.waiters.get(queueId);
    if (!set) {
      set = new Set();
      this.waiters.set(queueId, set);
    }
    const queueWaiters = set;
    const waiter: Waiter = {
      attempt,
      giveUp,
      deadline: this.clock.schedule(waitMs, () => {
        queueWaiters.delete(waiter);
        this.dropIfIdle(queueId);
        giveUp();
      }),
    };
    queueWaiters.add(waiter);
    this.armFor(queueId, checkedAt);
  }

  /** Something may have become receivable now; waiters are tried after the current call stack. */
  notify(queueId: number): void {
    if (!this.hasWaiters(queueId) || this.pendingNotify.has(queueId)) return;
    this.pendingNotify.add(queueId);
    queueMicrotask(() => {
      this.pendingNotify.delete(queueId);
      this.serve(queueId);
    });
  }

  /** A message of the queue becomes visible at `at`; make sure a waiter is woken then. */
  wakeAt(queueId: number, at: number): void {
    if (!this.hasWaiters(queueId)) return;
    const current = this.wakeTimers.get(queueId);
    if (current && current.at <= at) return;
    current?.timer.cancel();
    const timer = this.clock.schedule(at - this.clock.now(), () => {
      this.wakeTimers.delete(queueId);
      this.serve(queueId);
    });
    this.wakeTimers.set(queueId, { at, timer });
  }

  /** Answers every waiter of the queue with nothing (the queue was deleted or purged). */
  release(queueId: number): void {
    const set = this.waiters.get(queueId);
    if (!set) return;
    this.waiters.delete(queueId);
    this.cancelWake(queueId);
    for (const waiter of set) {
      waiter.deadline.cancel();
      waiter.giveUp();
    }
  }

  releaseAll(): void {
    for (const queueId of [...this.waiters.keys()]) this.release(queueId);
  }

  private serve(queueId: number): void {
    const set = this.waiters.get(queueId);
    if (!set) return;
    const checkedAt = this.clock.now();
    for (const waiter of set) {
      if (!waiter.attempt()) break;
      waiter.deadline.cancel();
      set.delete(waiter);
    }
    this.dropIfIdle(queueId);
    this.armFor(queueId, checkedAt);
  }

  /**
   * Arms the wake timer for the first message turning visible after `since`. Looking from `now` instead
   * would miss a message that turned visible between the failed attempt and this call, and the waiter
   * would sleep to its deadline; a time already past just fires the timer at once.
   */
  private armFor(queueId: number, since: number): void {
    if (!this.hasWaiters(queueId)) return;
    const at = this.nextVisibleAt(queueId, since);
    if (at !== undefined) this.wakeAt(queueId, at);
  }

  private cancelWake(queueId: number): void {
    this.wakeTimers.get(queueId)?.timer.cancel();
    this.wakeTimers.delete(queueId);
  }

  private dropIfIdle(queueId: number): void {
    if (this.hasWaiters(queueId)) return;
    this.waiters.delete(queueId);
    this.cancelWake(queueId);
  }
}
