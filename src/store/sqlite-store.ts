import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { newReceiptToken } from "./receipt-token.js";
import { SCHEMA, SCHEMA_VERSION } from "./sqlite-schema.js";
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

interface MessageRecord {
  seq: number;
  queue_id: number;
  message_id: string;
  body: string;
  md5_body: string;
  attributes: string | null;
  md5_attributes: string | null;
  sender_id: string;
  sent_at: number;
  visible_at: number;
  expires_at: number;
  receive_count: number;
  first_received_at: number | null;
  last_received_at: number | null;
  receipt_token: number;
  trace_header: string | null;
  group_id: string | null;
  dedup_id: string | null;
  sequence_number: string | null;
  dlq_source_arn: string | null;
}

interface QueueRecord {
  id: number;
  region: string;
  account_id: string;
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_at: number;
  last_modified_at: number;
}

function toMessage(r: MessageRecord): StoredMessage {
  return {
    seq: r.seq,
    queueId: r.queue_id,
    messageId: r.message_id,
    body: r.body,
    md5OfBody: r.md5_body,
    attributes: r.attributes ?? undefined,
    md5OfAttributes: r.md5_attributes ?? undefined,
    senderId: r.sender_id,
    sentAt: r.sent_at,
    visibleAt: r.visible_at,
    expiresAt: r.expires_at,
    receiveCount: r.receive_count,
    firstReceivedAt: r.first_received_at ?? undefined,
    lastReceivedAt: r.last_received_at ?? undefined,
    receiptToken: r.receipt_token,
    traceHeader: r.trace_header ?? undefined,
    groupId: r.group_id ?? undefined,
    dedupId: r.dedup_id ?? undefined,
    sequenceNumber: r.sequence_number ?? undefined,
    deadLetterSourceArn: r.dlq_source_arn ?? undefined,
  };
}

function toQueue(r: QueueRecord): QueueRow {
  return {
    id: r.id,
    region: r.region,
    accountId: r.account_id,
    name: r.name,
    fifo: r.fifo === 1,
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    tags: JSON.parse(r.tags) as Record<string, string>,
    createdAt: r.created_at,
    lastModifiedAt: r.last_modified_at,
  };
}

export class StoreOpenError extends Error {}

/**
 * Expired and dead-lettered messages are cleared out by the receive that meets them; past this many, the
 * receive answers with what it has so one call never holds the store for long.
 */
const MAX_SKIPPED_PER_RECEIVE = 1000;

/**
 * The durable store. WAL with synchronous=NORMAL: a committed transaction is in the WAL file before the
 * response is written, so it survives the broker being killed; only a power loss can cost the last commits.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(dataDir: string) {
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new StoreOpenError(`cannot create data directory ${dataDir}: ${(error as Error).message}`);
    }
    const file = join(dataDir, "sluice.db");
    try {
      this.db = new Database(file);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("busy_timeout = 5000");
      this.db.pragma("cache_size = -65536");
      const version = this.db.pragma("user_version", { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`data file was written by a newer Sluice (schema ${version})`);
      }
      this.db.exec(SCHEMA);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.db.prepare("SELECT count(*) FROM queues").get();
    } catch (error) {
      throw new StoreOpenError(`cannot open database ${file}: ${(error as Error).message}`);
    }
    const db = this.db;
    this.stmt = {
      queues: db.prepare<[], QueueRecord>("SELECT * FROM queues ORDER BY id"),
      insertQueue: db.prepare(
        `INSERT INTO queues (region, account_id, name, fifo, attributes, tags, created_at, last_modified_at)
         VALUES (@region, @accountId, @name, @fifo, @attributes, @tags, @createdAt, @lastModifiedAt)`,
      ),
      updateQueue: db.prepare(
        `UPDATE queues SET attributes = @attributes, tags = @tags, last_modified_at = @lastModifiedAt WHERE id = @id`,
      ),
      deleteQueue: db.prepare("DELETE FROM queues WHERE id = ?"),
      deleteQueueMessages: db.prepare("DELETE FROM messages WHERE queue_id = ?"),
      deleteQueueDedup: db.prepare("DELETE FROM dedup WHERE queue_id = ?"),
      insertMessage: db.prepare(
        `INSERT INTO messages (queue_id, message_id, body, md5_body, attributes, md5_attributes, sender_id, sent_at,
           visible_at, expires_at, receive_count, first_received_at, trace_header, group_id, dedup_id, sequence_number,
           dlq_source_arn)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      standardCandidates: db.prepare<[number, number, number], MessageRecord>(
        `SELECT * FROM messages WHERE queue_id = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?`,
      ),
      fifoCandidates: db.prepare<{ queue: number; now: number; limit: number }, MessageRecord>(
        // Walk the queue in sequence order and stop at the limit; a group is skipped when it has an
        // invisible message ahead of the candidate or any message in flight.
        `SELECT m.* FROM messages m INDEXED BY messages_by_queue
          WHERE m.queue_id = @queue AND m.visible_at <= @now
            AND NOT EXISTS (SELECT 1 FROM messages o
                             WHERE o.queue_id = @queue AND o.group_id = m.group_id AND o.visible_at > @now
                               AND (o.seq < m.seq OR o.receive_count > 0))
          ORDER BY m.seq LIMIT @limit`,
      ),
      markReceived: db.prepare(
        `UPDATE messages SET receive_count = receive_count + 1, first_received_at = coalesce(first_received_at, @now),
           last_received_at = @now, receipt_token = @token, visible_at = @visibleAt WHERE seq = @seq`,
      ),
      moveToDeadLetter: db.prepare(
        `UPDATE messages SET queue_id = @target, dlq_source_arn = @source, visible_at = @now,
           expires_at = sent_at + @retention WHERE seq = @seq`,
      ),
      messageBySeq: db.prepare<[number, number], MessageRecord>("SELECT * FROM messages WHERE seq = ? AND queue_id = ?"),
      deleteMessage: db.prepare("DELETE FROM messages WHERE seq = ?"),
      setVisibility: db.prepare("UPDATE messages SET visible_at = ? WHERE seq = ?"),
      counts: db.prepare<[number, number, number, number, number], { visible: number; inFlight: number; delayed: number }>(
        `SELECT
           coalesce(sum(visible_at <= ?), 0) AS visible,
           coalesce(sum(visible_at > ? AND receive_count > 0), 0) AS inFlight,
           coalesce(sum(visible_at > ? AND receive_count = 0), 0) AS delayed
         FROM messages WHERE queue_id = ? AND expires_at > ?`,
      ),
      nextVisible: db.prepare<[number, number], { at: number | null }>(
        "SELECT min(visible_at) AS at FROM messages WHERE queue_id = ? AND visible_at > ?",
      ),
      expired: db.prepare<[number], { queue_id: number; n: number }>(
        "SELECT queue_id, count(*) AS n FROM messages WHERE expires_at <= ? GROUP BY queue_id",
      ),
      deleteExpired: db.prepare("DELETE FROM messages WHERE expires_at <= ?"),
      deleteExpiredDedup: db.prepare("DELETE FROM dedup WHERE expires_at <= ?"),
      nextExpiry: db.prepare<[], { at: number | null }>("SELECT min(expires_at) AS at FROM messages"),
      findDedup: db.prepare<[number, string, number], { message_id: string; sequence_number: string | null }>(
        "SELECT message_id, sequence_number FROM dedup WHERE queue_id = ? AND key = ? AND expires_at > ?",
      ),
      recordDedup: db.prepare(
        `INSERT INTO dedup (queue_id, key, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (queue_id, key) DO UPDATE SET message_id = excluded.message_id,
           sequence_number = excluded.sequence_number, expires_at = excluded.expires_at`,
      ),
      messagesToMove: db.prepare<[number, number, number, number, number], MessageRecord>(
        `SELECT * FROM messages WHERE queue_id = ? AND seq <= ? AND visible_at <= ? AND expires_at > ?
          ORDER BY seq LIMIT ?`,
      ),
      relocate: db.prepare(
        `UPDATE messages SET queue_id = @queue, visible_at = @now, expires_at = @expiresAt, receive_count = 0,
           receipt_token = 0, first_received_at = NULL, last_received_at = NULL, dlq_source_arn = NULL
         WHERE seq = @seq`,
      ),
      watermark: db.prepare<[number], { upTo: number | null; n: number }>(
        "SELECT max(seq) AS upTo, count(*) AS n FROM messages WHERE queue_id = ?",
      ),
      saveMoveTask: db.prepare(
        "INSERT INTO move_tasks (task_id, body) VALUES (?, ?) ON CONFLICT (task_id) DO UPDATE SET body = excluded.body",
      ),
      moveTasks: db.prepare<[], { body: string }>("SELECT body FROM move_tasks"),
      nextSequence: db.prepare<[number], { last_sequence: number }>(
        "UPDATE queues SET last_sequence = last_sequence + 1 WHERE id = ? RETURNING last_sequence",
      ),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** The connection, for stores of other services that must commit in the same transactions. */
  get database(): Database.Database {
    return this.db;
  }

  loadQueues(): QueueRow[] {
    return this.stmt.queues.all().map(toQueue);
  }

  insertQueue(row: NewQueueRow): number {
    const result = this.stmt.insertQueue.run({
      ...row,
      fifo: row.fifo ? 1 : 0,
      attributes: JSON.stringify(row.attributes),
      tags: JSON.stringify(row.tags),
    });
    return Number(result.lastInsertRowid);
  }

  updateQueue(row: QueueRow): void {
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
      this.stmt.deleteQueueDedup.run(id);
      this.stmt.deleteQueue.run(id);
    });
  }

  enqueue(entries: ReadonlyArray<{ queueId: number; message: NewMessage }>): StoredMessage[] {
    return this.transaction(() =>
      entries.map(({ queueId, message: m }) => {
        const result = this.stmt.insertMessage.run(
          queueId,
          m.messageId,
          m.body,
          m.md5OfBody,
          m.attributes ?? null,
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
        );
        return { ...m, seq: Number(result.lastInsertRowid), queueId, receiveCount: m.receiveCount ?? 0, receiptToken: 0 };
      }),
    );
  }

  receive(request: ReceiveRequest): ReceiveResult {
    return this.transaction(() => {
      const messages: StoredMessage[] = [];
      let moved = 0;
      // Expired or dead-lettered candidates free their slot, so look a little further than `max`.
      const limit = request.max * 2 + 10;
      let skippedTotal = 0;
      while (messages.length < request.max && skippedTotal < MAX_SKIPPED_PER_RECEIVE) {
        const rows = request.fifo
          ? this.stmt.fifoCandidates.all({ queue: request.queueId, now: request.now, limit })
          : this.stmt.standardCandidates.all(request.queueId, request.now, limit);
        if (rows.length === 0) break;
        let skipped = 0;
        for (const row of rows) {
          if (messages.length >= request.max) break;
          if (row.expires_at <= request.now) {
            this.stmt.deleteMessage.run(row.seq);
            skipped++;
            continue;
          }
          const redrive = request.redrive;
          if (redrive && row.receive_count + 1 > redrive.maxReceiveCount) {
            this.stmt.moveToDeadLetter.run({
              target: redrive.deadLetterQueueId,
              source: redrive.sourceArn,
              now: request.now,
              retention: redrive.deadLetterRetentionMs,
              seq: row.seq,
            });
            moved++;
            skipped++;
            continue;
          }
          const token = newReceiptToken();
          this.stmt.markReceived.run({ now: request.now, token, visibleAt: request.visibleAt, seq: row.seq });
          const message = toMessage(row);
          message.receiveCount++;
          message.firstReceivedAt ??= request.now;
          message.lastReceivedAt = request.now;
          message.receiptToken = token;
          message.visibleAt = request.visibleAt;
          messages.push(message);
        }
        skippedTotal += skipped;
        if (skipped === 0 || rows.length < limit) break;
      }
      return { messages, movedToDeadLetter: moved };
    });
  }

  deleteMessage(queueId: number, seq: number, token: number, now: number, requireInFlight: boolean): DeleteOutcome {
    return this.transaction(() => {
      const row = this.stmt.messageBySeq.get(seq, queueId);
      if (!row) return "missing";
      if (row.receipt_token !== token) return requireInFlight ? "expired" : "stale";
      if (requireInFlight && row.visible_at <= now) return "expired";
      this.stmt.deleteMessage.run(seq);
      return "deleted";
    });
  }

  changeVisibility(
    queueId: number,
    seq: number,
    token: number,
    now: number,
    visibleAt: number,
    maxSinceReceiveMs: number,
  ): VisibilityOutcome {
    return this.transaction(() => {
      const row = this.stmt.messageBySeq.get(seq, queueId);
      if (!row || row.receipt_token !== token || row.visible_at <= now) return "not-in-flight";
      if (visibleAt - (row.last_received_at ?? now) > maxSinceReceiveMs) return "beyond-limit";
      this.stmt.setVisibility.run(visibleAt, seq);
      return "changed";
    });
  }

  purge(queueId: number): number {
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
      const removed = new Map(this.stmt.expired.all(now).map((r) => [r.queue_id, r.n] as const));
      if (removed.size > 0) this.stmt.deleteExpired.run(now);
      this.stmt.deleteExpiredDedup.run(now);
      return removed;
    });
  }

  nextExpiry(): number | undefined {
    return this.stmt.nextExpiry.get()?.at ?? undefined;
  }

  findDedup(queueId: number, key: string, now: number): DedupEntry | undefined {
    const row = this.stmt.findDedup.get(queueId, key, now);
    return row ? { messageId: row.message_id, sequenceNumber: row.sequence_number ?? undefined } : undefined;
  }

  recordDedup(queueId: number, key: string, entry: DedupEntry, expiresAt: number): void {
    this.stmt.recordDedup.run(queueId, key, entry.messageId, entry.sequenceNumber ?? null, expiresAt);
  }

  nextSequence(queueId: number): bigint {
    return BigInt(this.stmt.nextSequence.get(queueId)?.last_sequence ?? 0);
  }

  messagesToMove(queueId: number, upToSeq: number, limit: number, now: number): StoredMessage[] {
    return this.stmt.messagesToMove.all(queueId, upToSeq, now, now, limit).map(toMessage);
  }

  relocate(seq: number, toQueueId: number, now: number, expiresAt: number): void {
    this.stmt.relocate.run({ queue: toQueueId, now, expiresAt, seq });
  }

  moveWatermark(queueId: number): { upToSeq: number; count: number } {
    const row = this.stmt.watermark.get(queueId);
    return { upToSeq: row?.upTo ?? 0, count: row?.n ?? 0 };
  }

  saveMoveTask(task: MoveTaskRow): void {
    this.stmt.saveMoveTask.run(task.taskId, JSON.stringify(task));
  }

  loadMoveTasks(): MoveTaskRow[] {
    return this.stmt.moveTasks.all().map((r) => JSON.parse(r.body) as MoveTaskRow);
  }

  close(): void {
    if (this.db.open) {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
      this.db.close();
    }
  }
}
