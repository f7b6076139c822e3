import type Database from "better-sqlite3";
import {
  CANDIDATE_COLUMNS,
  type CandidateRow,
  type MessageRecord,
  type PayloadRow,
  type QueueRecord,
} from "./sqlite-rows.js";

const candidateColumns = CANDIDATE_COLUMNS.join(", ");
const fifoCandidateColumns = CANDIDATE_COLUMNS.map((c) => `m.${c}`).join(", ");

/**
 * One prepared statement per LIMIT value, written into the SQL. SQLite re-prepares a statement whose LIMIT
 * is a bound parameter every time it is bound, which more than doubled the cost of a receive's query. A
 * receive only ever asks for a few distinct limits (1–10, then ×4 up to 200), so the cache stays small.
 */
function byLimit<S>(prepare: (limit: number) => S): (limit: number) => S {
  const cache = new Map<number, S>();
  return (limit) => {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`invalid LIMIT ${limit}`);
    let statement = cache.get(limit);
    if (!statement) {
      statement = prepare(limit);
      cache.set(limit, statement);
    }
    return statement;
  };
}

/** Every statement the SQLite store runs, prepared once when the store opens. */
export function prepareStatements(db: Database.Database) {
  return {
    begin: db.prepare("BEGIN"),
    commit: db.prepare("COMMIT"),
    savepoint: db.prepare("SAVEPOINT atomic"),
    release: db.prepare("RELEASE atomic"),
    rollbackToSavepoint: db.prepare("ROLLBACK TO atomic"),
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
         dlq_source_arn, payload_elsewhere)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertPayload: db.prepare<[seq: number, body: string, attributes: string | null]>(
      "INSERT INTO message_payloads (seq, body, attributes) VALUES (?, ?, ?)",
    ),
    payload: db.prepare<[seq: number], PayloadRow>("SELECT body, attributes FROM message_payloads WHERE seq = ?").raw(true),
    standardCandidates: byLimit((limit) =>
      db
        .prepare<[queue: number, now: number], CandidateRow>(
          `SELECT ${candidateColumns} FROM messages WHERE queue_id = ? AND visible_at <= ?
            ORDER BY visible_at, seq LIMIT ${limit}`,
        )
        .raw(true),
    ),
    fifoCandidates: byLimit((limit) =>
      db
        .prepare<{ queue: number; now: number }, CandidateRow>(
          // Walk the queue in sequence order and stop at the limit; a group is skipped when it has an
          // invisible message ahead of the candidate or any message in flight.
          `SELECT ${fifoCandidateColumns} FROM messages m INDEXED BY messages_by_queue
            WHERE m.queue_id = @queue AND m.visible_at <= @now
              AND NOT EXISTS (SELECT 1 FROM messages o
                               WHERE o.queue_id = @queue AND o.group_id = m.group_id AND o.visible_at > @now
                                 AND (o.seq < m.seq OR o.receive_count > 0))
            ORDER BY m.seq LIMIT ${limit}`,
        )
        .raw(true),
    ),
    // Positional parameters: binding by name costs a lookup per parameter on the hottest write.
    markReceived: db.prepare<[now: number, now: number, token: number, visibleAt: number, seq: number]>(
      `UPDATE messages SET receive_count = receive_count + 1, first_received_at = coalesce(first_received_at, ?),
         last_received_at = ?, receipt_token = ?, visible_at = ? WHERE seq = ?`,
    ),
    moveToDeadLetter: db.prepare(
      `UPDATE messages SET queue_id = @target, dlq_source_arn = @source, visible_at = @now,
         expires_at = sent_at + @retention WHERE seq = @seq`,
    ),
    messageBySeq: db.prepare<[number, number], MessageRecord>("SELECT * FROM messages WHERE seq = ? AND queue_id = ?"),
    deleteMessage: db.prepare("DELETE FROM messages WHERE seq = ?"),
    deleteCurrent: db.prepare(
      "DELETE FROM messages WHERE seq = ? AND queue_id = ? AND receipt_token = ? AND visible_at > ?",
    ),
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
      // Left to itself the planner walks the whole visibility index for the GROUP BY (60 ms a sweep at a
      // million messages); the expiry index reads only what has expired.
      `SELECT queue_id, count(*) AS n FROM messages INDEXED BY messages_by_expiry
        WHERE expires_at <= ? GROUP BY queue_id`,
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

export type Statements = ReturnType<typeof prepareStatements>;
