import type Database from "better-sqlite3";

/** Start a new pass over the messages at most this often, so a backlog that expires continuously is not re-read every second. */
const PASS_INTERVAL_MS = 60_000;

/**
 * Index entries read per slice. A pass over a million messages in one go held the event loop for ~150 ms;
 * a slice of this size costs a few milliseconds, and the sweep timer comes back for the next one.
 */
const SLICE = 20_000;

/** Deletes per slice: removing a row costs far more than reading its index entry. */
const SLICE_DELETES = 2_000;

/** Between slices of a pass, the sweep asks to be called again this soon. */
const NEXT_SLICE_MS = 1_000;

type Cursor = [queueId: number, visibleAt: number, seq: number];
type EntryRow = [queueId: number, visibleAt: number, seq: number, expiresAt: number];

function prepare(db: Database.Database) {
  return {
    // Keyset paging over the visibility index: it carries expires_at, so no message row is read.
    slice: db
      .prepare<[number, number, number], EntryRow>(
        `SELECT queue_id, visible_at, seq, expires_at FROM messages INDEXED BY messages_by_visibility
          WHERE (queue_id, visible_at, seq) > (?, ?, ?) ORDER BY queue_id, visible_at, seq LIMIT ${SLICE}`,
      )
      .raw(true),
    deleteOne: db.prepare<[seq: number, now: number]>("DELETE FROM messages WHERE seq = ? AND expires_at <= ?"),
  };
}

/**
 * The SQLite store's retention sweep. There is no index by expiry (it cost a page written on every send and
 * delete commit), so a pass reads messages_by_visibility in slices. Between passes a lower bound on the
 * earliest expiry, lowered by every write that sets one, tells whether a pass has anything to find; opening a
 * large data file reads nothing. Nothing waits on the sweep: every read already skips expired messages.
 */
export class ExpirySweep {
  private readonly stmt: ReturnType<typeof prepare>;
  /** No message expires before this; undefined when there is none. */
  private floor: number | undefined;
  // Unknown until the first pass, so opening a large data file reads nothing.
  private known = false;
  private lastPassAt = Number.NEGATIVE_INFINITY;
  private lastSliceAt = Number.NEGATIVE_INFINITY;
  /** Where the pass in progress resumes; undefined between passes. */
  private cursor: Cursor | undefined;
  /** The earliest expiry the pass in progress has seen (or writes have set since it began). */
  private passEarliest: number | undefined;

  constructor(db: Database.Database) {
    this.stmt = prepare(db);
  }

  /** A write gave a message this expiry. */
  lower(at: number): void {
    if (this.floor === undefined || at < this.floor) this.floor = at;
    if (this.cursor && (this.passEarliest === undefined || at < this.passEarliest)) this.passEarliest = at;
  }

  /** Runs one slice if one is due; returns how many expired messages it removed per queue. */
  sweep(now: number): Map<number, number> {
    const removed = new Map<number, number>();
    if (!this.cursor) {
      if (now < this.lastPassAt + PASS_INTERVAL_MS) return removed;
      if (this.known && (this.floor === undefined || this.floor > now)) return removed;
      this.cursor = [Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
      this.passEarliest = undefined;
      this.lastPassAt = now;
    }
    this.lastSliceAt = now;
    const rows = this.stmt.slice.all(...this.cursor);
    let deletes = 0;
    let stoppedAt: EntryRow | undefined;
    for (const row of rows) {
      const [queueId, , seq, expiresAt] = row;
      if (expiresAt <= now) {
        if (this.stmt.deleteOne.run(seq, now).changes > 0) removed.set(queueId, (removed.get(queueId) ?? 0) + 1);
        if (++deletes >= SLICE_DELETES) {
          stoppedAt = row;
          break;
        }
      } else if (this.passEarliest === undefined || expiresAt < this.passEarliest) {
        this.passEarliest = expiresAt;
      }
    }
    const resumeAfter = stoppedAt ?? (rows.length === SLICE ? rows.at(-1) : undefined);
    if (resumeAfter) {
      this.cursor = [resumeAfter[0], resumeAfter[1], resumeAfter[2]];
    } else {
      this.cursor = undefined;
      this.floor = this.passEarliest;
      this.known = true;
    }
    return removed;
  }

  /** When the sweep next has work; undefined when nothing is known to expire (the caller checks back anyway). */
  next(): number | undefined {
    if (this.cursor) return this.lastSliceAt + NEXT_SLICE_MS;
    if (!this.known || this.floor === undefined) return undefined;
    return Math.max(this.floor, this.lastPassAt + PASS_INTERVAL_MS);
  }
}
