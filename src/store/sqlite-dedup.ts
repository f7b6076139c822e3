import type Database from "better-sqlite3";
import type { DedupEntry } from "./types.js";

function prepareDedupStatements(db: Database.Database) {
  return {
    entry: db.prepare<[row: number], { message_id: string; sequence_number: string | null; expires_at: number }>(
      "SELECT message_id, sequence_number, expires_at FROM dedup_log WHERE rowid = ?",
    ),
    append: db.prepare<[queueId: number, key: string, messageId: string, sequenceNumber: string | null, expiresAt: number]>(
      "INSERT INTO dedup_log (queue_id, key, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)",
    ),
    oldestFirst: db
      .prepare<[], [row: number, queueId: number, key: string, expiresAt: number]>(
        "SELECT rowid, queue_id, key, expires_at FROM dedup_log ORDER BY rowid",
      )
      .raw(true),
    dropThrough: db.prepare<[row: number]>("DELETE FROM dedup_log WHERE rowid <= ?"),
    dropQueue: db.prepare<[queueId: number]>("DELETE FROM dedup_log WHERE queue_id = ?"),
  };
}

/**
 * FIFO deduplication entries: on disk an append-only log, in memory which log row holds each queue's
 * deduplication id. An index by id on disk put every entry on a leaf of its own when ids are random (UUIDs,
 * or the SHA-256 of content-based deduplication): ten such entries wrote ten pages of that index per
 * SendMessageBatch, more than the messages themselves. Appended in the order they are recorded, a batch's
 * entries share a page, and the window being fixed, that is also the order in which they expire.
 *
 * The ids are read back from the log the first time they are asked for, so opening a store reads nothing; a
 * rolled-back transaction or a failed commit drops them, to be read again. Each id held costs memory for as
 * long as its window lasts (~100 B for a UUID).
 */
export class DedupLog {
  private readonly stmt: ReturnType<typeof prepareDedupStatements>;
  /** Per queue, deduplication id → row of its latest entry; undefined until read. */
  private rows: Map<number, Map<string, number>> | undefined;

  constructor(db: Database.Database) {
    this.stmt = prepareDedupStatements(db);
  }

  find(queueId: number, key: string, now: number): DedupEntry | undefined {
    const row = this.index().get(queueId)?.get(key);
    if (row === undefined) return undefined;
    const entry = this.stmt.entry.get(row);
    if (!entry || entry.expires_at <= now) return undefined;
    return { messageId: entry.message_id, sequenceNumber: entry.sequence_number ?? undefined };
  }

  record(queueId: number, key: string, entry: DedupEntry, expiresAt: number): void {
    const rows = this.index();
    const { lastInsertRowid } = this.stmt.append.run(queueId, key, entry.messageId, entry.sequenceNumber ?? null, expiresAt);
    let ids = rows.get(queueId);
    if (!ids) rows.set(queueId, (ids = new Map()));
    ids.set(key, Number(lastInsertRowid));
  }

  /** The queue is gone; its id may be given to a queue created later, which must not inherit its entries. */
  forgetQueue(queueId: number): void {
    this.rows?.delete(queueId);
    this.stmt.dropQueue.run(queueId);
  }

  /**
   * Removes the entries whose window has passed, oldest first, up to the first that has not. A clock set
   * back can leave a later entry expiring before an earlier one; it waits for a later sweep (and `find`
   * checks the expiry itself meanwhile).
   */
  sweep(now: number): void {
    let last: number | undefined;
    for (const [row, queueId, key, expiresAt] of this.stmt.oldestFirst.iterate()) {
      if (expiresAt > now) break;
      last = row;
      const ids = this.rows?.get(queueId);
      // A later entry for the same id has taken over: that one stays.
      if (ids?.get(key) !== row) continue;
      ids.delete(key);
      if (ids.size === 0) this.rows?.delete(queueId);
    }
    if (last !== undefined) this.stmt.dropThrough.run(last);
  }

  /** After a rollback: what is in memory may name rows that were never written. */
  reset(): void {
    this.rows = undefined;
  }

  private index(): Map<number, Map<string, number>> {
    if (this.rows) return this.rows;
    const rows = new Map<number, Map<string, number>>();
    // Later rows for the same id replace earlier ones.
    for (const [row, queueId, key] of this.stmt.oldestFirst.iterate()) {
      let ids = rows.get(queueId);
      if (!ids) rows.set(queueId, (ids = new Map()));
      ids.set(key, row);
    }
    this.rows = rows;
    return rows;
  }
}
