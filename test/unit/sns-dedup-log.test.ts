import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { SnsSqliteStore } from "../../src/store/sns-sqlite-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";

// FIFO topics keep their deduplication ids in the same kind of log as FIFO queues: appended on disk, looked
// up in memory. Before it, each FIFO publish scanned the whole table for expired entries.
const WINDOW_MS = 5 * 60_000;

describe("FIFO topic deduplication over the SQLite store's log", () => {
  let dir: string;
  let sqs: SqliteStore;
  let sns: SnsSqliteStore;
  const open = (): void => {
    sqs = new SqliteStore(dir);
    sns = new SnsSqliteStore(sqs);
  };
  const topic = (name: string): number =>
    sns.insertTopic({ region: "us-east-1", accountId: "000000000000", name, fifo: true, attributes: {}, tags: {}, createdAt: 0 });
  const logRows = (): number => sqs.database.prepare("SELECT count(*) FROM sns_dedup_log").pluck().get() as number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sluice-sns-dedup-"));
    open();
  });
  afterEach(() => {
    sqs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("entries survive a reopen and leave the log once their window has passed", () => {
    const id = sqs.transaction(() => topic("t.fifo"));
    sqs.transaction(() => sns.recordTopicDedup(id, "a", { messageId: "m-a", sequenceNumber: "1" }, WINDOW_MS));
    sqs.transaction(() => sns.recordTopicDedup(id, "b", { messageId: "m-b", sequenceNumber: "2" }, WINDOW_MS + 5));
    sqs.close();
    open();
    assert.deepEqual(sns.findTopicDedup(id, "a", 0), { messageId: "m-a", sequenceNumber: "1" });
    assert.deepEqual(sns.findTopicDedup(id, "b", WINDOW_MS), { messageId: "m-b", sequenceNumber: "2" });
    // Recorded at time WINDOW_MS: the first entry has expired, the second has not.
    sqs.transaction(() => sns.recordTopicDedup(id, "c", { messageId: "m-c", sequenceNumber: "3" }, 2 * WINDOW_MS));
    assert.equal(logRows(), 2);
    assert.equal(sns.findTopicDedup(id, "a", 0), undefined);
    assert.deepEqual(sns.findTopicDedup(id, "b", WINDOW_MS), { messageId: "m-b", sequenceNumber: "2" });
  });

  test("an entry recorded in a transaction that rolls back is forgotten, though its row number is reused", () => {
    const id = sqs.transaction(() => topic("t.fifo"));
    assert.throws(() =>
      sqs.transaction(() => {
        sns.recordTopicDedup(id, "lost", { messageId: "never-published", sequenceNumber: "1" }, WINDOW_MS);
        throw new Error("rolled back");
      }),
    );
    sqs.transaction(() => sns.recordTopicDedup(id, "kept", { messageId: "m-kept", sequenceNumber: "1" }, WINDOW_MS));
    assert.equal(sns.findTopicDedup(id, "lost", 0), undefined);
    assert.deepEqual(sns.findTopicDedup(id, "kept", 0), { messageId: "m-kept", sequenceNumber: "1" });
  });

  test("a deleted topic's entries go with it", () => {
    const id = sqs.transaction(() => topic("t.fifo"));
    sqs.transaction(() => sns.recordTopicDedup(id, "a", { messageId: "m-a", sequenceNumber: "1" }, WINDOW_MS));
    sqs.transaction(() => sns.deleteTopic(id));
    assert.equal(logRows(), 0);
    const again = sqs.transaction(() => topic("t.fifo"));
    assert.equal(again, id);
    assert.equal(sns.findTopicDedup(again, "a", 0), undefined);
  });

  test("a file with the old deduplication table has it turned into the log, entries kept", () => {
    const id = sqs.transaction(() => topic("old.fifo"));
    sqs.close();
    const db = new Database(join(dir, "sluice.db"));
    db.exec(`DROP TABLE sns_dedup_log;
      CREATE TABLE sns_dedup (topic_id INTEGER NOT NULL, key TEXT NOT NULL, message_id TEXT NOT NULL,
        sequence_number TEXT, expires_at INTEGER NOT NULL, PRIMARY KEY (topic_id, key));`);
    const insert = db.prepare("INSERT INTO sns_dedup VALUES (?, ?, ?, ?, ?)");
    insert.run(id, "later", "m-later", "00000000000000000002", WINDOW_MS + 10);
    insert.run(id, "sooner", "m-sooner", "00000000000000000001", WINDOW_MS);
    db.close();
    open();
    assert.equal(sqs.database.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sns_dedup'").pluck().get(), 0);
    assert.deepEqual(sns.findTopicDedup(id, "later", 0), { messageId: "m-later", sequenceNumber: "00000000000000000002" });
    // Copied in expiry order, so a sweep at WINDOW_MS takes the sooner entry and keeps the later one.
    sqs.transaction(() => sns.recordTopicDedup(id, "new", { messageId: "m-new", sequenceNumber: "3" }, 2 * WINDOW_MS));
    assert.equal(logRows(), 2);
    assert.deepEqual(sns.findTopicDedup(id, "later", WINDOW_MS), { messageId: "m-later", sequenceNumber: "00000000000000000002" });
  });
});
