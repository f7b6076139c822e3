import type Database from "better-sqlite3";
import { DedupLog, TOPIC_DEDUP, dedupLogSchema } from "./sqlite-dedup.js";
import { OUTBOX_INDEXES, OutboxOrder } from "./sns-sqlite-outbox.js";
import type { SqliteStore } from "./sqlite-store.js";
import { DEDUP_WINDOW_MS } from "./sns-types.js";
import type {
  Delivery,
  DeliveryKind,
  NewDelivery,
  NewSubscriptionRow,
  NewTopicRow,
  SnsStore,
  SubscriptionRoom,
  SubscriptionRow,
  TopicDedupEntry,
  TopicRow,
} from "./sns-types.js";

/**
 * SNS tables live in the SQS store's database file and are created on open; they need no entry in the
 * SQS schema version because every statement is IF NOT EXISTS.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS sns_topics (
  id INTEGER PRIMARY KEY,
  region TEXT NOT NULL,
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  fifo INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_sequence INTEGER NOT NULL DEFAULT 0,
  UNIQUE (region, account_id, name)
);
CREATE TABLE IF NOT EXISTS sns_subscriptions (
  seq INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  topic_arn TEXT NOT NULL,
  region TEXT NOT NULL,
  account_id TEXT NOT NULL,
  protocol TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  attributes TEXT NOT NULL,
  confirmed INTEGER NOT NULL,
  authenticated INTEGER NOT NULL,
  token TEXT,
  auth_on_unsubscribe INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
${dedupLogSchema(TOPIC_DEDUP)}
CREATE TABLE IF NOT EXISTS sns_deliveries (
  id INTEGER PRIMARY KEY,
  subscription_arn TEXT NOT NULL,
  kind TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  body TEXT NOT NULL,
  headers TEXT NOT NULL,
  policy TEXT NOT NULL,
  dead_letter TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL,
  leased INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
${OUTBOX_INDEXES}
`;

/**
 * Files written before the log kept topic deduplication entries in a table keyed by id, whose expiry was a
 * scan of the whole table on every FIFO publish. Copied oldest first, the order the log expects.
 */
function migrateTopicDedup(db: Database.Database): void {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sns_dedup'").get()) return;
  db.exec(`
    INSERT INTO sns_dedup_log (topic_id, key, message_id, sequence_number, expires_at)
      SELECT topic_id, key, message_id, sequence_number, expires_at FROM sns_dedup ORDER BY expires_at;
    DROP TABLE sns_dedup;`);
}

interface TopicRecord {
  id: number;
  region: string;
  account_id: string;
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_at: number;
}

interface SubscriptionRecord {
  seq: number;
  arn: string;
  topic_arn: string;
  region: string;
  account_id: string;
  protocol: string;
  endpoint: string;
  attributes: string;
  confirmed: number;
  authenticated: number;
  token: string | null;
  auth_on_unsubscribe: number;
  created_at: number;
}

interface DeliveryRecord {
  id: number;
  subscription_arn: string;
  kind: string;
  endpoint: string;
  body: string;
  headers: string;
  policy: string;
  dead_letter: string | null;
  attempts: number;
  due_at: number;
  created_at: number;
}

function toDelivery(r: DeliveryRecord): Delivery {
  return {
    id: r.id,
    subscriptionArn: r.subscription_arn,
    kind: r.kind as DeliveryKind,
    endpoint: r.endpoint,
    body: r.body,
    headers: JSON.parse(r.headers) as Record<string, string>,
    policy: r.policy,
    deadLetter: r.dead_letter ?? undefined,
    attempts: r.attempts,
    dueAt: r.due_at,
    createdAt: r.created_at,
  };
}

/** SNS state in SQLite, on the SQS store's connection so both commit in one transaction. */
export class SnsSqliteStore implements SnsStore {
  private readonly db: Database.Database;
  private readonly stmt;
  private readonly dedup: DedupLog;
  private readonly outbox: OutboxOrder;

  constructor(sqs: SqliteStore) {
    const db = (this.db = sqs.database);
    db.transaction(() => {
      db.exec(SCHEMA);
      migrateTopicDedup(db);
    })();
    this.dedup = new DedupLog(db, TOPIC_DEDUP);
    this.outbox = new OutboxOrder(db);
    sqs.onRollback(() => this.dedup.reset());
    this.stmt = {
      topics: db.prepare<[], TopicRecord>("SELECT * FROM sns_topics ORDER BY id"),
      insertTopic: db.prepare(
        `INSERT INTO sns_topics (region, account_id, name, fifo, attributes, tags, created_at)
         VALUES (@region, @accountId, @name, @fifo, @attributes, @tags, @createdAt)`,
      ),
      updateTopic: db.prepare("UPDATE sns_topics SET attributes = @attributes, tags = @tags WHERE id = @id"),
      deleteTopic: db.prepare("DELETE FROM sns_topics WHERE id = ?"),
      subscriptions: db.prepare<[], SubscriptionRecord>("SELECT * FROM sns_subscriptions ORDER BY seq"),
      insertSubscription: db.prepare(
        `INSERT INTO sns_subscriptions (arn, topic_arn, region, account_id, protocol, endpoint, attributes, confirmed,
           authenticated, token, auth_on_unsubscribe, created_at)
         VALUES (@arn, @topicArn, @region, @accountId, @protocol, @endpoint, @attributes, @confirmed, @authenticated,
           @token, @authOnUnsubscribe, @createdAt)`,
      ),
      updateSubscription: db.prepare(
        `UPDATE sns_subscriptions SET attributes = @attributes, confirmed = @confirmed, authenticated = @authenticated,
           token = @token, auth_on_unsubscribe = @authOnUnsubscribe WHERE arn = @arn`,
      ),
      deleteSubscription: db.prepare("DELETE FROM sns_subscriptions WHERE arn = ?"),
      nextSequence: db.prepare<[count: number, topicId: number], { last_sequence: number }>(
        "UPDATE sns_topics SET last_sequence = last_sequence + ? WHERE id = ? RETURNING last_sequence",
      ),
      insertDelivery: db.prepare(
        `INSERT INTO sns_deliveries (subscription_arn, kind, endpoint, body, headers, policy, dead_letter, due_at, created_at)
         VALUES (@subscriptionArn, @kind, @endpoint, @body, @headers, @policy, @deadLetter, @dueAt, @createdAt)`,
      ),
      delivery: db.prepare<[number], DeliveryRecord>("SELECT * FROM sns_deliveries WHERE id = ?"),
      lease: db.prepare("UPDATE sns_deliveries SET leased = 1 WHERE id = ?"),
      reschedule: db.prepare("UPDATE sns_deliveries SET attempts = ?, due_at = ?, leased = 0 WHERE id = ?"),
      removeDelivery: db.prepare("DELETE FROM sns_deliveries WHERE id = ?"),
      releaseAll: db.prepare("UPDATE sns_deliveries SET leased = 0 WHERE leased = 1"),
      pending: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sns_deliveries"),
    };
  }

  loadTopics(): TopicRow[] {
    return this.stmt.topics.all().map((r) => ({
      id: r.id,
      region: r.region,
      accountId: r.account_id,
      name: r.name,
      fifo: r.fifo === 1,
      attributes: JSON.parse(r.attributes) as Record<string, string>,
      tags: JSON.parse(r.tags) as Record<string, string>,
      createdAt: r.created_at,
    }));
  }

  insertTopic(row: NewTopicRow): number {
    const result = this.stmt.insertTopic.run({
      ...row,
      fifo: row.fifo ? 1 : 0,
      attributes: JSON.stringify(row.attributes),
      tags: JSON.stringify(row.tags),
    });
    return Number(result.lastInsertRowid);
  }

  updateTopic(row: TopicRow): void {
    this.stmt.updateTopic.run({ id: row.id, attributes: JSON.stringify(row.attributes), tags: JSON.stringify(row.tags) });
  }

  deleteTopic(id: number): void {
    this.db.transaction(() => {
      this.dedup.forget(id);
      this.stmt.deleteTopic.run(id);
    })();
  }

  loadSubscriptions(): SubscriptionRow[] {
    return this.stmt.subscriptions.all().map((r) => ({
      seq: r.seq,
      arn: r.arn,
      topicArn: r.topic_arn,
      region: r.region,
      accountId: r.account_id,
      protocol: r.protocol,
      endpoint: r.endpoint,
      attributes: JSON.parse(r.attributes) as Record<string, string>,
      confirmed: r.confirmed === 1,
      authenticated: r.authenticated === 1,
      token: r.token ?? undefined,
      authenticateOnUnsubscribe: r.auth_on_unsubscribe === 1,
      createdAt: r.created_at,
    }));
  }

  private subscriptionParams(row: NewSubscriptionRow) {
    return {
      arn: row.arn,
      topicArn: row.topicArn,
      region: row.region,
      accountId: row.accountId,
      protocol: row.protocol,
      endpoint: row.endpoint,
      attributes: JSON.stringify(row.attributes),
      confirmed: row.confirmed ? 1 : 0,
      authenticated: row.authenticated ? 1 : 0,
      token: row.token ?? null,
      authOnUnsubscribe: row.authenticateOnUnsubscribe ? 1 : 0,
      createdAt: row.createdAt,
    };
  }

  insertSubscription(row: NewSubscriptionRow): number {
    return Number(this.stmt.insertSubscription.run(this.subscriptionParams(row)).lastInsertRowid);
  }

  updateSubscription(row: SubscriptionRow): void {
    const p = this.subscriptionParams(row);
    this.stmt.updateSubscription.run({
      arn: p.arn,
      attributes: p.attributes,
      confirmed: p.confirmed,
      authenticated: p.authenticated,
      token: p.token,
      authOnUnsubscribe: p.authOnUnsubscribe,
    });
  }

  deleteSubscription(arn: string): void {
    this.stmt.deleteSubscription.run(arn);
  }

  findTopicDedup(topicId: number, key: string, now: number): TopicDedupEntry | undefined {
    return this.dedup.find(topicId, key, now);
  }

  recordTopicDedup(topicId: number, key: string, entry: TopicDedupEntry, expiresAt: number): void {
    // Expired windows (ours is `expiresAt` minus the window) are dropped here instead of by a timer; the
    // sweep reads one row when none has expired.
    this.dedup.sweep(expiresAt - DEDUP_WINDOW_MS);
    this.dedup.record(topicId, key, entry, expiresAt);
  }

  nextTopicSequence(topicId: number, count: number): bigint {
    const last = this.stmt.nextSequence.get(count, topicId)?.last_sequence;
    if (last === undefined) throw new Error(`no topic ${topicId} to sequence`);
    return BigInt(last) - BigInt(count) + 1n;
  }

  addDeliveries(rows: readonly NewDelivery[]): void {
    for (const row of rows) {
      this.stmt.insertDelivery.run({
        ...row,
        headers: JSON.stringify(row.headers),
        deadLetter: row.deadLetter ?? null,
      });
    }
  }

  leaseDue(now: number, limit: number, room: SubscriptionRoom): Delivery[] {
    return this.db.transaction(() =>
      this.outbox.due(now, limit, room).map((id) => {
        this.stmt.lease.run(id);
        const row = this.stmt.delivery.get(id);
        if (!row) throw new Error(`outbox delivery ${id} vanished while being leased`);
        return toDelivery(row);
      }),
    )();
  }

  nextDue(room: SubscriptionRoom): number | undefined {
    return this.outbox.nextDue(room);
  }

  reschedule(id: number, attempts: number, dueAt: number): void {
    this.stmt.reschedule.run(attempts, dueAt, id);
  }

  removeDelivery(id: number): void {
    this.stmt.removeDelivery.run(id);
  }

  releaseAll(): void {
    this.stmt.releaseAll.run();
  }

  pendingDeliveries(): number {
    return this.stmt.pending.get()?.n ?? 0;
  }
}
