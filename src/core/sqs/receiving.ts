import type { MessageAttributes } from "../message-digests.js";
import { md5OfAttributes } from "../message-digests.js";
import type { StoredMessage } from "../../store/types.js";
import { deserializeAttributes, selectAttributes } from "./message-attributes.js";
import { encodeReceiptHandle } from "./receipt-handle.js";

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: MessageAttributes;
}

export const SYSTEM_ATTRIBUTE_NAMES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SequenceNumber",
  "MessageDeduplicationId",
  "MessageGroupId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;

function systemAttributes(message: StoredMessage): Record<string, string | undefined> {
  return {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceivedAt !== undefined ? String(message.firstReceivedAt) : undefined,
    SequenceNumber: message.sequenceNumber,
    MessageDeduplicationId: message.dedupId,
    MessageGroupId: message.groupId,
    AWSTraceHeader: message.traceHeader,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
}

/** Renders a stored message for ReceiveMessage, with only the attributes the caller asked for. */
export function renderReceived(
  message: StoredMessage,
  systemNames: readonly string[],
  attributeNames: readonly string[] | undefined,
): ReceivedMessage {
  const out: ReceivedMessage = {
    MessageId: message.messageId,
    ReceiptHandle: encodeReceiptHandle({ queueId: message.queueId, seq: message.seq, token: message.receiptToken }),
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  if (systemNames.length > 0) {
    const all = systemNames.includes("All");
    const values = systemAttributes(message);
    const selected: Record<string, string> = {};
    for (const name of SYSTEM_ATTRIBUTE_NAMES) {
      const value = values[name];
      if (value !== undefined && (all || systemNames.includes(name))) selected[name] = value;
    }
    if (Object.keys(selected).length > 0) out.Attributes = selected;
  }
  if (message.attributes && attributeNames && attributeNames.length > 0) {
    const stored = deserializeAttributes(message.attributes);
    const selected = selectAttributes(stored, attributeNames);
    const count = Object.keys(selected).length;
    if (count > 0) {
      out.MessageAttributes = selected;
      out.MD5OfMessageAttributes =
        count === Object.keys(stored).length && message.md5OfAttributes ? message.md5OfAttributes : md5OfAttributes(selected);
    }
  }
  return out;
}
