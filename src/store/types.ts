/**
 * The persistence contract. A store keeps queues and messages and answers the queries the broker's rules
 * need; it decides nothing about SQS semantics beyond what it is told (times, limits, targets).
 */

export interface QueueRow {
  id: number;
  region: string;
  accountId: string;
  name: string;
  fifo: boolean;
  /** Settable attributes, rendered as strings (the form GetQueueAttributes returns). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
}

export type NewQueueRow = Omit<QueueRow, "id">;

export interface NewMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  /** Message attributes, serialized by the broker; opaque to the store. */
  attributes?: string;
  md5OfAttributes?: string;
  senderId: string;
  sentAt: number;
  visibleAt: number;
  expiresAt: number;
  traceHeader?: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  deadLetterSourceArn?: string;
  /** Receive count carried over when a message is moved between queues. */
  receiveCount?: number;
  firstReceivedAt?: number;
}

export interface StoredMessage extends NewMessage {
  seq: number;
  queueId: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Changes on every receive; a receipt handle is valid only with the token it was issued with. */
  receiptToken: number;
  lastReceivedAt?: number;
}

export interface ReceiveRequest {
  queueId: number;
  now: number;
  max: number;
  visibleAt: number;
  fifo: boolean;
  /** When set, a message whose receive would exceed maxReceiveCount moves to the dead-letter queue instead. */
  redrive?: {
    maxReceiveCount: number;
    deadLetterQueueId: number;
    sourceArn: string;
    deadLetterRetentionMs: number;
  };
}

export interface ReceiveResult {
  messages: StoredMessage[];
  movedToDeadLetter: number;
}

export type VisibilityOutcome = "changed" | "not-in-flight" | "beyond-limit";

export type DeleteOutcome = "deleted" | "missing" | "stale" | "expired";

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface DedupEntry {
  messageId: string;
  sequenceNumber?: string;
}

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface MoveTaskRow {
  taskId: string;
  sourceArn: string;
  destinationArn?: string;
  maxPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
  startedAt: number;
  failureReason?: string;
  /** Only messages at or below this sequence (present when the task started) are moved. */
  watermark: number;
}

export interface Store {
  readonly kind: "memory" | "sqlite";

  /** Runs `fn` atomically: either all of its writes land or none do. */
  transaction<T>(fn: () => T): T;
  /** Runs `fn` once everything written so far is durable (at once if nothing is pending). */
  afterCommit(fn: (failure?: Error) => void): void;

  loadQueues(): QueueRow[];
  insertQueue(row: NewQueueRow): number;
  updateQueue(row: QueueRow): void;
  /** Removes the queue and every message in it. */
  deleteQueue(id: number): void;

  /** Appends messages (to one or many queues) and returns them as stored, in order. */
  enqueue(entries: ReadonlyArray<{ queueId: number; message: NewMessage }>): StoredMessage[];
  receive(request: ReceiveRequest): ReceiveResult;
  deleteMessage(queueId: number, seq: number, token: number, now: number, requireInFlight: boolean): DeleteOutcome;
  /**
   * Sets a new visibility for a message in flight under `token`, unless that would keep it invisible for
   * more than `maxSinceReceiveMs` after the receive that issued the token.
   */
  changeVisibility(
    queueId: number,
    seq: number,
    token: number,
    now: number,
    visibleAt: number,
    maxSinceReceiveMs: number,
  ): VisibilityOutcome;
  purge(queueId: number): number;
  counts(queueId: number, now: number): QueueCounts;
  /** The earliest time after `now` at which a message of the queue becomes visible, if any. */
  nextVisibleAt(queueId: number, now: number): number | undefined;
  /** Deletes messages whose retention ran out; returns how many per queue. */
  deleteExpired(now: number): Map<number, number>;
  /**
   * When the next sweep is due: the earliest retention expiry of any message, or later if the store spaces
   * out its sweeps; undefined when it knows of nothing to sweep (the caller still checks back periodically).
   */
  nextExpiry(): number | undefined;

  /** FIFO deduplication: the entry recorded for `key` if it is still inside its window. */
  findDedup(queueId: number, key: string, now: number): DedupEntry | undefined;
  recordDedup(queueId: number, key: string, entry: DedupEntry, expiresAt: number): void;
  /**
   * Reserves the queue's next `count` FIFO sequence numbers (monotonic, survive restarts) and returns the
   * first of them.
   */
  nextSequence(queueId: number, count: number): bigint;

  /** Visible messages of a queue with seq <= upToSeq, oldest first: the next batch of a move task. */
  messagesToMove(queueId: number, upToSeq: number, limit: number, now: number): StoredMessage[];
  /** Moves one message to another queue as a fresh, never-received message that keeps its id and order. */
  relocate(seq: number, toQueueId: number, now: number, expiresAt: number): void;
  /** The highest seq in the queue and how many messages it holds, when a move task starts. */
  moveWatermark(queueId: number): { upToSeq: number; count: number };
  saveMoveTask(task: MoveTaskRow): void;
  loadMoveTasks(): MoveTaskRow[];

  close(): void;
}
