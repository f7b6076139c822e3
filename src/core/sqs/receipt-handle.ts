import { SqsError } from "../errors.js";

/**
 * A receipt handle names the queue, the message and the receive it came from. It is opaque to clients and
 * long enough to look like AWS's, but carries no secret: the token alone decides whether it is current.
 */
const VERSION = 1;
const LENGTH = 1 + 4 + 8 + 4;

export interface ReceiptHandle {
  queueId: number;
  seq: number;
  token: number;
}

// Handles are made and read on every receive and delete: one scratch buffer each way (the event loop runs one
// call at a time), and the 64-bit seq as two 32-bit halves rather than through a BigInt. A seq is a SQLite
// rowid or a counter, far below 2^53.
const TWO_32 = 2 ** 32;
const encodeScratch = Buffer.alloc(LENGTH);
// Room for anything a 64-character handle can decode to, so an over-long one is seen as such.
const decodeScratch = Buffer.alloc(48);

export function encodeReceiptHandle(handle: ReceiptHandle): string {
  const buffer = encodeScratch;
  buffer.writeUInt8(VERSION, 0);
  buffer.writeUInt32BE(handle.queueId, 1);
  buffer.writeUInt32BE(Math.floor(handle.seq / TWO_32), 5);
  buffer.writeUInt32BE(handle.seq % TWO_32, 9);
  buffer.writeUInt32BE(handle.token, 13);
  return `AQEB${buffer.toString("base64url")}`;
}

export function invalidReceiptHandle(handle: string): SqsError {
  return new SqsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
}

export function decodeReceiptHandle(handle: string, queueId: number): ReceiptHandle {
  if (!handle.startsWith("AQEB") || handle.length > 64) throw invalidReceiptHandle(handle);
  const buffer = decodeScratch;
  const length = buffer.write(handle.slice(4), "base64url");
  if (length !== LENGTH || buffer.readUInt8(0) !== VERSION) throw invalidReceiptHandle(handle);
  const decoded = {
    queueId: buffer.readUInt32BE(1),
    seq: buffer.readUInt32BE(5) * TWO_32 + buffer.readUInt32BE(9),
    token: buffer.readUInt32BE(13),
  };
  if (decoded.queueId !== queueId) throw invalidReceiptHandle(handle);
  return decoded;
}
