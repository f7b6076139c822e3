import type { QueueRow, StoredMessage } from "./types.js";

/** Rows as SQLite returns them, and their mapping to the store's types. */
export interface MessageRecord {
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
  payload_elsewhere: number;
}

/** A payload kept in message_payloads, for rows marked payload_elsewhere. */
export type PayloadRow = [body: string, attributes: string | null];

export interface QueueRecord {
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

/**
 * What a receive reads of a candidate, in order: everything it returns except the columns the receive
 * itself overwrites. Read as arrays (better-sqlite3's raw mode): building an object per row with every
 * column named cost more than the lookup itself.
 */
export const CANDIDATE_COLUMNS = [
  "seq",
  "message_id",
  "body",
  "md5_body",
  "attributes",
  "md5_attributes",
  "sender_id",
  "sent_at",
  "expires_at",
  "receive_count",
  "first_received_at",
  "trace_header",
  "group_id",
  "dedup_id",
  "sequence_number",
  "dlq_source_arn",
  "payload_elsewhere",
] as const;

export type CandidateRow = [
  seq: number,
  messageId: string,
  body: string,
  md5OfBody: string,
  attributes: string | null,
  md5OfAttributes: string | null,
  senderId: string,
  sentAt: number,
  expiresAt: number,
  receiveCount: number,
  firstReceivedAt: number | null,
  traceHeader: string | null,
  groupId: string | null,
  dedupId: string | null,
  sequenceNumber: string | null,
  deadLetterSourceArn: string | null,
  payloadElsewhere: number,
];

/** Positions in a CandidateRow that the receive reads before deciding what to do with the row. */
export const CANDIDATE_SEQ = 0;
export const CANDIDATE_SENT_AT = 7;
export const CANDIDATE_EXPIRES_AT = 8;
export const CANDIDATE_RECEIVE_COUNT = 9;
export const CANDIDATE_GROUP_ID = 12;
export const CANDIDATE_PAYLOAD_ELSEWHERE = 16;

/** A candidate as the receive that takes it leaves it: counted, stamped and hidden until `visibleAt`. */
export function toReceived(
  r: CandidateRow,
  payload: PayloadRow | undefined,
  queueId: number,
  now: number,
  token: number,
  visibleAt: number,
): StoredMessage {
  return {
    seq: r[0],
    queueId,
    messageId: r[1],
    body: payload ? payload[0] : r[2],
    md5OfBody: r[3],
    attributes: (payload ? payload[1] : r[4]) ?? undefined,
    md5OfAttributes: r[5] ?? undefined,
    senderId: r[6],
    sentAt: r[7],
    visibleAt,
    expiresAt: r[8],
    receiveCount: r[9] + 1,
    firstReceivedAt: r[10] ?? now,
    lastReceivedAt: now,
    receiptToken: token,
    traceHeader: r[11] ?? undefined,
    groupId: r[12] ?? undefined,
    dedupId: r[13] ?? undefined,
    sequenceNumber: r[14] ?? undefined,
    deadLetterSourceArn: r[15] ?? undefined,
  };
}

export function toMessage(r: MessageRecord, payload?: PayloadRow): StoredMessage {
  return {
    seq: r.seq,
    queueId: r.queue_id,
    messageId: r.message_id,
    body: payload ? payload[0] : r.body,
    md5OfBody: r.md5_body,
    attributes: (payload ? payload[1] : r.attributes) ?? undefined,
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

export function toQueue(r: QueueRecord): QueueRow {
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

/** Past this many bytes a message's body and attributes go to message_payloads (see the schema). */
const INLINE_PAYLOAD_BYTES = 3072;

export function payloadIsLarge(body: string, attributes: string | undefined): boolean {
  const units = body.length + (attributes?.length ?? 0);
  // A UTF-16 unit is at most 3 bytes of UTF-8: short strings need no byte count.
  if (units * 3 <= INLINE_PAYLOAD_BYTES) return false;
  return Buffer.byteLength(body) + (attributes ? Buffer.byteLength(attributes) : 0) > INLINE_PAYLOAD_BYTES;
}
