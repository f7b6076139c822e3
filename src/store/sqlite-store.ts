import Database from "better-sqlite3";
import { join } from "node:path";
import { prepareDataDir } from "./data-dir.js";
import { newReceiptToken } from "./receipt-token.js";
import {
  CANDIDATE_EXPIRES_AT,
  CANDIDATE_GROUP_ID,
  CANDIDATE_PAYLOAD_ELSEWHERE,
  CANDIDATE_RECEIVE_COUNT,
  CANDIDATE_SENT_AT,
  CANDIDATE_SEQ,
  payloadIsLarge,
  toMessage,
  toQueue,
  toReceived,
} from "./sqlite-rows.js";
import { migrate, SCHEMA, SCHEMA_VERSION } from "./sqlite-schema.js";
import { storedFrom } from "./stored-message.js";
import { prepareStatements, type Statements } from "./sqlite-statements.js";
import { FifoCandidates } from "./sqlite-fifo.js";
import { FifoLocks } from "./sqlite-fifo-locks.js";
import { GroupCommit } from "./sqlite-group-commit.js";
import { RedoFile } from "./redo-file.js";
import { DedupLog, QUEUE_DEDUP } from "./sqlite-dedup.js";
import { ExpirySweep } from "./sqlite-expiry.js";
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

export class StoreOpenError extends Error {}

/**
 * Expired and dead-lettered messages are cleared out by the receive that meets them; past this many, the
 * receive answers with what it has so one call never holds the store for long.
 */
const MAX_SKIPPED_PER_RECEIVE = 1000;

/**
 * The durable store. WAL with synchronous=NORMAL, and a redo log in front of it (see sqlite-group-commit.ts):
 * a request's writes are in the log file before its response is written, so they survive the broker being
 * killed; only a power loss can cost the last ones.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly stmt: Statements;
  /** Public for tests that compare its answers with the definition. */
  readonly fifo: FifoCandidates;
  private readonly locks: FifoLocks;
  private readonly turns: GroupCommit;
  private readonly expiry: ExpirySweep;
  private readonly dedup: DedupLog;
  private readonly rollbackListeners: Array<() => void> = [];

  constructor(dataDir: string) {
    try {
      prepareDataDir(dataDir);
    } catch (error) {
      throw new StoreOpenError((error as Error).message);
    }
    const file = join(dataDir, "sluice.db");
    try {
      this.db = new Database(file);
      // One broker owns its data directory. Exclusive locking (set before WAL is entered) keeps the WAL index
      // in process memory instead of a shared-memory file and takes no file locks per transaction, a
      // measurable part of every commit; a second process opening the same file is refused.
      this.db.pragma("locking_mode = EXCLUSIVE");
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      // Checkpoints are where WAL mode fsyncs; at the default 1,000 pages they dominate a busy broker.
      this.db.pragma("wal_autocheckpoint = 10000");
      this.db.pragma("journal_size_limit = 67108864");
      this.db.pragma("busy_timeout = 5000");
      // 8 MiB holds what the queues touch (their heads and tails, the index paths; the OS caches the rest).
      // A larger cache costs on every commit after a b-tree rebalance that swapped two pages' numbers: the
      // swap goes through the page number just past 1 GiB, and the commit then scans the cache's whole hash
      // table to drop pages past the end of the file. At 64 MiB that was 4 % of the broker's CPU in a fan-out.
      this.db.pragma("cache_size = -8192");
      // Savepoints copy every page they touch into a sub-journal; on disk that is a write per page per
      // request. It only serves rollback inside an open transaction, never crash recovery.
      this.db.pragma("temp_store = MEMORY");
      const version = this.db.pragma("user_version", { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`data file was written by a newer Sluice (schema ${version})`);
      }
      this.db.transaction(() => {
        migrate(this.db, version);
        this.db.exec(SCHEMA);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
      this.db.prepare("SELECT count(*) FROM queues").get();
      // Before any statement is prepared: the redo log hooks every statement the connection prepares.
      this.turns = new GroupCommit(this.db, new RedoFile(join(dataDir, "sluice.redo")), () => {
        this.locks.reset();
        this.dedup.reset();
        for (const listener of this.rollbackListeners) listener();
      });
    } catch (error) {
      throw new StoreOpenError(`cannot open database ${file}: ${(error as Error).message}`);
    }
    this.stmt = prepareStatements(this.db);
    this.locks = new FifoLocks(this.db);
    this.dedup = new DedupLog(this.db, QUEUE_DEDUP);
    this.fifo = new FifoCandidates(this.db, this.locks);
    this.expiry = new ExpirySweep(this.db);
  }

  afterCommit(fn: (failure?: Error) => void): void {
    this.turns.afterCommit(fn);
  }

  transaction<T>(fn: () => T): T {
    return this.turns.transaction(fn);
  }

  /** The connection, for stores of other services that must commit in the same transactions. */
  get database(): Database.Database {
    return this.db;
  }

  /** For such stores that keep state beside their rows: told of every rollback, to drop it. */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener);
  }

  loadQueues(): QueueRow[] {
    return this.stmt.queues.all().map(toQueue);
  }

  insertQueue(row: NewQueueRow): number {
    this.turns.open();
    const result = this.stmt.insertQueue.run({
      ...row,
      fifo: row.fifo ? 1 : 0,
      attributes: JSON.stringify(row.attributes),
      tags: JSON.stringify(row.tags),
    });
    return Number(result.lastInsertRowid);
  }

  updateQueue(row: QueueRow): void {
    this.turns.open();
    this.stmt.updateQueue.run({
      id: row.id,
      attributes: JSON.stringify(row.attributes),
      tags: JSON.stringify(row.tags),
      lastModifiedAt: row.lastModifiedAt,
    });
  }

  deleteQueue(id: number): void {
    this.transaction(() => {
      this.stmt.deleteQueueMessages.run(id);
      this.dedup.forget(id);
      this.stmt.deleteQueue.run(id);
    });
    this.fifo.forget(id);
  }

  enqueue(entries: ReadonlyArray<{ queueId: number; message: NewMessage }>): StoredMessage[] {
    return this.transaction(() =>
      entries.map(({ queueId, message: m }) => {
        const elsewhere = payloadIsLarge(m.body, m.attributes);
        const result = this.stmt.insertMessage.run(
          queueId,
          m.messageId,
          elsewhere ? "" : m.body,
          m.md5OfBody,
          elsewhere ? null : (m.attributes ?? null),
          m.md5OfAttributes ?? null,
          m.senderId,
          m.sentAt,
          m.visibleAt,
          m.expiresAt,
          m.receiveCount ?? 0,
          m.firstReceivedAt ?? null,
          m.traceHeader ?? null,
          m.groupId ?? null,
          m.dedupId ?? null,
          m.sequenceNumber ?? null,
          m.deadLetterSourceArn ?? null,
          elsewhere ? 1 : 0,
        );
        const seq = Number(result.lastInsertRowid);
        if (elsewhere) this.stmt.insertPayload.run(seq, m.body, m.attributes ?? null);
        if (m.groupId !== undefined && (m.receiveCount ?? 0) > 0) this.locks.hold(queueId, m.groupId, seq, m.visibleAt);
        this.expiry.lower(m.expiresAt);
        return storedFrom(m, seq, queueId);
      }),
    );
  }

  receive(request: ReceiveRequest): ReceiveResult {
    return this.transaction(() => {
      const messages: StoredMessage[] = [];
      let moved = 0;
      // Expired or dead-lettered candidates free their slot; only then look further than `max`.
      let limit = request.max;
      let skippedTotal = 0;
      // With a visibility timeout of 0 a taken message is visible again at once; never return it twice.
      const taken = new Set<number>();
      while (messages.length < request.max && skippedTotal < MAX_SKIPPED_PER_RECEIVE) {
        const rows = request.fifo
          ? this.fifo.find(request.queueId, request.now, limit)
          : this.stmt.standardCandidates(limit).all(request.queueId, request.now);
        if (rows.length === 0) break;
        let skipped = 0;
        for (const row of rows) {
          if (messages.length >= request.max) break;
          const seq = row[CANDIDATE_SEQ];
          if (taken.has(seq)) continue;
          if (row[CANDIDATE_EXPIRES_AT] <= request.now) {
            this.stmt.deleteMessage.run(seq);
            skipped++;
            continue;
          }
          const redrive = request.redrive;
          if (redrive && row[CANDIDATE_RECEIVE_COUNT] + 1 > redrive.maxReceiveCount) {
            this.stmt.moveToDeadLetter.run({
              target: redrive.deadLetterQueueId,
              source: redrive.sourceArn,
              now: request.now,
              retention: redrive.deadLetterRetentionMs,
              seq,
            });
            this.expiry.lower(row[CANDIDATE_SENT_AT] + redrive.deadLetterRetentionMs);
            moved++;
            skipped++;
            continue;
          }
          const token = newReceiptToken();
          this.stmt.markReceived.run(request.now, request.now, token, request.visibleAt, seq);
          const group = row[CANDIDATE_GROUP_ID];
          if (group !== null) this.locks.hold(request.queueId, group, seq, request.visibleAt);
          taken.add(seq);
          const payload = row[CANDIDATE_PAYLOAD_ELSEWHERE] === 1 ? this.stmt.payload.get(seq) : undefined;
          messages.push(toReceived(row, payload, request.queueId, request.now, token, request.visibleAt));
        }
        skippedTotal += skipped;
        if (skipped === 0 || rows.length < limit) break;
        limit = Math.min(limit * 4, 200);
      }
      return { messages, movedToDeadLetter: moved };
    });
  }

  // No savepoint here or in changeVisibility: each path writes with at most one statement, and a statement
  // is atomic on its own; a savepoint per message was a measurable share of a batch delete.
  deleteMessage(queueId: number, seq: number, token: number, now: number, requireInFlight: boolean): DeleteOutcome {
    this.turns.open();
    // The common case in one statement; only a miss needs the row to say why.
    if (this.stmt.deleteCurrent.run(seq, queueId, token, requireInFlight ? now : -1).changes > 0) {
      this.locks.release(queueId, seq);
      return "deleted";
    }
    const row = this.stmt.messageBySeq.get(seq, queueId);
    if (!row) return "missing";
    if (row.receipt_token !== token) return requireInFlight ? "expired" : "stale";
    if (requireInFlight && row.visible_at <= now) return "expired";
    this.stmt.deleteMessage.run(seq);
    this.locks.release(queueId, seq);
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
    this.turns.open();
    const row = this.stmt.messageBySeq.get(seq, queueId);
    // The handle of the latest receive may still change a message whose timeout ran out, as on AWS.
    if (!row || row.receipt_token !== token) return "not-in-flight";
    if (visibleAt - (row.last_received_at ?? now) > maxSinceReceiveMs) return "beyond-limit";
    this.stmt.setVisibility.run(visibleAt, seq);
    if (row.group_id !== null) this.locks.hold(queueId, row.group_id, seq, visibleAt);
    return "changed";
  }

  purge(queueId: number): number {
    this.turns.open();
    this.locks.forget(queueId);
    return this.stmt.deleteQueueMessages.run(queueId).changes;
  }

  counts(queueId: number, now: number): QueueCounts {
    const row = this.stmt.counts.get(now, now, now, queueId, now);
    return { visible: row?.visible ?? 0, inFlight: row?.inFlight ?? 0, delayed: row?.delayed ?? 0 };
  }

  nextVisibleAt(queueId: number, now: number): number | undefined {
    return this.stmt.nextVisible.get(queueId, now)?.at ?? undefined;
  }

  deleteExpired(now: number): Map<number, number> {
    return this.transaction(() => {
      this.dedup.sweep(now);
      const removed = this.expiry.sweep(now);
      this.locks.removedUnnamed(removed.keys());
      return removed;
    });
  }

  nextExpiry(): number | undefined {
    return this.expiry.next();
  }

  findDedup(queueId: number, key: string, now: number): DedupEntry | undefined {
    return this.dedup.find(queueId, key, now);
  }

  recordDedup(queueId: number, key: string, entry: DedupEntry, expiresAt: number): void {
    this.turns.open();
    this.dedup.record(queueId, key, entry, expiresAt);
  }

  nextSequence(queueId: number, count: number): bigint {
    this.turns.open();
    const last = this.stmt.nextSequence.get(count, queueId)?.last_sequence;
    if (last === undefined) throw new Error(`no queue ${queueId} to sequence`);
    return BigInt(last) - BigInt(count) + 1n;
  }

  messagesToMove(queueId: number, upToSeq: number, limit: number, now: number): StoredMessage[] {
    const statement = this.stmt.queueIsFifo.get(queueId) === 1 ? this.stmt.fifoMessagesToMove : this.stmt.messagesToMove;
    return statement
      .all(queueId, upToSeq, now, now, limit)
      .map((r) => toMessage(r, r.payload_elsewhere === 1 ? this.stmt.payload.get(r.seq) : undefined));
  }

  relocate(seq: number, toQueueId: number, now: number, expiresAt: number): void {
    this.turns.open();
    this.stmt.relocate.run({ queue: toQueueId, now, expiresAt, seq });
    this.expiry.lower(expiresAt);
  }

  moveWatermark(queueId: number): { upToSeq: number; count: number } {
    const row = this.stmt.watermark.get(queueId);
    return { upToSeq: row?.upTo ?? 0, count: row?.n ?? 0 };
  }

  saveMoveTask(task: MoveTaskRow): void {
    this.turns.open();
    this.stmt.saveMoveTask.run(task.taskId, JSON.stringify(task));
  }

  loadMoveTasks(): MoveTaskRow[] {
    return this.stmt.moveTasks.all().map((r) => JSON.parse(r.body) as MoveTaskRow);
  }

  close(): void {
    if (this.db.open) {
      this.turns.close();
      this.db.pragma("wal_checkpoint(TRUNCATE)");
      this.db.close();
    }
  }
}
