// What the redo-log tests and their child process write: one standard queue, messages of a fixed shape.
import type { NewMessage, NewQueueRow } from "../../src/store/types.js";

export const now = 1_000_000;

export const queueRow: NewQueueRow = {
  region: "us-east-1",
  accountId: "000000000000",
  name: "redo",
  fifo: false,
  attributes: {},
  tags: {},
  createdAt: now,
  lastModifiedAt: now,
};

export function message(body: string): NewMessage {
  return { messageId: body, body, md5OfBody: "0".repeat(32), senderId: "test", sentAt: now, visibleAt: now, expiresAt: now + 3_600_000 };
}
