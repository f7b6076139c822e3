import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import type { ClaimResult, IdempotencyStore } from "./store.js";

export interface SqliteIdempotencyOptions {
  /** A file path, or ":memory:". */
  readonly path: string;
  readonly table?: string;
  readonly now?: () => number;
}

/**
 * A store in a SQLite file: survives restarts, and is shared by processes on one host. Opened with
 * WAL so readers do not block the writer. better-sqlite3 is loaded only when this store is used.
 */
export async function sqliteIdempotencyStore(options: SqliteIdempotencyOptions): Promise<IdempotencyStore> {
  const table = options.table ?? "sluice_idempotency";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new TypeError(`invalid table name "${table}"`);
  const now = options.now ?? Date.now;
  const { default: open } = await import("better-sqlite3");
  const db: Database = new open(options.path);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    token TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID`);
  db.exec(`CREATE INDEX IF NOT EXISTS ${table}_expiry ON ${table} (expires_at)`);

  const select = db.prepare<[string], { state: "in-flight" | "completed"; expires_at: number }>(
    `SELECT state, expires_at FROM ${table} WHERE key = ?`,
  );
  const upsert = db.prepare<[string, string, string, number]>(
    `INSERT INTO ${table} (key, state, token, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET state = excluded.state, token = excluded.token, expires_at = excluded.expires_at`,
  );
  const extend = db.prepare<[number, string, string]>(`UPDATE ${table} SET expires_at = ? WHERE key = ? AND token = ? AND state = 'in-flight'`);
  const release = db.prepare<[string, string]>(`DELETE FROM ${table} WHERE key = ? AND token = ? AND state = 'in-flight'`);
  const purge = db.prepare<[number]>(`DELETE FROM ${table} WHERE expires_at <= ?`);

  // A transaction makes look-then-insert atomic across processes sharing the file.
  const claim = db.transaction((key: string, leaseMs: number): ClaimResult => {
    const at = now();
    const row = select.get(key);
    if (row && row.expires_at > at) return { status: row.state };
    const token = randomUUID();
    upsert.run(key, "in-flight", token, at + leaseMs);
    return { status: "acquired", token };
  });

  let claims = 0;
  return {
    async claim(key, leaseMs) {
      if (++claims % 1000 === 0) purge.run(now());
      return claim.immediate(key, leaseMs);
    },
    async extend(key, token, leaseMs) {
      extend.run(now() + leaseMs, key, token);
    },
    async complete(key, token, retainMs) {
      upsert.run(key, "completed", token, now() + retainMs);
    },
    async release(key, token) {
      release.run(key, token);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
