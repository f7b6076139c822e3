import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writevSync } from "node:fs";
import * as zlib from "node:zlib";

/** Frame header: payload length, generation, CRC-32 of the payload (all little-endian u32). */
const HEADER = 12;

const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === "function"
    ? (data) => (zlib as unknown as { crc32: (d: Uint8Array) => number }).crc32(data)
    : tableCrc32();

// Node before 20.15 has no zlib.crc32.
function tableCrc32(): (data: Uint8Array) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data) => {
    let c = 0xffffffff;
    for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
}

/**
 * The redo log on disk: frames of records appended with one write each, never synced (the WAL under
 * synchronous=NORMAL is not synced at commit either, so both survive the process dying and neither a power
 * loss). Every frame carries the generation it belongs to, so a frame left over from a generation the
 * database has since committed is never mistaken for a current one, and a checksum, so a torn frame at the
 * end ends the log there.
 */
export class RedoFile {
  private readonly fd: number;
  private end = 0;
  private readonly header = Buffer.alloc(HEADER);

  constructor(readonly path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
  }

  /** The payloads of the generation's frames, in order, up to the first that is not whole. */
  frames(generation: number): Buffer[] {
    const size = fstatSync(this.fd).size;
    const all = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(this.fd, all, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    const frames: Buffer[] = [];
    let at = 0;
    while (at + HEADER <= read) {
      const length = all.readUInt32LE(at);
      if (all.readUInt32LE(at + 4) !== generation >>> 0 || at + HEADER + length > read) break;
      const payload = all.subarray(at + HEADER, at + HEADER + length);
      if (crc32(payload) !== all.readUInt32LE(at + 8)) break;
      frames.push(payload);
      at += HEADER + length;
    }
    return frames;
  }

  append(generation: number, payload: Buffer): void {
    this.header.writeUInt32LE(payload.length, 0);
    this.header.writeUInt32LE(generation >>> 0, 4);
    this.header.writeUInt32LE(crc32(payload), 8);
    const total = HEADER + payload.length;
    let written = writevSync(this.fd, [this.header, payload], this.end);
    if (written < total) {
      // A short write is rare (a signal, a full disk); finish it or fail on the next attempt's error.
      const whole = Buffer.concat([this.header, payload]);
      while (written < total) written += writevSync(this.fd, [whole.subarray(written)], this.end + written);
    }
    this.end += total;
  }

  /**
   * Starts the log over once the database holds everything in it. The next generation's frames overwrite
   * the last one's in place: writing over blocks the file already has costs less than extending it after a
   * truncation (no block allocation, no size change to journal), and what is left past them is of an older
   * generation.
   */
  reset(): void {
    this.end = 0;
  }

  /** `empty` once the database holds everything, so a clean shutdown leaves no log behind. */
  close(empty: boolean): void {
    if (empty) ftruncateSync(this.fd, 0);
    closeSync(this.fd);
  }
}
