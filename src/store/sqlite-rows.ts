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
}

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

export function toMessage(r: MessageRecord): StoredMessage {
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
