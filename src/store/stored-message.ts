import type { NewMessage, StoredMessage } from "./types.js";

// Both stores build and copy messages on every send and receive. Every field is written out: spreading
// (`{ ...message, seq }`) made V8 build a fresh hidden class per message, which showed in the profiles.

/** A new message as the store keeps it once it has its sequence number and queue. */
export function storedFrom(m: NewMessage, seq: number, queueId: number): StoredMessage {
  return {
    seq,
    queueId,
    messageId: m.messageId,
    body: m.body,
    md5OfBody: m.md5OfBody,
    attributes: m.attributes,
    md5OfAttributes: m.md5OfAttributes,
    senderId: m.senderId,
    sentAt: m.sentAt,
    visibleAt: m.visibleAt,
    expiresAt: m.expiresAt,
    receiveCount: m.receiveCount ?? 0,
    firstReceivedAt: m.firstReceivedAt,
    lastReceivedAt: undefined,
    receiptToken: 0,
    traceHeader: m.traceHeader,
    groupId: m.groupId,
    dedupId: m.dedupId,
    sequenceNumber: m.sequenceNumber,
    deadLetterSourceArn: m.deadLetterSourceArn,
  };
}

/** A copy the caller may keep or change without touching the store's own record. */
export function copyMessage(m: StoredMessage): StoredMessage {
  return {
    seq: m.seq,
    queueId: m.queueId,
    messageId: m.messageId,
    body: m.body,
    md5OfBody: m.md5OfBody,
    attributes: m.attributes,
    md5OfAttributes: m.md5OfAttributes,
    senderId: m.senderId,
    sentAt: m.sentAt,
    visibleAt: m.visibleAt,
    expiresAt: m.expiresAt,
    receiveCount: m.receiveCount,
    firstReceivedAt: m.firstReceivedAt,
    lastReceivedAt: m.lastReceivedAt,
    receiptToken: m.receiptToken,
    traceHeader: m.traceHeader,
    groupId: m.groupId,
    dedupId: m.dedupId,
    sequenceNumber: m.sequenceNumber,
    deadLetterSourceArn: m.deadLetterSourceArn,
  };
}
