/**
 * The redo log's record format: a write statement's SQL (named once per log by a number) and the values it
 * was bound to, in a compact binary form. Values are what better-sqlite3 binds: null, numbers, bigints,
 * strings, byte arrays, and one object of named parameters.
 */
export type BoundValue = null | number | bigint | string | Uint8Array;
export type BoundArgs = ReadonlyArray<BoundValue | Readonly<Record<string, BoundValue>>>;

const DEFINE = 0xd1;
const EXEC = 0xe1;

const NULL = 0;
const NUMBER = 1;
const STRING = 2;
const BIGINT = 3;
const BYTES = 4;
const NAMED = 5;

/** Appends records to one growing buffer, reused from frame to frame. */
export class RedoEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private at = 0;

  get length(): number {
    return this.at;
  }

  /** The bytes written from offset `from` on, valid until the next write. */
  bytes(from = 0): Buffer {
    return this.buf.subarray(from, this.at);
  }

  clear(): void {
    this.at = 0;
  }

  /** Drops what was written past `length`. */
  truncate(length: number): void {
    this.at = Math.min(this.at, length);
  }

  define(id: number, sql: string): void {
    this.room(5);
    this.buf[this.at++] = DEFINE;
    this.at = this.buf.writeUInt32LE(id, this.at);
    this.string(sql);
  }

  exec(id: number, args: BoundArgs): void {
    if (args.length > 255) throw new RangeError(`cannot log a statement bound to ${args.length} values`);
    this.room(6);
    this.buf[this.at++] = EXEC;
    this.at = this.buf.writeUInt32LE(id, this.at);
    this.buf[this.at++] = args.length;
    for (const arg of args) this.value(arg);
  }

  private value(v: BoundValue | Readonly<Record<string, BoundValue>>): void {
    this.room(9);
    if (v === null) {
      this.buf[this.at++] = NULL;
    } else if (typeof v === "number") {
      this.buf[this.at++] = NUMBER;
      this.at = this.buf.writeDoubleLE(v, this.at);
    } else if (typeof v === "string") {
      this.buf[this.at++] = STRING;
      this.string(v);
    } else if (typeof v === "bigint") {
      this.buf[this.at++] = BIGINT;
      this.string(v.toString());
    } else if (v instanceof Uint8Array) {
      this.buf[this.at++] = BYTES;
      this.at = this.buf.writeUInt32LE(v.byteLength, this.at);
      this.room(v.byteLength);
      this.buf.set(v, this.at);
      this.at += v.byteLength;
    } else if (typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length > 255) throw new RangeError(`cannot log ${keys.length} named parameters`);
      this.buf[this.at++] = NAMED;
      this.buf[this.at++] = keys.length;
      for (const key of keys) {
        this.string(key);
        this.value(v[key]);
      }
    } else {
      throw new TypeError(`cannot log a bound value of type ${typeof v}`);
    }
  }

  private string(s: string): void {
    // Three bytes per UTF-16 unit is the most UTF-8 can take.
    this.room(4 + s.length * 3);
    const written = this.buf.write(s, this.at + 4, "utf8");
    this.buf.writeUInt32LE(written, this.at);
    this.at += 4 + written;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}

export type RedoRecord = { kind: "define"; id: number; sql: string } | { kind: "exec"; id: number; args: BoundArgs };

/** Reads back what `RedoEncoder` wrote; throws on anything it could not have written. */
export function* decodeRecords(buf: Buffer): Generator<RedoRecord> {
  let at = 0;
  const need = (n: number) => {
    if (at + n > buf.length) throw new RangeError("redo record runs past its frame");
  };
  const string = (): string => {
    need(4);
    const n = buf.readUInt32LE(at);
    need(4 + n);
    const s = buf.toString("utf8", at + 4, at + 4 + n);
    at += 4 + n;
    return s;
  };
  const value = (): BoundValue | Record<string, BoundValue> => {
    need(1);
    const tag = buf[at++];
    switch (tag) {
      case NULL:
        return null;
      case NUMBER:
        need(8);
        at += 8;
        return buf.readDoubleLE(at - 8);
      case STRING:
        return string();
      case BIGINT:
        return BigInt(string());
      case BYTES: {
        need(4);
        const n = buf.readUInt32LE(at);
        need(4 + n);
        at += 4 + n;
        return Buffer.from(buf.subarray(at - n, at));
      }
      case NAMED: {
        need(1);
        const count = buf[at++];
        const named: Record<string, BoundValue> = {};
        for (let i = 0; i < count; i++) {
          const key = string();
          named[key] = value() as BoundValue;
        }
        return named;
      }
      default:
        throw new RangeError(`unknown redo value tag ${tag}`);
    }
  };
  while (at < buf.length) {
    need(5);
    const kind = buf[at];
    const id = buf.readUInt32LE(at + 1);
    at += 5;
    if (kind === DEFINE) {
      yield { kind: "define", id, sql: string() };
    } else if (kind === EXEC) {
      need(1);
      const count = buf[at++];
      const args = [];
      for (let i = 0; i < count; i++) args.push(value());
      yield { kind: "exec", id, args };
    } else {
      throw new RangeError(`unknown redo record kind ${kind}`);
    }
  }
}
