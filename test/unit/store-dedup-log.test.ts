import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { FakeClock } from "../../src/core/clock.js";
import type { Queue } from "../../src/core/sqs/queue.js";
import { SCHEMA_VERSION } from "../../src/store/sqlite-schema.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { coreFixture, type CoreFixture } from "../helpers/core.js";

// The SQLite store keeps FIFO deduplication ids as an append-only log on disk with the lookup in memory;
// whatever the path (reopen, rollback, expiry, a deleted queue, an old file), the answers must be SQS's.
const WINDOW_MS = 5 * 60_000;
const FIFO = { FifoQueue: "true" };

describe("FIFO deduplication over the SQLite store's log", () => {
  let dir: string;
  let clock: FakeClock;
  let f: CoreFixture;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sluice-dedup-"));
    clock = new FakeClock();
    f = coreFixture("sqlite", { dir, clock });
  });
  afterEach(() => {
    f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (q: Queue, body: string, dedup: string) =>
    f.sqs.messages.send(f.caller, q, { MessageBody: body, MessageGroupId: "g", MessageDeduplicationId: dedup });
  const logRows = () => ((f.store as SqliteStore).database.prepare("SELECT count(*) FROM dedup_log").pluck().get() as number);

  test("ids found in the same batch, after a reopen, and not once their window has passed", () => {
    const q = f.queue("log.fifo", FIFO);
    const sent = f.sqs.messages.sendBatch(f.caller, q, [
      { Id: "a", MessageBody: "one", MessageGroupId: "g", MessageDeduplicationId: "x" },
      { Id: "b", MessageBody: "two", MessageGroupId: "g", MessageDeduplicationId: "x" },
    ]);
    assert.equal(sent.Successful[1].MessageId, sent.Successful[0].MessageId);
    assert.equal(sent.Successful[1].SequenceNumber, sent.Successful[0].SequenceNumber);
    f = f.reopen();
    const q2 = f.sqs.resolve(f.caller, "log.fifo", "SendMessage");
    assert.equal(send(q2, "three", "x").MessageId, sent.Successful[0].MessageId);
    clock.advance(WINDOW_MS);
    const fresh = send(q2, "four", "x");
    assert.notEqual(fresh.MessageId, sent.Successful[0].MessageId);
    // The sweep takes the first entry away, not the one that replaced it.
    f.store.deleteExpired(clock.now());
    assert.equal(logRows(), 1);
    assert.equal(send(q2, "five", "x").MessageId, fresh.MessageId);
    f = f.reopen();
    const q3 = f.sqs.resolve(f.caller, "log.fifo", "SendMessage");
    assert.equal(send(q3, "six", "x").MessageId, fresh.MessageId);
    clock.advance(WINDOW_MS);
    f.store.deleteExpired(clock.now());
    assert.equal(logRows(), 0);
    assert.notEqual(send(q3, "seven", "x").MessageId, fresh.MessageId);
  });

  test("the sweep stops at the first entry still inside its window", () => {
    const q = f.queue("sweep.fifo", FIFO);
    const old = send(q, "old", "old");
    clock.advance(60_000);
    const recent = send(q, "recent", "recent");
    clock.advance(WINDOW_MS - 60_000);
    f.store.deleteExpired(clock.now());
    assert.equal(logRows(), 1);
    assert.equal(send(q, "again", "recent").MessageId, recent.MessageId);
    assert.notEqual(send(q, "again", "old").MessageId, old.MessageId);
  });

  test("a queue deleted and created again under the same name does not inherit its ids", () => {
    const q = f.queue("again.fifo", FIFO);
    const first = send(q, "one", "d");
    f.sqs.deleteQueue(q);
    // Inside the deduplication window, past the minute SQS makes a deleted queue's name wait.
    clock.advance(61_000);
    const recreated = f.queue("again.fifo", FIFO);
    // The store gives the new queue the freed id, which is what makes the old entries dangerous.
    assert.equal(recreated.id, q.id);
    assert.notEqual(send(recreated, "two", "d").MessageId, first.MessageId);
    f = f.reopen();
    const reopened = f.sqs.resolve(f.caller, "again.fifo", "SendMessage");
    assert.notEqual(send(reopened, "three", "d").MessageId, first.MessageId);
  });

  test("an id recorded in a transaction that rolls back is not remembered", () => {
    const q = f.queue("rollback.fifo", FIFO);
    const kept = send(q, "kept", "kept");
    assert.throws(() =>
      f.store.transaction(() => {
        f.store.recordDedup(q.id, "lost", { messageId: "never-sent", sequenceNumber: "1" }, clock.now() + WINDOW_MS);
        throw new Error("rolled back");
      }),
    );
    // The next entry takes the row number the rolled-back one had.
    send(q, "next", "next");
    assert.equal(f.store.findDedup(q.id, "lost", clock.now()), undefined);
    assert.equal(send(q, "again", "kept").MessageId, kept.MessageId);
  });
});

describe("a data file from schema 4", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sluice-schema4-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("has its deduplication table turned into the log, entries and windows kept", () => {
    const clock = new FakeClock();
    let f = coreFixture("sqlite", { dir, clock });
    const q = f.queue("old.fifo", FIFO);
    f.sqs.close();
    f.store.close();
    // Take the file back to schema 4: a dedup table indexed by id and by expiry, no log.
    const db = new Database(join(dir, "sluice.db"));
    db.exec(`DROP TABLE dedup_log;
      CREATE TABLE dedup (queue_id INTEGER NOT NULL, key TEXT NOT NULL, message_id TEXT NOT NULL, sequence_number TEXT,
        expires_at INTEGER NOT NULL, PRIMARY KEY (queue_id, key));
      CREATE INDEX dedup_by_expiry ON dedup (expires_at);`);
    const insert = db.prepare("INSERT INTO dedup VALUES (?, ?, ?, ?, ?)");
    insert.run(q.id, "live", "m-live", "00000000000000000001", clock.now() + 60_000);
    insert.run(q.id, "gone", "m-gone", "00000000000000000002", clock.now());
    db.pragma("user_version = 4");
    db.close();

    f = coreFixture("sqlite", { dir, clock });
    const database = (f.store as SqliteStore).database;
    assert.equal(database.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    assert.equal(database.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('dedup', 'dedup_by_expiry')").pluck().get(), 0);
    const old = f.sqs.resolve(f.caller, "old.fifo", "SendMessage");
    const again = f.sqs.messages.send(f.caller, old, { MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "live" });
    assert.equal(again.MessageId, "m-live");
    assert.equal(again.SequenceNumber, "00000000000000000001");
    const fresh = f.sqs.messages.send(f.caller, old, { MessageBody: "y", MessageGroupId: "g", MessageDeduplicationId: "gone" });
    assert.notEqual(fresh.MessageId, "m-gone");
    f.close();
  });
});
