import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { CANDIDATE_SEQ } from "../../src/store/sqlite-rows.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { type FifoRow as Row, expectedFifoCandidates as expected, seededRandom as random, groupMessage, insertFifoQueue } from "../helpers/fifo-reference.js";

// Few groups take the group walk; more than 32 take the bounded sequence walk, and past 256 messages its
// window can come up short, which hands over to the group walk.
for (const { groups, prefill } of [
  { groups: 1, prefill: 40 },
  { groups: 7, prefill: 300 },
  { groups: 40, prefill: 120 },
  { groups: 300, prefill: 700 },
]) {
  describe(`SQLite FIFO candidates, ${groups} group(s)`, () => {
    test("match the definition through sends, receives, deletes, visibility changes, delays and restarts", () => {
      const dir = mkdtempSync(join(tmpdir(), "sluice-fifo-candidates-"));
      const rand = random(groups * 7919 + prefill);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
      let store = new SqliteStore(dir);
      let candidates = store.fifo;
      let now = Date.UTC(2026, 0, 1);
      let sent = 0;
      const fifoQueue = (name: string) => insertFifoQueue(store, name, now);
      const queueId = fifoQueue("plans.fifo");
      // Another queue's messages interleave with this one's sequence numbers, as on a shared broker.
      const otherId = fifoQueue("other.fifo");
      const held: Array<{ seq: number; token: number }> = [];
      const send = (count: number, delayed: number) => {
        const entries = Array.from({ length: count }, () => {
          const n = sent++;
          const queue = rand() < 0.2 ? otherId : queueId;
          const group = `g${Math.floor(rand() * groups)}`;
          const visibleAt = rand() < delayed ? now + pick([500, 2000, 6000]) : now;
          return {
            queueId: queue,
            message: groupMessage(n, group, { now, visibleAt, expiresAt: now + 3_600_000 }),
          };
        });
        store.enqueue(entries);
      };
      const rows = (): Row[] =>
        store.database
          .prepare<[number], Row>("SELECT seq, group_id, visible_at, receive_count FROM messages WHERE queue_id = ? ORDER BY seq")
          .all(queueId);
      const check = () => {
        const all = rows();
        for (const limit of [1, 3, 10, 40, 200]) {
          const got = candidates.find(queueId, now, limit).map((r) => r[CANDIDATE_SEQ]);
          assert.deepEqual(got, expected(all, now, limit), `limit ${limit} at step with ${all.length} messages`);
        }
      };

      try {
        send(prefill, 0.05);
        check();
        for (let step = 0; step < 150; step++) {
          const action = rand();
          if (action < 0.2) {
            send(1 + Math.floor(rand() * 10), 0.2);
          } else if (action < 0.55) {
            const max = 1 + Math.floor(rand() * 10);
            const want = expected(rows(), now, max);
            const visibleAt = now + pick([0, 1000, 5000, 30_000]);
            const got = store.receive({ queueId, now, max, visibleAt, fifo: true }).messages;
            assert.deepEqual(got.map((m) => m.seq), want);
            for (const m of got) held.push({ seq: m.seq, token: m.receiptToken });
          } else if (action < 0.75) {
            for (let i = held.length - 1; i >= 0; i--) {
              if (rand() < 0.5) continue;
              store.deleteMessage(queueId, held[i].seq, held[i].token, now, false);
              held.splice(i, 1);
            }
          } else if (action < 0.85 && held.length > 0) {
            const h = pick(held);
            store.changeVisibility(queueId, h.seq, h.token, now, now + pick([0, 2000]), 43_200_000);
          } else if (action < 0.95) {
            now += Math.floor(rand() * 4000);
          } else {
            // kill -9 is covered elsewhere; a clean reopen shows the locks are rebuilt from the rows.
            store.close();
            store = new SqliteStore(dir);
            candidates = store.fifo;
          }
          check();
        }
      } finally {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

// A message in flight locks its group even when an earlier one of the group is visible again: the lock is
// not just "the front is invisible".
for (const reopen of [false, true]) {
  test(`a message in flight behind a visible one locks its group${reopen ? " after a reopen" : ""}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-fifo-lock-"));
    let store = new SqliteStore(dir);
    try {
      const now = Date.UTC(2026, 0, 1);
      const queueId = insertFifoQueue(store, "locks.fifo", now);
      const at = { now, visibleAt: now, expiresAt: now + 3_600_000 };
      store.enqueue([0, 1, 2].map((n) => ({ queueId, message: groupMessage(n, "g", at) })));
      // Read once first, so the locks are loaded before the receive that takes A and B.
      assert.equal(store.fifo.find(queueId, now, 10).length, 3);
      const [a, b] = store.receive({ queueId, now, max: 2, visibleAt: now + 30_000, fifo: true }).messages;
      assert.ok(a && b);
      if (reopen) {
        store.close();
        store = new SqliteStore(dir);
      }
      assert.equal(store.changeVisibility(queueId, a.seq, a.receiptToken, now, now, 43_200_000), "changed");
      assert.deepEqual(store.receive({ queueId, now: now + 1, max: 10, visibleAt: now + 30_000, fifo: true }).messages, []);
      store.deleteMessage(queueId, b.seq, b.receiptToken, now + 2, false);
      const next = store.receive({ queueId, now: now + 3, max: 10, visibleAt: now + 30_000, fifo: true }).messages;
      assert.deepEqual(
        next.map((m) => m.seq),
        [a.seq, a.seq + 2],
      );
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
