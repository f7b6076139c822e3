import { MemoryDedup } from "./memory-dedup.js";
import { MinHeap } from "./min-heap.js";
import { DEDUP_WINDOW_MS, fullSubscriptions, roomOf } from "./sns-types.js";
import type {
  Delivery,
  NewDelivery,
  NewSubscriptionRow,
  NewTopicRow,
  SnsStore,
  SubscriptionRoom,
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

function earlier(a: Due, b: Due): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

/** SNS state on the heap, for --memory brokers; the reference for the SnsStore contract. */
export class SnsMemoryStore implements SnsStore {
  private topics = new Map<number, TopicRow>();
  private subscriptions = new Map<string, SubscriptionRow>();
  private readonly dedup = new MemoryDedup();
  private sequences = new Map<number, bigint>();
  private deliveries = new Map<number, LeasedDelivery>();
  /**
   * Unleased deliveries by due time, one heap per subscription so a busy subscription's backlog is never
   * walked; entries that no longer match their delivery are dropped lazily.
   */
  private due = new Map<string, MinHeap<Due>>();
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
      this.queue(row.subscriptionArn, { at: row.dueAt, id });
    }
  }

  private queue(subscriptionArn: string, entry: Due): void {
    let heap = this.due.get(subscriptionArn);
    if (!heap) this.due.set(subscriptionArn, (heap = new MinHeap<Due>(earlier)));
    heap.push(entry);
  }

  /** The subscription's earliest unleased delivery, stale entries dropped on the way. */
  private head(subscriptionArn: string, heap: MinHeap<Due>): Due | undefined {
    for (let top = heap.peek(); top; top = heap.peek()) {
      const d = this.deliveries.get(top.id);
      if (d && !d.leased && d.dueAt === top.at) return top;
      heap.pop();
    }
    this.due.delete(subscriptionArn);
    return undefined;
  }

  /** The earliest unleased delivery outside `full`: the earliest of the other subscriptions' heads. */
  private earliest(full: ReadonlySet<string>): { arn: string; heap: MinHeap<Due>; entry: Due } | undefined {
    let best: { arn: string; heap: MinHeap<Due>; entry: Due } | undefined;
    for (const [arn, heap] of this.due) {
      if (full.has(arn)) continue;
      const entry = this.head(arn, heap);
      if (entry && (!best || earlier(entry, best.entry))) best = { arn, heap, entry };
    }
    return best;
  }

  leaseDue(now: number, limit: number, room: SubscriptionRoom): Delivery[] {
    const full = fullSubscriptions(room);
    const taken = new Map<string, number>();
    const out: Delivery[] = [];
    while (out.length < limit) {
      const next = this.earliest(full);
      if (!next || next.entry.at > now) break;
      next.heap.pop();
      const d = this.deliveries.get(next.entry.id);
      if (!d) continue;
      const count = (taken.get(next.arn) ?? 0) + 1;
      taken.set(next.arn, count);
      if (count >= roomOf(room, next.arn)) full.add(next.arn);
      d.leased = true;
      const { leased: _leased, ...delivery } = d;
      out.push(structuredClone(delivery));
    }
    return out;
  }

  nextDue(room: SubscriptionRoom): number | undefined {
    return this.earliest(fullSubscriptions(room))?.entry.at;
  }

  reschedule(id: number, attempts: number, dueAt: number): void {
    const d = this.deliveries.get(id);
    if (!d) return;
    d.attempts = attempts;
    d.dueAt = dueAt;
    d.leased = false;
    this.queue(d.subscriptionArn, { at: dueAt, id });
  }

  removeDelivery(id: number): void {
    this.deliveries.delete(id);
  }

  releaseAll(): void {
    for (const d of this.deliveries.values()) {
      if (!d.leased) continue;
      d.leased = false;
      this.queue(d.subscriptionArn, { at: d.dueAt, id: d.id });
    }
  }

  pendingDeliveries(): number {
    return this.deliveries.size;
  }
}
