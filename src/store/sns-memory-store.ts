import { MemoryDedup } from "./memory-dedup.js";
import { MinHeap } from "./min-heap.js";
import { DEDUP_WINDOW_MS } from "./sns-types.js";
import type {
  Delivery,
  NewDelivery,
  NewSubscriptionRow,
  NewTopicRow,
  SnsStore,
  SubscriptionRow,
  TopicDedupEntry,
  TopicRow,
} from "./sns-types.js";

interface LeasedDelivery extends Delivery {
  leased: boolean;
}

interface Due {
  at: number;
  id: number;
}

/** SNS state on the heap, for --memory brokers; the reference for the SnsStore contract. */
export class SnsMemoryStore implements SnsStore {
  private topics = new Map<number, TopicRow>();
  private subscriptions = new Map<string, SubscriptionRow>();
  private readonly dedup = new MemoryDedup();
  private sequences = new Map<number, bigint>();
  private deliveries = new Map<number, LeasedDelivery>();
  /** Unleased deliveries by due time; entries that no longer match their delivery are skipped lazily. */
  private due = new MinHeap<Due>((a, b) => a.at < b.at || (a.at === b.at && a.id < b.id));
  private nextTopicId = 1;
  private nextSubscriptionSeq = 1;
  private nextDeliveryId = 1;

  loadTopics(): TopicRow[] {
    return [...this.topics.values()].map((t) => structuredClone(t));
  }

  insertTopic(row: NewTopicRow): number {
    const id = this.nextTopicId++;
    this.topics.set(id, structuredClone({ ...row, id }));
    return id;
  }

  updateTopic(row: TopicRow): void {
    this.topics.set(row.id, structuredClone(row));
  }

  deleteTopic(id: number): void {
    this.topics.delete(id);
    this.sequences.delete(id);
    this.dedup.forget(id);
  }

  loadSubscriptions(): SubscriptionRow[] {
    return [...this.subscriptions.values()].map((s) => structuredClone(s));
  }

  insertSubscription(row: NewSubscriptionRow): number {
    const seq = this.nextSubscriptionSeq++;
    this.subscriptions.set(row.arn, structuredClone({ ...row, seq }));
    return seq;
  }

  updateSubscription(row: SubscriptionRow): void {
    this.subscriptions.set(row.arn, structuredClone(row));
  }

  deleteSubscription(arn: string): void {
    this.subscriptions.delete(arn);
  }

  findTopicDedup(topicId: number, key: string, now: number): TopicDedupEntry | undefined {
    return this.dedup.find(topicId, key, now);
  }

  recordTopicDedup(topicId: number, key: string, entry: TopicDedupEntry, expiresAt: number): void {
    // Expired windows (ours is `expiresAt` minus the window) are dropped here instead of by a timer.
    this.dedup.sweep(expiresAt - DEDUP_WINDOW_MS);
    this.dedup.record(topicId, key, entry, expiresAt);
  }

  nextTopicSequence(topicId: number, count: number): bigint {
    const first = (this.sequences.get(topicId) ?? 0n) + 1n;
    this.sequences.set(topicId, first + BigInt(count) - 1n);
    return first;
  }

  addDeliveries(rows: readonly NewDelivery[]): void {
    for (const row of rows) {
      const id = this.nextDeliveryId++;
      this.deliveries.set(id, { ...structuredClone(row), id, attempts: 0, leased: false });
      this.due.push({ at: row.dueAt, id });
    }
  }

  private live(entry: Due): LeasedDelivery | undefined {
    const d = this.deliveries.get(entry.id);
    return d && !d.leased && d.dueAt === entry.at ? d : undefined;
  }

  /**
   * Walks the heap in due order while `accept` says so, handing each live delivery to `take`; deliveries
   * of busy subscriptions are set aside and put back, so they keep their place.
   */
  private walk(busy: readonly string[], accept: (entry: Due) => boolean, take: (d: LeasedDelivery) => boolean): void {
    const skip = new Set(busy);
    const setAside: Due[] = [];
    for (;;) {
      const top = this.due.peek();
      if (!top || !accept(top)) break;
      this.due.pop();
      const d = this.live(top);
      if (!d) continue;
      if (skip.has(d.subscriptionArn)) {
        setAside.push(top);
        continue;
      }
      if (!take(d)) {
        this.due.push(top);
        break;
      }
    }
    for (const entry of setAside) this.due.push(entry);
  }

  leaseDue(now: number, limit: number, busy: readonly string[]): Delivery[] {
    const out: Delivery[] = [];
    this.walk(
      busy,
      (entry) => entry.at <= now && out.length < limit,
      (d) => {
        d.leased = true;
        const { leased: _leased, ...delivery } = d;
        out.push(structuredClone(delivery));
        return true;
      },
    );
    return out;
  }

  nextDue(busy: readonly string[]): number | undefined {
    let next: number | undefined;
    this.walk(
      busy,
      () => next === undefined,
      (d) => {
        next = d.dueAt;
        return false;
      },
    );
    return next;
  }

  reschedule(id: number, attempts: number, dueAt: number): void {
    const d = this.deliveries.get(id);
    if (!d) return;
    d.attempts = attempts;
    d.dueAt = dueAt;
    d.leased = false;
    this.due.push({ at: dueAt, id });
  }

  removeDelivery(id: number): void {
    this.deliveries.delete(id);
  }

  releaseAll(): void {
    for (const d of this.deliveries.values()) {
      if (!d.leased) continue;
      d.leased = false;
      this.due.push({ at: d.dueAt, id: d.id });
    }
  }

  pendingDeliveries(): number {
    return this.deliveries.size;
  }
}
