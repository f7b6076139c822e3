import { randomBytes } from "node:crypto";

// RFC 9562 method 1: a 12-bit counter in rand_a keeps ids minted in the same millisecond ordered,
// so eventIds sort by creation time even when a batch is built in one tick.
let lastMs = 0;
let counter = 0;

/** A UUID version 7: time-ordered, so eventIds sort by creation time and index well. */
export function uuidv7(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
  } else {
    counter += 1;
    if (counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
    ms = lastMs;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuidV7(value: string): boolean {
  return UUID_V7.test(value);
}

/**
 * A W3C trace id (32 hex). The first 8 hex digits are the epoch seconds so the same id can be
 * written as an X-Ray `Root=1-xxxxxxxx-yyyy…` without translation.
 */
export function newTraceId(): string {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
  return seconds + randomBytes(12).toString("hex");
}

/** A W3C span id (16 hex, never all zeros). */
export function newSpanId(): string {
  for (;;) {
    const id = randomBytes(8).toString("hex");
    if (id !== "0000000000000000") return id;
  }
}

/** A short id that tells instances of one service apart in per-instance queue names. */
export function newInstanceId(): string {
  return randomBytes(4).toString("hex");
}
