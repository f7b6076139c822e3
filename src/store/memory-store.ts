import { MessageSet, type Visibility } from "./memory-message-set.js";
import { MemoryDedup } from "./memory-dedup.js";
import { MinHeap } from "./min-heap.js";
import { newReceiptToken } from "./receipt-token.js";
import { copyMessage, storedFrom } from "./stored-message.js";
import type {
  DedupEntry,
  DeleteOutcome,
  MoveTaskRow,
  NewMessage,
  NewQueueRow,
  QueueCounts,
  QueueRow,
  ReceiveRequest,
  ReceiveResult,
  Store,
  StoredMessage,
  VisibilityOutcome,
} from "./types.js";

/** Same bound as the SQLite store: a receive clears at most this many expired or dead-lettered messages. */
const MAX_SKIPPED_PER_RECEIVE = 1000;

interface Expiry {
  at: number;
  queueId: number;
  seq: number;
}

/** Keeps everything on the heap; used with --memory and as the reference for the store contract. */
export class MemoryStore implements Store {
  readonly kind = "memory" as const;
  private queues = new Map<number, QueueRow>();
  private messages = new Map<number, MessageSet>();
  private expiries = new MinHeap<Expiry>((a, b) => a.at < b.at);
  private readonly dedup = new MemoryDedup();
  private sequences = new Map<number, bigint>();
  private moveTasks = new Map<string, MoveTaskRow>();
  private nextQueueId = 1;
  private nextSeq = 1;

  transaction<T>(fn: () => T): T {
    return fn();
  }

  afterCommit(fn: (failure?: Error) => void): void {
    fn();
  }

  loadQueues(): QueueRow[] {
    return [...this.queues.values()].map((q) => structuredClone(q));
  }

  insertQueue(row: NewQueueRow): number {
    const id = this.nextQueueId++;
    this.queues.set(id, structuredClone({ ...row, id }));
    this.messages.set(id, new MessageSet(row.fifo));
    return id;
  }

  updateQueue(row: QueueRow): void {
    this.queues.set(row.id, structuredClone(row));
  }

  deleteQueue(id: number): void {
    this.queues.delete(id);
    this.messages.delete(id);
    this.sequences.delete(id);
    this.dedup.forget(id);
  }

  private set(queueId: number): MessageSet {
    let set = this.messages.get(queueId);
    if (!set) {
      set = new MessageSet(this.queues.get(queueId)?.fifo ?? false);
      this.messages.set(queueId, set);
    }
    return set;
  }

  enqueue(entries: ReadonlyArray<{ queueId: number; message: NewMessage }>): StoredMessage[] {
    return entries.map(({ queueId, message }) => {
      const stored = storedFrom(message, this.nextSeq++, queueId);
      this.set(queueId).add(stored);
      this.expiries.push({ at: stored.expiresAt, queueId, seq: stored.seq });
      return copyMessage(stored);
    });
  }

  receive(request: ReceiveRequest): ReceiveResult {
    const set = this.messages.get(request.queueId);
    if (!set) return { messages: [], movedToDeadLetter: 0 };
    const candidates = request.fifo ? set.fifoCandidates(request.now) : this.standardCandidates(set, request);
    const messages: StoredMessage[] = [];
    let moved = 0;
    let skipped = 0;
    for (const message of candidates) {
      if (message.expiresAt <= request.now) {
        set.remove(message);
        if (++skipped >= MAX_SKIPPED_PER_RECEIVE) break;
        continue;
      }
      const redrive = request.redrive;
      if (redrive && message.receiveCount + 1 > redrive.maxReceiveCount) {
        set.remove(message);
        message.queueId = redrive.deadLetterQueueId;
        message.deadLetterSourceArn = redrive.sourceArn;
        message.visibleAt = request.now;
        message.expiresAt = message.sentAt + redrive.deadLetterRetentionMs;
        this.set(redrive.deadLetterQueueId).add(message);
        this.expiries.push({ at: message.expiresAt, queueId: message.queueId, seq: message.seq });
        moved++;
        if (++skipped >= MAX_SKIPPED_PER_RECEIVE) break;
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= request.now;
      message.lastReceivedAt = request.now;
      message.receiptToken = newReceiptToken();
      set.setVisibleAt(message, request.visibleAt);
      messages.push(copyMessage(message));
      // Stop before pulling another candidate: pulling pops its heap entry, which would then be lost.
      if (messages.length >= request.max) break;
    }
    return { messages, movedToDeadLetter: moved };
  }

  /** Visible messages in (visibleAt, seq) order, popped from the heap as they are taken. */
  private *standardCandidates(set: MessageSet, request: ReceiveRequest): Generator<StoredMessage> {
    // A message taken with visibility 0 is visible again at once; it must not be yielded twice in one
    // receive, and its new heap entry must survive, so it is set aside and put back at the end.
    const taken = new Set<number>();
    const setAside: Visibility[] = [];
    try {
      for (;;) {
        const top = set.cleanTop();
        if (!top || top.at > request.now) return;
        set.visibility.pop();
        if (taken.has(top.seq)) {
          setAside.push(top);
          continue;
        }
        taken.add(top.seq);
        const message = set.bySeq.get(top.seq);
        if (message) yield message;
      }
    } finally {
      for (const entry of setAside) set.visibility.push(entry);
    }
  }

  deleteMessage(queueId: number, seq: number, token: number, now: number, requireInFlight: boolean): DeleteOutcome {
    const set = this.messages.get(queueId);
    const message = set?.bySeq.get(seq);
    if (!set || !message) return "missing";
    if (message.receiptToken !== token) return requireInFlight ? "expired" : "stale";
    if (requireInFlight && message.visibleAt <= now) return "expired";
    set.remove(message);
    return "deleted";
  }

  changeVisibility(
    queueId: number,
    seq: number,
    token: number,
    now: number,
    visibleAt: number,
    maxSinceReceiveMs: number,
  ): VisibilityOutcome {
    const set = this.messages.get(queueId);
    const message = set?.bySeq.get(seq);
    // The handle of the latest receive may still change a message whose timeout ran out, as on AWS.
    if (!set || !message || message.receiptToken !== token) return "not-in-flight";
    if (visibleAt - (message.lastReceivedAt ?? now) > maxSinceReceiveMs) return "beyond-limit";
    set.setVisibleAt(message, visibleAt);
    return "changed";
  }

  purge(queueId: number): number {
    const set = this.messages.get(queueId);
    if (!set) return 0;
    const count = set.bySeq.size;
    this.messages.set(queueId, new MessageSet(set.fifo));
    return count;
  }

  counts(queueId: number, now: number): QueueCounts {
    const counts: QueueCounts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.messages.get(queueId)?.bySeq.values() ?? []) {
      if (message.expiresAt <= now) continue;
      if (message.visibleAt <= now) counts.visible++;
      else if (message.receiveCount > 0) counts.inFlight++;
      else counts.delayed++;
    }
    return counts;
  }

  nextVisibleAt(queueId: number, now: number): number | undefined {
    const set = this.messages.get(queueId);
    if (!set) return undefined;
    // Every live message has a heap entry for its current visibility, so when even the earliest is in the
    // future it is the answer; long-polls ask this on every park, and the scan below is O(queue).
    const top = set.cleanTop();
    if (!top || top.at > now) return top?.at;
    // Visible messages that no receive takes: a FIFO queue's behind locked groups.
    if (set.fifo) return set.nextGroupChange(now);
    let next: number | undefined;
    for (const message of set.bySeq.values()) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next)) next = message.visibleAt;
    }
    return next;
  }

  deleteExpired(now: number): Map<number, number> {
    this.dedup.sweep(now);
    const removed = new Map<number, number>();
    for (;;) {
      const top = this.expiries.peek();
      if (!top || top.at > now) break;
      this.expiries.pop();
      const set = this.messages.get(top.queueId);
      const message = set?.bySeq.get(top.seq);
      if (set && message && message.expiresAt <= now) {
        set.remove(message);
        removed.set(top.queueId, (removed.get(top.queueId) ?? 0) + 1);
      }
    }
    return removed;
  }

  nextExpiry(): number | undefined {
    return this.expiries.peek()?.at;
  }

  findDedup(queueId: number, key: string, now: number): DedupEntry | undefined {
    return this.dedup.find(queueId, key, now);
  }

  recordDedup(queueId: number, key: string, entry: DedupEntry, expiresAt: number): void {
    this.dedup.record(queueId, key, entry, expiresAt);
  }

  nextSequence(queueId: number, count: number): bigint {
    const first = (this.sequences.get(queueId) ?? 0n) + 1n;
    this.sequences.set(queueId, first + BigInt(count) - 1n);
    return first;
  }

  messagesToMove(queueId: number, upToSeq: number, limit: number, now: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const message of this.messages.get(queueId)?.inOrder() ?? []) {
      if (out.length >= limit || message.seq > upToSeq) break;
      if (message.visibleAt <= now && message.expiresAt > now) out.push(copyMessage(message));
    }
    return out;
  }

  relocate(seq: number, toQueueId: number, now: number, expiresAt: number): void {
    for (const set of this.messages.values()) {
      const message = set.bySeq.get(seq);
      if (!message) continue;
      set.remove(message);
      Object.assign(message, {
        queueId: toQueueId,
        visibleAt: now,
        expiresAt,
        receiveCount: 0,
        receiptToken: 0,
        firstReceivedAt: undefined,
        lastReceivedAt: undefined,
        deadLetterSourceArn: undefined,
      });
      this.set(toQueueId).add(message);
      this.expiries.push({ at: expiresAt, queueId: toQueueId, seq });
      return;
    }
  }

  moveWatermark(queueId: number): { upToSeq: number; count: number } {
    const set = this.messages.get(queueId);
    return { upToSeq: set?.lastSeq ?? 0, count: set?.bySeq.size ?? 0 };
  }

  saveMoveTask(task: MoveTaskRow): void {
    this.moveTasks.set(task.taskId, { ...task });
  }

  loadMoveTasks(): MoveTaskRow[] {
    return [...this.moveTasks.values()].map((t) => ({ ...t }));
  }

  close(): void {
    this.queues.clear();
    this.messages.clear();
  }
}
