import { createHash, randomUUID } from "node:crypto";
import { SqsError, invalidParameter, missingParameter } from "../errors.js";
import type { Caller } from "../identity.js";
import { md5Hex, md5OfAttributes, type MessageAttributes } from "../message-digests.js";
import type { NewMessage } from "../../store/types.js";
import {
  type MessageAttributesInput,
  messageSize,
  normalizeAttributes,
  serializeAttributes,
  validateAttributes,
  validateBody,
} from "./message-attributes.js";
import type { Queue } from "./queue.js";

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: MessageAttributesInput;
  MessageSystemAttributes?: MessageAttributesInput;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface SendOutput {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

/** A validated message, ready to be stored; FIFO dedup and sequencing happen at commit. */
export interface PreparedMessage {
  message: NewMessage;
  output: SendOutput;
  dedupKey?: string;
}

const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

function notForQueueType(name: string, value: string | number): SqsError {
  return invalidParameter(name, value, "The request include parameter that is not valid for this queue type.");
}

export function prepareMessage(
  queue: Queue,
  caller: Caller,
  input: SendInput,
  now: number,
  traceHeader: string | undefined,
): PreparedMessage {
  const body = validateBody(input.MessageBody);
  validateAttributes(input.MessageAttributes, "message");
  const attributes = normalizeAttributes(input.MessageAttributes);
  validateAttributes(input.MessageSystemAttributes, "system");
  const system = normalizeAttributes(input.MessageSystemAttributes);

  const size = messageSize(body, attributes);
  if (size > queue.settings.maximumMessageSize) {
    throw new SqsError(
      "InvalidParameterValueException",
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.settings.maximumMessageSize} bytes.`,
    );
  }

  let delaySeconds = queue.settings.delaySeconds;
  if (input.DelaySeconds !== undefined) {
    if (input.DelaySeconds < 0 || input.DelaySeconds > 900) {
      throw invalidParameter("DelaySeconds", input.DelaySeconds, "DelaySeconds must be >= 0 and <= 900.");
    }
    if (queue.fifo && input.DelaySeconds !== 0) throw notForQueueType("DelaySeconds", input.DelaySeconds);
    if (!queue.fifo) delaySeconds = input.DelaySeconds;
  }

  const groupId = input.MessageGroupId;
  const dedupId = input.MessageDeduplicationId;
  let dedupKey: string | undefined;
  if (groupId !== undefined && !FIFO_ID.test(groupId)) {
    throw invalidParameter("MessageGroupId", groupId, "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  if (dedupId !== undefined && !FIFO_ID.test(dedupId)) {
    throw invalidParameter(
      "MessageDeduplicationId",
      dedupId,
      "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
    );
  }
  if (queue.fifo) {
    if (groupId === undefined) throw missingParameter("MessageGroupId");
    let effectiveDedup = dedupId;
    if (effectiveDedup === undefined) {
      if (!queue.settings.contentBasedDeduplication) {
        throw new SqsError(
          "InvalidParameterValueException",
          "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        );
      }
      effectiveDedup = createHash("sha256").update(body, "utf8").digest("hex");
    }
    dedupKey = queue.settings.deduplicationScope === "messageGroup" ? `${groupId}\u0000${effectiveDedup}` : effectiveDedup;
  } else if (dedupId !== undefined) {
    throw notForQueueType("MessageDeduplicationId", dedupId);
  }

  const trace = system?.AWSTraceHeader?.StringValue ?? traceHeader;
  const md5OfBody = md5Hex(body);
  const md5Attributes = attributes ? md5OfAttributes(attributes) : undefined;
  const messageId = randomUUID();
  const message: NewMessage = {
    messageId,
    body,
    md5OfBody,
    attributes: attributes ? serializeAttributes(attributes) : undefined,
    md5OfAttributes: md5Attributes,
    senderId: caller.accessKeyId,
    sentAt: now,
    visibleAt: now + delaySeconds * 1000,
    expiresAt: now + queue.settings.messageRetentionPeriod * 1000,
    traceHeader: trace,
    groupId,
    dedupId: queue.fifo ? (dedupId ?? dedupKey?.split("\u0000").pop()) : undefined,
    // Set when a FIFO send is sequenced at commit; present from the start so the object keeps its shape.
    sequenceNumber: undefined,
  };
  const output: SendOutput = { MessageId: messageId, MD5OfMessageBody: md5OfBody };
  if (md5Attributes) output.MD5OfMessageAttributes = md5Attributes;
  if (system && Object.keys(system).length > 0) output.MD5OfMessageSystemAttributes = md5OfAttributes(system);
  return { message, output, dedupKey };
}

/** FIFO sequence numbers: increasing 20-digit decimal strings, as AWS returns them. */
export function formatSequenceNumber(n: bigint): string {
  return (10_000_000_000_000_000_000n + n).toString();
}
