import type Database from "better-sqlite3";
import type { Statements } from "./sqlite-statements.js";

type TransactionStatements = Pick<Statements, "begin" | "commit" | "savepoint" | "release" | "rollbackToSavepoint">;

/**
 * Group commit: the first write of an event-loop turn opens a transaction that commits once the turn's
 * I/O callbacks have run, so concurrent requests share one commit. Whatever waits on `afterCommit` (the
 * responses) is released only then, so nothing is acknowledged before it is durable.
 */
export class GroupCommit {
  private turnOpen = false;
  private waiting: Array<(failure?: Error) => void> = [];

  /** `onRollback` hears of every rollback, so state kept beside the rows can be dropped with it. */
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: TransactionStatements,
    private readonly onRollback: () => void,
  ) {}

  /** Makes sure the turn's transaction is open before a write. */
  open(): void {
    if (this.turnOpen) return;
    this.stmt.begin.run();
    this.turnOpen = true;
    setImmediate(() => this.commit());
  }

  commit(): void {
    if (!this.turnOpen) return;
    let failure: Error | undefined;
    try {
      this.stmt.commit.run();
    } catch (error) {
      failure = error as Error;
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      this.onRollback();
    }
    this.turnOpen = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (const fn of waiting) fn(failure);
  }

  afterCommit(fn: (failure?: Error) => void): void {
    if (this.turnOpen) this.waiting.push(fn);
    else fn();
  }

  /** A savepoint inside the turn's transaction: `fn`'s writes land together or not at all. */
  transaction<T>(fn: () => T): T {
    // The turn's first write (nearly every request: they rarely share a turn) has the transaction to itself,
    // so a failure rolls all of it back and no savepoint is needed; a savepoint copies every page it
    // touches into the sub-journal.
    if (!this.turnOpen) {
      this.open();
      try {
        return fn();
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        this.onRollback();
        this.stmt.begin.run();
        throw error;
      }
    }
    this.stmt.savepoint.run();
    try {
      const result = fn();
      this.stmt.release.run();
      return result;
    } catch (error) {
      this.stmt.rollbackToSavepoint.run();
      this.onRollback();
      this.stmt.release.run();
      throw error;
    }
  }
}
