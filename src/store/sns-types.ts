/**
 * The SNS persistence contract: topics, subscriptions, topic-level FIFO dedup and the durable outbox of
 * HTTP/S deliveries. The SQLite implementation shares the SQS store's connection, so everything written
 * inside the SQS store's transaction() (fan-out to queues + outbox rows) commits together.
 */

export interface TopicRow {
  id: number;
  region: string;
  accountId: string;
  name: string;
  fifo: boolean;
  /** Attributes set by clients, normalized to the strings GetTopicAttributes returns. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
}

export type NewTopicRow = Omit<TopicRow, "id">;

export interface SubscriptionRow {
  /** Insertion order; listings page by it. */
  seq: number;
  arn: string;
  topicArn: string;
  region: string;
  /** The subscriber's account. */
  accountId: string;
  protocol: string;
  endpoint: string;
  /** Settable attributes (DeliveryPolicy, FilterPolicy, ...), normalized. */
  attributes: Record<string, string>;
  confirmed: boolean;
  /** ConfirmationWasAuthenticated. */
  authenticated: boolean;
  /** Confirmation token while one is outstanding (HTTP/S). */
  token?: string;
  authenticateOnUnsubscribe: boolean;
  createdAt: number;
}

export type NewSubscriptionRow = Omit<SubscriptionRow, "seq">;

export type DeliveryKind = "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";

export interface NewDelivery {
  subscriptionArn: string;
  kind: DeliveryKind;
  endpoint: string;
  body: string;
  headers: Record<string, string>;
  /** The retry policy in force when the message was published (JSON of a RetryPolicy). */
  policy: string;
  /** What the subscription's dead-letter queue receives after the last retry (JSON), if anything may. */
  deadLetter?: string;
  dueAt: number;
  createdAt: number;
}

export interface Delivery extends NewDelivery {
  id: number;
  /** Attempts made so far. */
  attempts: number;
}

/** How long a FIFO topic remembers a deduplication id, as AWS does. */
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

export interface TopicDedupEntry {
  messageId: string;
  sequenceNumber?: string;
}

/** How many more deliveries each subscription may have in flight: `each`, less those it has. */
export interface SubscriptionRoom {
  readonly each: number;
  readonly inFlight: ReadonlyMap<string, number>;
}

export function roomOf(room: SubscriptionRoom, subscriptionArn: string): number {
  return room.each - (room.inFlight.get(subscriptionArn) ?? 0);
}

/** The subscriptions with no room left. */
export function fullSubscriptions(room: SubscriptionRoom): Set<string> {
  const full = new Set<string>();
  for (const arn of room.inFlight.keys()) if (roomOf(room, arn) <= 0) full.add(arn);
  return full;
}

export interface SnsStore {
  loadTopics(): TopicRow[];
  insertTopic(row: NewTopicRow): number;
  updateTopic(row: TopicRow): void;
  /** Removes the topic and its dedup records. */
  deleteTopic(id: number): void;

  loadSubscriptions(): SubscriptionRow[];
  insertSubscription(row: NewSubscriptionRow): number;
  updateSubscription(row: SubscriptionRow): void;
  deleteSubscription(arn: string): void;

  findTopicDedup(topicId: number, key: string, now: number): TopicDedupEntry | undefined;
  recordTopicDedup(topicId: number, key: string, entry: TopicDedupEntry, expiresAt: number): void;
  /**
   * Reserves the topic's next `count` FIFO sequence numbers (monotonic, survive restarts) and returns the
   * first of them.
   */
  nextTopicSequence(topicId: number, count: number): bigint;

  addDeliveries(rows: readonly NewDelivery[]): void;
  /**
   * Leases up to `limit` deliveries due at `now`, oldest first, no more of one subscription than it has room
   * for. A leased delivery is not handed out again until released (rescheduled) or removed.
   */
  leaseDue(now: number, limit: number, room: SubscriptionRoom): Delivery[];
  /** The earliest due time among unleased deliveries of subscriptions with room. */
  nextDue(room: SubscriptionRoom): number | undefined;
  /** Records a failed attempt and releases the lease until `dueAt`. */
  reschedule(id: number, attempts: number, dueAt: number): void;
  removeDelivery(id: number): void;
  /** Releases every lease (at start: whatever was in flight when the broker stopped is due again). */
  releaseAll(): void;
  pendingDeliveries(): number;
}
