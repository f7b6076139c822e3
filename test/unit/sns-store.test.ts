// The SnsStore contract, for the memory and the SQLite implementation alike: topics, subscriptions,
// FIFO dedup and sequences, and the outbox's leases.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SnsMemoryStore } from "../../src/store/sns-memory-store.js";
import { SnsSqliteStore } from "../../src/store/sns-sqlite-store.js";
import type { NewDelivery, SnsStore, SubscriptionRoom } from "../../src/store/sns-types.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";

const dirs: string[] = [];
const sqliteStores: SqliteStore[] = [];
after(() => {
  for (const s of sqliteStores) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function makeStores(): Array<[string, () => SnsStore]> {
  return [
    ["memory", () => new SnsMemoryStore()],
    [
      "sqlite",
      () => {
        const dir = mkdtempSync(join(tmpdir(), "sluice-sns-store-"));
        dirs.push(dir);
        const sqlite = new SqliteStore(dir);
        sqliteStores.push(sqlite);
        return new SnsSqliteStore(sqlite);
      },
    ],
  ];
}

/** Room for any number of deliveries, except for the named subscriptions, which have none. */
const busy = (...full: string[]): SubscriptionRoom => ({ each: 1000, inFlight: new Map(full.map((arn) => [arn, 1000])) });

const delivery = (subscriptionArn: string, dueAt: number): NewDelivery => ({
  subscriptionArn,
  kind: "Notification",
  endpoint: "http://x",
  body: `body-${subscriptionArn}-${dueAt}`,
  headers: { "x-amz-sns-message-type": "Notification" },
  policy: "{}",
  dueAt,
  createdAt: dueAt,
});

for (const [kind, make] of makeStores()) {
  describe(`SnsStore (${kind})`, () => {
    test("topics and subscriptions round-trip", () => {
      const store = make();
      const id = store.insertTopic({ region: "us-east-1", accountId: "1", name: "t", fifo: true, attributes: { DisplayName: "x" }, tags: { k: "v" }, createdAt: 5 });
      store.updateTopic({ id, region: "us-east-1", accountId: "1", name: "t", fifo: true, attributes: { DisplayName: "y" }, tags: {}, createdAt: 5 });
      assert.deepEqual(store.loadTopics(), [{ id, region: "us-east-1", accountId: "1", name: "t", fifo: true, attributes: { DisplayName: "y" }, tags: {}, createdAt: 5 }]);
      const row = { arn: "arn:s", topicArn: "arn:t", region: "us-east-1", accountId: "1", protocol: "http", endpoint: "http://e", attributes: { RawMessageDelivery: "true" }, confirmed: false, authenticated: false, token: "abc", authenticateOnUnsubscribe: false, createdAt: 7 };
      const seq = store.insertSubscription(row);
      store.updateSubscription({ ...row, seq, confirmed: true, authenticated: true, authenticateOnUnsubscribe: true });
      assert.deepEqual(store.loadSubscriptions(), [{ ...row, seq, confirmed: true, authenticated: true, authenticateOnUnsubscribe: true }]);
      store.deleteSubscription("arn:s");
      store.deleteTopic(id);
      assert.deepEqual([store.loadTopics(), store.loadSubscriptions()], [[], []]);
    });

    test("FIFO dedup entries expire; sequences increase per topic", () => {
      const store = make();
      const id = store.insertTopic({ region: "r", accountId: "1", name: "f", fifo: true, attributes: {}, tags: {}, createdAt: 0 });
      store.recordTopicDedup(id, "k", { messageId: "m", sequenceNumber: "1" }, 1000);
      assert.deepEqual(store.findTopicDedup(id, "k", 999), { messageId: "m", sequenceNumber: "1" });
      assert.equal(store.findTopicDedup(id, "k", 1000), undefined);
      assert.deepEqual([store.nextTopicSequence(id, 1), store.nextTopicSequence(id, 3), store.nextTopicSequence(id, 1)], [1n, 2n, 5n]);
    });

    test("FIFO dedup: a re-recorded id outlives its first window; expired entries go, live ones stay", () => {
      const store = make();
      const id = store.insertTopic({ region: "r", accountId: "1", name: "f", fifo: true, attributes: {}, tags: {}, createdAt: 0 });
      const window = 5 * 60_000;
      store.recordTopicDedup(id, "k", { messageId: "m1", sequenceNumber: "1" }, window);
      store.recordTopicDedup(id, "other", { messageId: "o", sequenceNumber: "2" }, window + 10);
      store.recordTopicDedup(id, "k", { messageId: "m2", sequenceNumber: "3" }, window + 20);
      // Recording at time `window` sweeps what expired by then: the first "k" entry, not its replacement.
      store.recordTopicDedup(id, "late", { messageId: "l", sequenceNumber: "4" }, 2 * window);
      assert.deepEqual(store.findTopicDedup(id, "k", window), { messageId: "m2", sequenceNumber: "3" });
      assert.deepEqual(store.findTopicDedup(id, "other", window), { messageId: "o", sequenceNumber: "2" });
      store.recordTopicDedup(id, "later", { messageId: "x", sequenceNumber: "5" }, 2 * window + 20);
      assert.equal(store.findTopicDedup(id, "k", window), undefined);
      assert.equal(store.findTopicDedup(id, "other", window), undefined);
      assert.deepEqual(store.findTopicDedup(id, "late", window), { messageId: "l", sequenceNumber: "4" });
      store.deleteTopic(id);
      const again = store.insertTopic({ region: "r", accountId: "1", name: "f", fifo: true, attributes: {}, tags: {}, createdAt: 0 });
      assert.equal(store.findTopicDedup(again, "late", window), undefined);
    });

    test("the outbox: due order, leases, busy subscriptions, reschedule, release", () => {
      const store = make();
      store.addDeliveries([delivery("a", 10), delivery("b", 5), delivery("a", 20), delivery("c", 100)]);
      assert.equal(store.nextDue(busy()), 5);
      const first = store.leaseDue(20, 10, busy("b"));
      assert.deepEqual(first.map((d) => [d.subscriptionArn, d.dueAt]), [["a", 10], ["a", 20]]);
      assert.deepEqual(first[0].headers, { "x-amz-sns-message-type": "Notification" });
      assert.equal(store.nextDue(busy("b")), 100);
      assert.deepEqual(store.leaseDue(20, 10, busy()).map((d) => d.subscriptionArn), ["b"]);
      assert.deepEqual(store.leaseDue(1000, 10, busy()).map((d) => d.subscriptionArn), ["c"]);
      assert.equal(store.nextDue(busy()), undefined);
      store.reschedule(first[0].id, 1, 50);
      assert.equal(store.nextDue(busy()), 50);
      const again = store.leaseDue(50, 10, busy());
      assert.deepEqual(again.map((d) => [d.id, d.attempts]), [[first[0].id, 1]]);
      store.releaseAll();
      assert.equal(store.leaseDue(1000, 10, busy()).length, 4);
      store.removeDelivery(first[0].id);
      assert.equal(store.pendingDeliveries(), 3);
    });

    test("the outbox: a lease merges subscriptions in due order, up to the limit, around a busy backlog", () => {
      const store = make();
      // More than the SQLite store walks past before asking each subscription for its earliest.
      const backlog = Array.from({ length: 300 }, () => delivery("slow", 1));
      store.addDeliveries([...backlog, delivery("x", 7), delivery("y", 3), delivery("x", 4), delivery("y", 9), delivery("x", 60)]);
      assert.equal(store.nextDue(busy("slow")), 3);
      assert.equal(store.nextDue(busy()), 1);
      const leased = store.leaseDue(50, 3, busy("slow"));
      assert.deepEqual(leased.map((d) => [d.subscriptionArn, d.dueAt]), [["y", 3], ["x", 4], ["x", 7]]);
      assert.equal(store.nextDue(busy("slow")), 9);
      assert.deepEqual(store.leaseDue(50, 10, busy("slow")).map((d) => [d.subscriptionArn, d.dueAt]), [["y", 9]]);
      assert.equal(store.nextDue(busy("slow")), 60);
      assert.deepEqual(store.leaseDue(50, 10, busy("slow", "x")), []);
      assert.equal(store.nextDue(busy("slow", "x")), undefined);
      const slow = store.leaseDue(1, 2, busy());
      assert.deepEqual(slow.map((d) => d.subscriptionArn), ["slow", "slow"]);
      assert.equal(slow[1].id, slow[0].id + 1);
      store.reschedule(leased[0].id, 1, 2);
      assert.deepEqual(store.leaseDue(2, 10, busy("slow")).map((d) => [d.subscriptionArn, d.dueAt, d.attempts]), [["y", 2, 1]]);
      assert.equal(store.leaseDue(1000, 1000, busy()).length, 298 + 1);
    });

    test("the outbox: a lease takes no more of a subscription than it has room for", () => {
      const store = make();
      store.addDeliveries([delivery("a", 1), delivery("a", 2), delivery("b", 3), delivery("a", 4), delivery("b", 5), delivery("b", 6)]);
      const room: SubscriptionRoom = { each: 2, inFlight: new Map([["a", 1]]) };
      assert.deepEqual(store.leaseDue(10, 10, room).map((d) => [d.subscriptionArn, d.dueAt]), [["a", 1], ["b", 3], ["b", 5]]);
      assert.equal(store.nextDue({ each: 2, inFlight: new Map([["a", 2]]) }), 6);
      assert.equal(store.nextDue({ each: 2, inFlight: new Map([["a", 1]]) }), 2);
      // Past the walk's limit of skipped entries too (the SQLite store's other path).
      const many = make();
      many.addDeliveries([...Array.from({ length: 300 }, () => delivery("a", 1)), delivery("b", 2), delivery("b", 3)]);
      const taken = many.leaseDue(10, 10, { each: 2, inFlight: new Map([["a", 1], ["b", 1]]) });
      assert.deepEqual(taken.map((d) => [d.subscriptionArn, d.dueAt]), [["a", 1], ["b", 2]]);
    });
  });
}
