import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { RedoEncoder, decodeRecords } from "../../src/store/redo-codec.js";
import { RedoFile } from "../../src/store/redo-file.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { message, now, queueRow } from "../helpers/redo-fixture.js";

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** The rows the database file holds by itself, read as another process would after a crash (no redo log). */
function committedBodies(dir: string): string[] {
  const copy = mkdtempSync(join(tmpdir(), "sluice-redo-copy-"));
  try {
    for (const name of ["sluice.db", "sluice.db-wal"]) {
      try {
        writeFileSync(join(copy, name), readFileSync(join(dir, name)));
      } catch {
        // No WAL file: everything is in the database file.
      }
    }
    const db = new Database(join(copy, "sluice.db"));
    const rows = db.prepare("SELECT body FROM messages ORDER BY seq").pluck().all() as string[];
    db.close();
    return rows;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe("redo log records", () => {
  test("every kind of bound value comes back as it was bound", () => {
    const encoder = new RedoEncoder();
    const args = [null, 0, -1.5, 2 ** 53 - 1, 1e-300, "", "héllo 😀 \u0000", 12345678901234567890n, Buffer.from([0, 1, 255]), { a: 1, b: "x", c: null }];
    encoder.define(7, "INSERT INTO t VALUES (?)");
    encoder.exec(7, args);
    encoder.exec(7, ["x".repeat(200_000)]);
    const records = [...decodeRecords(Buffer.from(encoder.bytes()))];
    assert.deepEqual(records[0], { kind: "define", id: 7, sql: "INSERT INTO t VALUES (?)" });
    assert.deepEqual(records[1], { kind: "exec", id: 7, args });
    assert.deepEqual(records[2], { kind: "exec", id: 7, args: ["x".repeat(200_000)] });
    assert.throws(() => [...decodeRecords(Buffer.from(encoder.bytes()).subarray(0, 30))], /runs past its frame/);
  });
});

describe("redo log file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sluice-redo-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("reads back its generation's whole frames, stopping at a torn one or one of another generation", () => {
    const path = join(dir, "log");
    const file = new RedoFile(path);
    file.append(3, Buffer.from("one"));
    file.append(3, Buffer.from("two"));
    assert.deepEqual(file.frames(3).map(String), ["one", "two"]);
    assert.deepEqual(file.frames(4), []);

    // The next generation overwrites from the start; what is left of the last one is not read as its own.
    file.reset();
    file.append(4, Buffer.from("three"));
    assert.deepEqual(file.frames(4).map(String), ["three"]);
    assert.deepEqual(file.frames(3), []);

    // A frame cut short, or with a flipped byte, ends the log there.
    file.append(4, Buffer.from("four"));
    file.append(4, Buffer.from("five"));
    truncateSync(path, statSync(path).size - 2);
    assert.deepEqual(file.frames(4).map(String), ["three", "four"]);
    const bytes = readFileSync(path);
    bytes[12 + 5 + 12] ^= 0xff;
    writeFileSync(path, bytes);
    assert.deepEqual(file.frames(4).map(String), ["three"]);
    appendFileSync(path, Buffer.alloc(64));
    assert.deepEqual(file.frames(4).map(String), ["three"]);
    file.close(false);
    assert.ok(statSync(path).size > 0, "a log closed before its writes were committed is kept");
    new RedoFile(path).close(true);
    assert.equal(statSync(path).size, 0);
  });
});

describe("sqlite store over its redo log", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sluice-redo-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const runWriter = (phase: string) => {
    const child = spawnSync(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../helpers/redo-writer.ts"), dir, phase], {
      encoding: "utf8",
    });
    return { ...child, did: child.stdout ? (JSON.parse(child.stdout) as { received: string; deleted: string }) : undefined };
  };

  test("writes answered before a kill -9 are replayed from the log, those of committed generations never twice", () => {
    const first = runWriter("committed");
    assert.equal(first.status, 0, first.stderr);
    const second = runWriter("held");
    assert.equal(second.signal, "SIGKILL", second.stderr);
    // The first run received committed-0 and deleted committed-1; the second received committed-2 and
    // deleted committed-3.
    assert.deepEqual(second.did, { received: "committed-2", deleted: "committed-3" });

    // The database alone lacks the second run's writes: only the log has them.
    assert.deepEqual(committedBodies(dir), ["committed-0", "committed-2", "committed-3", "committed-4"]);

    const store = new SqliteStore(dir);
    try {
      const [queue] = store.loadQueues();
      assert.equal(queue.name, "redo");
      assert.deepEqual(store.counts(queue.id, now), { visible: 6, inFlight: 2, delayed: 0 });
      const got = store.receive({ queueId: queue.id, now, max: 10, visibleAt: now + 100_000, fifo: false }).messages;
      assert.deepEqual(
        got.map((m) => m.body),
        ["committed-4", "held-0", "held-1", "held-2", "held-3", "held-4"],
      );
      // committed-2 was received just before the kill: in flight under its timeout, received once.
      const later = store.receive({ queueId: queue.id, now: now + 30_000, max: 10, visibleAt: now + 100_000, fifo: false }).messages;
      assert.deepEqual(later.map((m) => [m.body, m.receiveCount]), [
        ["committed-0", 2],
        ["committed-2", 2],
      ]);
    } finally {
      store.close();
    }
    // A clean close leaves everything in the database and an empty log.
    assert.equal(committedBodies(dir).length, 8);
    assert.equal(statSync(join(dir, "sluice.redo")).size, 0);
  });

  test("a failed write is undone without undoing the writes held before it", async () => {
    const store = new SqliteStore(dir);
    const queueId = store.insertQueue(queueRow);
    const [kept] = store.enqueue([{ queueId, message: message("kept") }]);
    await turn();
    store.enqueue([{ queueId, message: message("same turn") }]);
    assert.throws(
      () =>
        store.transaction(() => {
          store.enqueue([{ queueId, message: message("undone") }]);
          throw new Error("fails after writing");
        }),
      /fails after writing/,
    );
    const [after] = store.enqueue([{ queueId, message: message("after") }]);
    assert.equal(after.seq, kept.seq + 2, "the undone row's number is taken again");
    await turn();
    const bodies = () => store.receive({ queueId, now, max: 10, visibleAt: now + 1, fifo: false }).messages.map((m) => m.body);
    assert.deepEqual(bodies(), ["kept", "same turn", "after"]);
    store.close();

    const reopened = new SqliteStore(dir);
    try {
      assert.deepEqual(
        reopened.receive({ queueId, now: now + 1, max: 10, visibleAt: now + 2, fifo: false }).messages.map((m) => [m.body, m.receiveCount]),
        [
          ["kept", 2],
          ["same turn", 2],
          ["after", 2],
        ],
      );
    } finally {
      reopened.close();
    }
  });
  test("SQL the log cannot replay (exec) commits the held writes first", async () => {
    const store = new SqliteStore(dir);
    try {
      const queueId = store.insertQueue(queueRow);
      store.enqueue([{ queueId, message: message("held") }]);
      await turn();
      assert.deepEqual(committedBodies(dir), [], "the write is held, not committed");
      store.database.exec("CREATE TABLE IF NOT EXISTS unrelated (a)");
      assert.deepEqual(committedBodies(dir), ["held"]);
    } finally {
      store.close();
    }
  });

  test("a nested better-sqlite3 transaction that throws leaves nothing for a later undo to replay", async () => {
    const store = new SqliteStore(dir);
    try {
      const queueId = store.insertQueue(queueRow);
      store.enqueue([{ queueId, message: message("kept") }]);
      const insert = store.database.prepare(
        "INSERT INTO messages (queue_id, message_id, body, md5_body, sender_id, sent_at, visible_at, expires_at) VALUES (?, ?, ?, '', 's', 0, 0, ?)",
      );
      assert.throws(
        () =>
          store.database.transaction(() => {
            insert.run(queueId, "nested", "nested", now + 3_600_000);
            throw new Error("nested fails");
          })(),
        /nested fails/,
      );
      // Undoing this failed request replays what the turn ran before it: the nested insert must not be among it.
      assert.throws(() => store.transaction(() => {
        store.enqueue([{ queueId, message: message("undone") }]);
        throw new Error("outer fails");
      }), /outer fails/);
      await turn();
      const bodies = store.receive({ queueId, now, max: 10, visibleAt: now + 1, fifo: false }).messages.map((m) => m.body);
      assert.deepEqual(bodies, ["kept"]);
    } finally {
      store.close();
    }
  });
});
