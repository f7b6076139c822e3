import type Database from "better-sqlite3";
import { QUEUE_DEDUP, dedupLogSchema } from "./sqlite-dedup.js";

/** The SQLite schema; `user_version` tells which migrations a data file has seen. */
export const SCHEMA_VERSION = 6;

// FIFO deduplication entries in the order they were recorded, which is the order they expire in; which row
// holds an id is kept in memory (see sqlite-dedup.ts).
const DEDUP_LOG = dedupLogSchema(QUEUE_DEDUP);

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (
  id INTEGER PRIMARY KEY,
  region TEXT NOT NULL,
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  fifo INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_modified_at INTEGER NOT NULL,
  last_sequence INTEGER NOT NULL DEFAULT 0,
  UNIQUE (region, account_id, name)
);

CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  md5_body TEXT NOT NULL,
  attributes TEXT,
  md5_attributes TEXT,
  sender_id TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER,
  last_received_at INTEGER,
  receipt_token INTEGER NOT NULL DEFAULT 0,
  trace_header TEXT,
  group_id TEXT,
  dedup_id TEXT,
  sequence_number TEXT,
  dlq_source_arn TEXT,
  payload_elsewhere INTEGER NOT NULL DEFAULT 0
);
-- Large bodies and attributes live apart from their row (which then holds '' and NULL and is marked):
-- SQLite rewrites a whole record, overflow pages and all, whenever an UPDATE changes its size, and every
-- receive does. Whichever way a row is deleted, its payload goes with it.
CREATE TABLE IF NOT EXISTS message_payloads (
  seq INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  attributes TEXT
);
CREATE TRIGGER IF NOT EXISTS message_payloads_follow AFTER DELETE ON messages WHEN old.payload_elsewhere = 1
BEGIN
  DELETE FROM message_payloads WHERE seq = old.seq;
END;
-- Receives walk this in (visible_at, seq) order; receive_count and expires_at ride along so the
-- Approximate* counts and the retention sweep are answered from the index alone, without reading bodies.
CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (queue_id, visible_at, seq, receive_count, expires_at);
-- FIFO receives visit a queue's groups through this (a skip scan over group_id) and read each group's head
-- in sequence order, so a group with a message in flight costs one probe, not a read of its backlog (which
-- groups have one is kept in memory: see sqlite-fifo-locks.ts).
-- Receives never change these columns, so it costs an entry per send and per delete, and only for messages
-- that carry a group. Created by SCHEMA on open, so data files from before it get it too.
CREATE INDEX IF NOT EXISTS messages_by_group ON messages (queue_id, group_id, seq) WHERE group_id IS NOT NULL;
-- Sequence order for FIFO receives and moves. Every index on messages costs a page written per commit that
-- touches it, so messages without a group (most of a standard queue) stay out of it and queue-wide reads
-- use messages_by_visibility; for the same reason there is no index by expiry (see sqlite-expiry.ts).
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue_id, seq) WHERE group_id IS NOT NULL;

${DEDUP_LOG}

-- The generation of the redo log the database has committed up to (see sqlite-group-commit.ts): a log
-- frame of an earlier generation is already in the database and is never replayed.
CREATE TABLE IF NOT EXISTS redo_state (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  generation INTEGER NOT NULL
);
INSERT OR IGNORE INTO redo_state (id, generation) VALUES (0, 0);

CREATE TABLE IF NOT EXISTS move_tasks (
  task_id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
`;

/** Brings a file written by an earlier schema up to date; runs before SCHEMA, in the same transaction. */
export function migrate(db: Database.Database, version: number): void {
  // Version 2 added payload_elsewhere (and the payload table and trigger, which SCHEMA creates).
  const hasMessages = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'").get();
  if (version < 2 && hasMessages) {
    db.exec("ALTER TABLE messages ADD COLUMN payload_elsewhere INTEGER NOT NULL DEFAULT 0");
  }
  // Version 3 dropped the expiry index and narrowed the queue index to messages with a group.
  if (version < 3 && hasMessages) {
    db.exec("DROP INDEX IF EXISTS messages_by_expiry; DROP INDEX IF EXISTS messages_by_queue");
  }
  // Version 4 dropped the index by (group, visibility): locked groups are tracked in memory.
  if (version < 4) db.exec("DROP INDEX IF EXISTS messages_by_group_visibility");
  // Version 5 replaced the dedup table (indexed by id and by expiry) with an append-only log.
  if (version < 5 && db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dedup'").get()) {
    db.exec(`${DEDUP_LOG}
      INSERT INTO dedup_log (queue_id, key, message_id, sequence_number, expires_at)
        SELECT queue_id, key, message_id, sequence_number, expires_at FROM dedup ORDER BY expires_at;
      DROP TABLE dedup;`);
  }
}
