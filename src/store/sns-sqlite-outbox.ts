import type Database from "better-sqlite3";
import { fullSubscriptions, roomOf, type SubscriptionRoom } from "./sns-types.js";

/**
 * Past this many deliveries skipped in the due order (their subscription has no room left), the outbox stops
 * walking it and asks each subscription with room for its own earliest instead.
 */
const WALK_LIMIT = 64;
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/** The outbox's indexes: one in due order, one by subscription. */
export const OUTBOX_INDEXES = `
DROP INDEX IF EXISTS sns_deliveries_due;
CREATE INDEX IF NOT EXISTS sns_deliveries_in_due_order ON sns_deliveries (leased, due_at, id, subscription_arn);
CREATE INDEX IF NOT EXISTS sns_deliveries_by_subscription ON sns_deliveries (leased, subscription_arn, due_at, id);`;

type Entry = [id: number, subscriptionArn: string, dueAt: number];

function prepareOutboxStatements(db: Database.Database) {
  return {
    inDueOrder: db
      .prepare<[number], Entry>(
        `SELECT id, subscription_arn, due_at FROM sns_deliveries INDEXED BY sns_deliveries_in_due_order
          WHERE leased = 0 AND due_at <= ? ORDER BY due_at, id`,
      )
      .raw(true),
    // One index probe per subscription with unleased deliveries (a skip scan), not one step per delivery.
    waiting: db
      .prepare<[], string>(
        `WITH RECURSIVE subscription(arn) AS (
           SELECT (SELECT subscription_arn FROM sns_deliveries WHERE leased = 0 ORDER BY subscription_arn LIMIT 1)
           UNION ALL
           SELECT (SELECT subscription_arn FROM sns_deliveries WHERE leased = 0 AND subscription_arn > subscription.arn
                   ORDER BY subscription_arn LIMIT 1)
             FROM subscription WHERE arn IS NOT NULL
         )
         SELECT arn FROM subscription WHERE arn IS NOT NULL`,
      )
      .pluck(),
    earliestOf: db
      .prepare<[string, number, number], Entry>(
        `SELECT id, subscription_arn, due_at FROM sns_deliveries INDEXED BY sns_deliveries_by_subscription
          WHERE leased = 0 AND subscription_arn = ? AND due_at <= ? ORDER BY due_at, id LIMIT ?`,
      )
      .raw(true),
  };
}

/**
 * Which unleased deliveries come next, no more of a subscription than it has room for (see SubscriptionRoom).
 * Walking the outbox in due order and skipping what does not fit is cheapest while full subscriptions hold
 * few of the earliest; a slow endpoint's backlog, though, would be walked in full on every lease. Past
 * WALK_LIMIT skipped entries each subscription with room is asked for its earliest, one index probe each.
 */
export class OutboxOrder {
  private readonly stmt: ReturnType<typeof prepareOutboxStatements>;

  constructor(db: Database.Database) {
    this.stmt = prepareOutboxStatements(db);
  }

  /** Ids of up to `limit` deliveries due at `now`, earliest first (ties by id), within each one's room. */
  due(now: number, limit: number, room: SubscriptionRoom): number[] {
    if (limit <= 0) return [];
    return (this.walk(now, limit, room) ?? this.bySubscription(now, limit, room)).map(([id]) => id);
  }

  /** The earliest due time of an unleased delivery of a subscription with room. */
  nextDue(room: SubscriptionRoom): number | undefined {
    const [first] = this.walk(NO_BOUND, 1, room) ?? this.bySubscription(NO_BOUND, 1, room);
    return first?.[2];
  }

  /** The due order's first `limit` entries that fit, or undefined if too many had to be skipped. */
  private walk(now: number, limit: number, room: SubscriptionRoom): Entry[] | undefined {
    const found: Entry[] = [];
    const taken = new Map<string, number>();
    let skipped = 0;
    for (const entry of this.stmt.inDueOrder.iterate(now)) {
      const arn = entry[1];
      const count = taken.get(arn) ?? 0;
      if (count < roomOf(room, arn)) {
        taken.set(arn, count + 1);
        found.push(entry);
        if (found.length === limit) break;
      } else if (++skipped > WALK_LIMIT) return undefined;
    }
    return found;
  }

  /** Each subscription's earliest that fit, then the earliest `limit` of those: what the walk would give. */
  private bySubscription(now: number, limit: number, room: SubscriptionRoom): Entry[] {
    const full = fullSubscriptions(room);
    return this.stmt.waiting
      .all()
      .filter((arn) => !full.has(arn))
      .flatMap((arn) => this.stmt.earliestOf.all(arn, now, Math.min(limit, roomOf(room, arn))))
      .sort((a, b) => a[2] - b[2] || a[0] - b[0])
      .slice(0, limit);
  }
}
