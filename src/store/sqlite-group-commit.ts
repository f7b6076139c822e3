import type Database from "better-sqlite3";
import { RedoEncoder, decodeRecords, type BoundArgs } from "./redo-codec.js";
import type { RedoFile } from "./redo-file.js";

type Statement = Database.Statement<unknown[], unknown>;

/** How long acknowledged writes may wait in the redo log before the database commits them. */
const HOLD_MS = 100;
/** Past this much log since the last commit, the end of the turn commits instead of logging. */
const MAX_LOG_BYTES = 4 * 1024 * 1024;
/**
 * A turn that writes more than this (large bodies) commits at once: logging it first would write its bytes
 * a third time (log, WAL, database) for no commit saved worth the copy.
 */
const MAX_FRAME_BYTES = 256 * 1024;

/**
 * Group commit over a redo log. The first write opens a transaction that stays open across event-loop turns
 * for up to HOLD_MS. At the end of every turn the statements it ran (their SQL and bound values, caught by
 * hooks on every statement the connection prepares) are appended to the redo log with one write, and only
 * then are the turn's responses released: an acknowledged write is in the log, which is as durable as the
 * WAL under synchronous=NORMAL. The database commits once per hold, so the WAL frames of the pages every
 * request touches (the table's last leaf, the index leaves, page 1, the free list) are written once per
 * hold instead of once per request.
 *
 * Recovery replays the log's statements in order on the last committed state: SQLite assigns rowids
 * deterministically, so the same statements from the same state give the same rows. A failed request is
 * undone the same way: roll back, and replay the statements before it. The log's generation, kept in the
 * database and bumped by every commit, tells a current log from one already committed.
 */
export class GroupCommit {
  private held = false;
  /**
   * The write statements run since the last flush, and their values. Earlier ones are kept only encoded, in
   * `encoder` (the generation's log, as written): keeping the values themselves for the whole hold made them
   * outlive the young generation of V8's heap, and the collector copy and promote them.
   */
  private readonly ran: Statement[] = [];
  private readonly ranWith: BoundArgs[] = [];
  /** How much of `encoder` is in the log file, and how many of `byId` it defines. */
  private flushedBytes = 0;
  private flushedIds = 0;
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private waiting: Array<(failure?: Error) => void> = [];
  private generation: number;
  /** SQL text → its number in the current generation's log, and back. */
  private readonly ids = new Map<string, number>();
  private readonly byId: Statement[] = [];
  private readonly encoder = new RedoEncoder();
  private readonly control: {
    begin: Statement;
    commit: Statement;
    rollback: Statement;
    setGeneration: Statement;
  };
  private readonly rawRun: (this: Statement, ...args: unknown[]) => Database.RunResult;

  /** `onRollback` hears of every rollback, so state kept beside the rows can be dropped with it. */
  constructor(
    private readonly db: Database.Database,
    private readonly log: RedoFile,
    private readonly onRollback: () => void,
  ) {
    this.control = {
      begin: db.prepare("BEGIN"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
      setGeneration: db.prepare("UPDATE redo_state SET generation = ? WHERE id = 0"),
    };
    this.rawRun = Object.getPrototypeOf(this.control.begin).run;
    this.generation = this.recover();
    this.hook();
  }

  /** Makes sure the held transaction is open before a write, and that this turn ends by logging it. */
  open(): void {
    this.queueFlush();
    if (this.held) return;
    this.control.begin.run();
    this.held = true;
    this.timer = setTimeout(() => this.commit(), HOLD_MS);
  }

  /** Commits everything held, logged or not, and empties the log. */
  commit(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.held) return this.release(undefined);
    let failure: Error | undefined;
    try {
      this.control.setGeneration.run(this.generation + 1);
      this.control.commit.run();
      this.held = false;
      this.generation += 1;
      this.forgetRan(0);
      this.encoder.clear();
      this.flushedBytes = 0;
      this.flushedIds = 0;
      this.ids.clear();
      this.byId.length = 0;
    } catch (error) {
      // The logged statements were acknowledged: put them back and keep holding; the next commit retries.
      failure = error as Error;
      this.dropUnflushed();
      this.undoTo(0);
      this.timer = setTimeout(() => this.commit(), HOLD_MS);
    }
    if (failure === undefined) this.log.reset();
    this.release(failure);
  }

  /** Runs `fn` once every write made so far is in the log (or committed). */
  afterCommit(fn: (failure?: Error) => void): void {
    if (!this.held || (this.ran.length === 0 && this.waiting.length === 0)) return fn();
    this.waiting.push(fn);
    this.queueFlush();
  }

  /** `fn`'s writes land together or not at all. */
  transaction<T>(fn: () => T): T {
    this.open();
    const mark = this.ran.length;
    try {
      return fn();
    } catch (error) {
      this.undoTo(mark);
      throw error;
    }
  }

  close(): void {
    this.commit();
    // A commit that failed leaves the acknowledged writes in the log alone, for the next start to replay.
    this.log.close(!this.held);
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (!this.held || this.ran.length === 0) return this.release(undefined);
    if (this.boundBytes() > MAX_FRAME_BYTES) return this.commit();
    let failure: Error | undefined;
    try {
      for (let i = 0; i < this.ran.length; i++) {
        const statement = this.ran[i];
        let id = this.ids.get(statement.source);
        if (id === undefined) {
          id = this.byId.length;
          this.ids.set(statement.source, id);
          this.byId.push(statement);
          this.encoder.define(id, statement.source);
        }
        this.encoder.exec(id, this.ranWith[i]);
      }
      if (this.encoder.length - this.flushedBytes > MAX_FRAME_BYTES || this.encoder.length > MAX_LOG_BYTES) {
        return this.commit();
      }
      this.log.append(this.generation, this.encoder.bytes(this.flushedBytes));
      this.flushedBytes = this.encoder.length;
      this.flushedIds = this.byId.length;
      this.forgetRan(0);
    } catch (error) {
      failure = error as Error;
      this.dropUnflushed();
      this.undoTo(0);
    }
    this.release(failure);
  }

  /** Forgets what this turn encoded but did not get into the log. */
  private dropUnflushed(): void {
    this.encoder.truncate(this.flushedBytes);
    for (const statement of this.byId.splice(this.flushedIds)) this.ids.delete(statement.source);
  }

  /** About how many bytes the values bound this turn take: their text and bytes, no copying. */
  private boundBytes(): number {
    let total = 0;
    for (const args of this.ranWith) {
      for (const value of args) {
        if (typeof value === "string") total += value.length;
        else if (value instanceof Uint8Array) total += value.byteLength;
        else if (value !== null && typeof value === "object") {
          for (const named of Object.values(value)) if (typeof named === "string") total += named.length;
        }
      }
    }
    return total;
  }

  private release(failure: Error | undefined): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const fn of waiting) fn(failure);
  }

  /**
   * Back to the state after the logged statements and the first `mark` of this turn's: roll back, and replay
   * those.
   */
  private undoTo(mark: number): void {
    if (this.ran.length > mark || !this.db.inTransaction) {
      if (this.db.inTransaction) this.control.rollback.run();
      this.control.begin.run();
      this.held = true;
      for (const record of decodeRecords(this.encoder.bytes().subarray(0, this.flushedBytes))) {
        if (record.kind === "exec") this.rawRun.apply(this.byId[record.id], record.args as unknown[]);
      }
      for (let i = 0; i < mark; i++) this.rawRun.apply(this.ran[i], this.ranWith[i] as unknown[]);
      this.forgetRan(mark);
    }
    this.onRollback();
  }

  private forgetRan(from: number): void {
    this.ran.length = from;
    this.ranWith.length = from;
  }

  /** Replays a log the database has not committed; returns the generation to log under from now on. */
  private recover(): number {
    const generation = this.db.prepare("SELECT generation FROM redo_state WHERE id = 0").pluck().get() as number;
    const frames = this.log.frames(generation);
    if (frames.length === 0) {
      this.log.reset();
      return generation;
    }
    const statements = new Map<number, Statement>();
    this.db.transaction(() => {
      for (const frame of frames) {
        for (const record of decodeRecords(frame)) {
          if (record.kind === "define") {
            statements.set(record.id, this.db.prepare(record.sql));
            continue;
          }
          const statement = statements.get(record.id);
          if (!statement) throw new Error(`redo log uses statement ${record.id} before defining it`);
          this.rawRun.apply(statement, record.args as unknown[]);
        }
      }
      this.control.setGeneration.run(generation + 1);
    })();
    this.log.reset();
    return generation + 1;
  }

  /**
   * Every write statement prepared on the connection from now on reports what it ran while a transaction is
   * held; anything else that writes (exec) commits the hold first, since it could not be replayed.
   */
  private hook(): void {
    const db = this.db;
    const prepare = db.prepare.bind(db);
    const transaction = db.transaction.bind(db);
    const exec = db.exec.bind(db);
    const ran = this.ran;
    const ranWith = this.ranWith;
    const isHeld = () => this.held;
    const watch = (statement: Statement, method: "run" | "get" | "all") => {
      const original = statement[method] as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = function (this: Statement, ...args: unknown[]) {
        const result = original.apply(this, args);
        if (isHeld()) {
          ran.push(this);
          ranWith.push(args as unknown as BoundArgs);
        }
        return result;
      };
    };
    db.prepare = ((source: string) => {
      const statement = prepare(source) as Statement;
      if (!statement.readonly) {
        watch(statement, "run");
        watch(statement, "get");
        watch(statement, "all");
      }
      return statement;
    }) as typeof db.prepare;
    // better-sqlite3 nests a transaction in a held one as a savepoint, and rolls back to it when `fn` throws.
    db.transaction = ((fn: (...args: unknown[]) => unknown) =>
      transaction(function (this: unknown, ...args: unknown[]) {
        const mark = ran.length;
        try {
          return fn.apply(this, args);
        } catch (error) {
          if (isHeld()) {
            ran.length = mark;
            ranWith.length = mark;
          }
          throw error;
        }
      })) as typeof db.transaction;
    db.exec = ((sql: string) => {
      if (this.held) this.commit();
      if (this.held) throw new Error("cannot run SQL that the redo log cannot replay: the held writes did not commit");
      return exec(sql);
    }) as typeof db.exec;
  }
}
