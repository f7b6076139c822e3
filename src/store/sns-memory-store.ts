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

/** SNS state on the heap, for --memory brokers; the reference for the SnsStore contract. */
export class SnsMemoryStore implements SnsStore {
  private topics = new Map<number, TopicRow>();
  private subscriptions = new Map<string, SubscriptionRow>();
  private dedup = new Map<string, { entry: TopicDedupEntry; expiresAt: number }>();
  private sequences = new Map<number, bigint>();
  private deliveries = new Map<number, LeasedDelivery>();
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
    for (const key of this.dedup.keys()) if (key.startsWith(`${id}\u0000`)) this.dedup.delete(key);
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
    const found = this.dedup.get(`${topicId}\u0000${key}`);
    return found && found.expiresAt > now ? { ...found.entry } : undefined;
  }

  recordTopicDedup(topicId: number, key: string, entry: TopicDedupEntry, expiresAt: number): void {
    this.dedup.set(`${topicId}\u0000${key}`, { entry: { ...entry }, expiresAt });
  }

  nextTopicSequence(topicId: number): bigint {
    const next = (this.sequences.get(topicId) ?? 0n) + 1n;
    this.sequences.set(topicId, next);
    return next;
  }

  addDeliveries(rows: readonly NewDelivery[]): void {
    for (const row of rows) {
      const id = this.nextDeliveryId++;
      this.deliveries.set(id, { ...structuredClone(row), id, attempts: 0, leased: false });
    }
  }

  leaseDue(now: number, limit: number, busy: readonly string[]): Delivery[] {
    const skip = new Set(busy);
    const due = [...this.deliveries.values()]
      .filter((d) => !d.leased && d.dueAt <= now && !skip.has(d.subscriptionArn))
      .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)
      .slice(0, limit);
    return due.map((d) => {
      d.leased = true;
      const { leased: _leased, ...delivery } = d;
      return structuredClone(delivery);
    });
  }

  nextDue(busy: readonly string[]): number | undefined {
    const skip = new Set(busy);
    let next: number | undefined;
    for (const d of this.deliveries.values()) {
      if (d.leased || skip.has(d.subscriptionArn)) continue;
      if (next === undefined || d.dueAt < next) next = d.dueAt;
    }
    return next;
  }

  reschedule(id: number, attempts: number, dueAt: number): void {
    const d = this.deliveries.get(id);
    if (!d) return;
    d.attempts = attempts;
    d.dueAt = dueAt;
    d.leased = false;
  }

  removeDelivery(id: number): void {
    this.deliveries.delete(id);
  }

  releaseAll(): void {
    for (const d of this.deliveries.values()) d.leased = false;
  }

  pendingDeliveries(): number {
    return this.deliveries.size;
  }
}
