import type Database from "better-sqlite3";
import {
  CANDIDATE_COLUMNS,
  type CandidateRow,
  type MessageRecord,
  type PayloadRow,
  type QueueRecord,
} from "./sqlite-rows.js";

const candidateColumns = CANDIDATE_COLUMNS.join(", ");

/**
 * One prepared statement per LIMIT value, written into the SQL. SQLite re-prepares a statement whose LIMIT
 * is a bound parameter every time it is bound, which more than doubled the cost of a receive's query. A
 * receive only ever asks for a few distinct limits (1–10, then ×4 up to 200), so the cache stays small.
 */
export function byLimit<S>(prepare: (limit: number) => S): (limit: number) => S {
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
    queueIsFifo: db.prepare<[queue: number], number>("SELECT fifo FROM queues WHERE id = ?").pluck(),
    // A FIFO queue's messages all have a group, so they are in messages_by_queue and move in sequence order,
    // which keeps each group's order. A standard queue's move in the order they became visible, the order
    // the visibility index gives without reading the whole queue.
    fifoMessagesToMove: db.prepare<[number, number, number, number, number], MessageRecord>(
      `SELECT * FROM messages INDEXED BY messages_by_queue
        WHERE queue_id = ? AND group_id IS NOT NULL AND seq <= ? AND visible_at <= ? AND expires_at > ?
        ORDER BY seq LIMIT ?`,
    ),
    messagesToMove: db.prepare<[number, number, number, number, number], MessageRecord>(
      `SELECT * FROM messages INDEXED BY messages_by_visibility
        WHERE queue_id = ? AND seq <= ? AND visible_at <= ? AND expires_at > ?
        ORDER BY visible_at, seq LIMIT ?`,
    ),
    relocate: db.prepare(
      `UPDATE messages SET queue_id = @queue, visible_at = @now, expires_at = @expiresAt, receive_count = 0,
         receipt_token = 0, first_received_at = NULL, last_received_at = NULL, dlq_source_arn = NULL
       WHERE seq = @seq`,
    ),
    watermark: db.prepare<[number], { upTo: number | null; n: number }>(
      "SELECT max(seq) AS upTo, count(*) AS n FROM messages INDEXED BY messages_by_visibility WHERE queue_id = ?",
    ),
    saveMoveTask: db.prepare(
      "INSERT INTO move_tasks (task_id, body) VALUES (?, ?) ON CONFLICT (task_id) DO UPDATE SET body = excluded.body",
    ),
    moveTasks: db.prepare<[], { body: string }>("SELECT body FROM move_tasks"),
    nextSequence: db.prepare<[count: number, queueId: number], { last_sequence: number }>(
      "UPDATE queues SET last_sequence = last_sequence + ? WHERE id = ? RETURNING last_sequence",
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
