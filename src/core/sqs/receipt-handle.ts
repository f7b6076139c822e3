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

export function encodeReceiptHandle(handle: ReceiptHandle): string {
  const buffer = Buffer.alloc(LENGTH);
  buffer.writeUInt8(VERSION, 0);
  buffer.writeUInt32BE(handle.queueId, 1);
  buffer.writeBigUInt64BE(BigInt(handle.seq), 5);
  buffer.writeUInt32BE(handle.token, 13);
  return `AQEB${buffer.toString("base64url")}`;
}

export function invalidReceiptHandle(handle: string): SqsError {
  return new SqsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);
}

export function decodeReceiptHandle(handle: string, queueId: number): ReceiptHandle {
  if (!handle.startsWith("AQEB") || handle.length > 64) throw invalidReceiptHandle(handle);
  const buffer = Buffer.from(handle.slice(4), "base64url");
  if (buffer.length !== LENGTH || buffer.readUInt8(0) !== VERSION) throw invalidReceiptHandle(handle);
  const decoded = {
    queueId: buffer.readUInt32BE(1),
    seq: Number(buffer.readBigUInt64BE(5)),
    token: buffer.readUInt32BE(13),
  };
  if (decoded.queueId !== queueId) throw invalidReceiptHandle(handle);
  return decoded;
}
