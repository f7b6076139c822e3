import type Database from "better-sqlite3";
import type { DedupEntry } from "./types.js";

/** Where a log lives: its table, and the column naming the queue or topic an entry belongs to. */
export interface DedupTable {
  table: "dedup_log" | "sns_dedup_log";
  owner: "queue_id" | "topic_id";
}

export const QUEUE_DEDUP: DedupTable = { table: "dedup_log", owner: "queue_id" };
export const TOPIC_DEDUP: DedupTable = { table: "sns_dedup_log", owner: "topic_id" };

/** The log's table. No index: one by id took a page per entry. */
export function dedupLogSchema({ table, owner }: DedupTable): string {
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  ${owner} INTEGER NOT NULL,
  key TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sequence_number TEXT,
  expires_at INTEGER NOT NULL
);`;
}

function prepareDedupStatements(db: Database.Database, { table, owner }: DedupTable) {
  return {
    entry: db.prepare<[row: number], { message_id: string; sequence_number: string | null; expires_at: number }>(
      `SELECT message_id, sequence_number, expires_at FROM ${table} WHERE rowid = ?`,
    ),
    append: db.prepare<[ownerId: number, key: string, messageId: string, sequenceNumber: string | null, expiresAt: number]>(
      `INSERT INTO ${table} (${owner}, key, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)`,
    ),
    oldestFirst: db
      .prepare<[], [row: number, ownerId: number, key: string, expiresAt: number]>(
        `SELECT rowid, ${owner}, key, expires_at FROM ${table} ORDER BY rowid`,
      )
      .raw(true),
    dropThrough: db.prepare<[row: number]>(`DELETE FROM ${table} WHERE rowid <= ?`),
    dropOwner: db.prepare<[ownerId: number]>(`DELETE FROM ${table} WHERE ${owner} = ?`),
  };
}

/**
 * FIFO deduplication entries of queues or of topics: on disk an append-only log, in memory which log row
 * holds each queue's (topic's) deduplication id. An index by id on disk put every entry on a leaf of its own
 * when ids are random (UUIDs, or the SHA-256 of content-based deduplication): ten such entries wrote ten
 * pages of that index per SendMessageBatch, more than the messages themselves. Appended in the order they are recorded, a batch's
 * entries share a page, and the window being fixed, that is also the order in which they expire.
 *
 * The ids are read back from the log the first time they are asked for, so opening a store reads nothing; a
 * rolled-back transaction or a failed commit drops them, to be read again. Each id held costs memory for as
 * long as its window lasts (~100 B for a UUID).
 */
export class DedupLog {
  private readonly stmt: ReturnType<typeof prepareDedupStatements>;
  /** Per queue (topic), deduplication id → row of its latest entry; undefined until read. */
  private rows: Map<number, Map<string, number>> | undefined;

  constructor(db: Database.Database, where: DedupTable) {
    this.stmt = prepareDedupStatements(db, where);
  }

  find(ownerId: number, key: string, now: number): DedupEntry | undefined {
    const row = this.index().get(ownerId)?.get(key);
    if (row === undefined) return undefined;
    const entry = this.stmt.entry.get(row);
    if (!entry || entry.expires_at <= now) return undefined;
    return { messageId: entry.message_id, sequenceNumber: entry.sequence_number ?? undefined };
  }

  record(ownerId: number, key: string, entry: DedupEntry, expiresAt: number): void {
    const rows = this.index();
    const { lastInsertRowid } = this.stmt.append.run(ownerId, key, entry.messageId, entry.sequenceNumber ?? null, expiresAt);
    let ids = rows.get(ownerId);
    if (!ids) rows.set(ownerId, (ids = new Map()));
    ids.set(key, Number(lastInsertRowid));
  }

  /** The queue (topic) is gone; its id may be given to one created later, which must not inherit its entries. */
  forget(ownerId: number): void {
    this.stmt.dropOwner.run(ownerId);
    this.rows?.delete(ownerId);
  }

  /**
   * Removes the entries whose window has passed, oldest first, up to the first that has not. A clock set
   * back can leave a later entry expiring before an earlier one; it waits for a later sweep (and `find`
   * checks the expiry itself meanwhile).
   */
  sweep(now: number): void {
    let last: number | undefined;
    for (const [row, ownerId, key, expiresAt] of this.stmt.oldestFirst.iterate()) {
      if (expiresAt > now) break;
      last = row;
      const ids = this.rows?.get(ownerId);
      // A later entry for the same id has taken over: that one stays.
      if (ids?.get(key) !== row) continue;
      ids.delete(key);
      if (ids.size === 0) this.rows?.delete(ownerId);
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
    for (const [row, ownerId, key] of this.stmt.oldestFirst.iterate()) {
      let ids = rows.get(ownerId);
      if (!ids) rows.set(ownerId, (ids = new Map()));
      ids.set(key, row);
    }
    this.rows = rows;
    return rows;
  }
}
