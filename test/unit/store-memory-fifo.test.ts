import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryStore } from "../../src/store/memory-store.js";
import { type FifoRow, expectedFifoCandidates, groupMessage, insertFifoQueue, seededRandom } from "../helpers/fifo-reference.js";

interface Row extends FifoRow {
  expires_at: number;
}

/**
 * The memory store's FIFO receive keeps its messages by group; this drives it through every path that
 * adds, takes or removes a message (sends, receives, deletes in any order, visibility changes, expiry,
 * moves to a dead-letter queue and back) and checks each receive against the definition over a model.
 */
for (const groups of [1, 3, 25]) {
  describe(`memory store FIFO receive, ${groups} group(s)`, () => {
    test("matches the definition through every path that adds or removes a message", () => {
      const rand = seededRandom(groups * 104_729);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
      const store = new MemoryStore();
      let now = Date.UTC(2026, 0, 1);
      const fifoQueue = (name: string) => insertFifoQueue(store, name, now);
      const source = fifoQueue("orders.fifo");
      const dlq = fifoQueue("orders-dlq.fifo");
      const models = new Map<number, Map<number, Row>>([
        [source, new Map()],
        [dlq, new Map()],
      ]);
      const rows = (queueId: number) => [...(models.get(queueId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
      const held: Array<{ queueId: number; seq: number; token: number }> = [];
      const maxReceiveCount = 3;
      let sent = 0;

      const send = (count: number) => {
        const entries = Array.from({ length: count }, () => {
          const n = sent++;
          const visibleAt = rand() < 0.1 ? now + pick([500, 2000]) : now;
          const expiresAt = now + (rand() < 0.05 ? 1500 : 3_600_000);
          const message = groupMessage(n, `g${Math.floor(rand() * groups)}`, { now, visibleAt, expiresAt });
          return { queueId: source, message };
        });
        for (const m of store.enqueue(entries)) {
          models.get(source)?.set(m.seq, {
            seq: m.seq,
            group_id: m.groupId ?? "",
            visible_at: m.visibleAt,
            receive_count: 0,
            expires_at: m.expiresAt,
          });
        }
      };

      const receive = (queueId: number) => {
        const model = models.get(queueId) ?? new Map<number, Row>();
        const max = 1 + Math.floor(rand() * 10);
        const visibleAt = now + pick([0, 1000, 5000, 30_000]);
        const redrive = queueId === source;
        // Expired candidates are dropped and over-received ones moved, and neither takes a slot.
        const want: number[] = [];
        const moved: Row[] = [];
        for (const seq of expectedFifoCandidates(rows(queueId), now, Number.MAX_SAFE_INTEGER)) {
          const row = model.get(seq);
          if (!row) continue;
          if (row.expires_at <= now) model.delete(seq);
          else if (redrive && row.receive_count + 1 > maxReceiveCount) moved.push(row);
          else want.push(seq);
          if (want.length === max) break;
        }
        const result = store.receive({
          queueId,
          now,
          max,
          visibleAt,
          fifo: true,
          redrive: redrive
            ? { maxReceiveCount, deadLetterQueueId: dlq, sourceArn: "arn", deadLetterRetentionMs: 3_600_000 }
            : undefined,
        });
        assert.deepEqual(
          result.messages.map((m) => m.seq),
          want,
        );
        assert.equal(result.movedToDeadLetter, moved.length);
        for (const row of moved) {
          model.delete(row.seq);
          models.get(dlq)?.set(row.seq, { ...row, visible_at: now, expires_at: now + 3_600_000 });
        }
        for (const m of result.messages) {
          const row = model.get(m.seq);
          if (row) Object.assign(row, { visible_at: visibleAt, receive_count: row.receive_count + 1 });
          held.push({ queueId, seq: m.seq, token: m.receiptToken });
        }
      };

      for (let step = 0; step < 600; step++) {
        const action = rand();
        if (action < 0.2) send(1 + Math.floor(rand() * 10));
        else if (action < 0.5) receive(source);
        else if (action < 0.6) receive(dlq);
        else if (action < 0.72) {
          // Deletes in any order, not only from a group's front.
          for (let i = held.length - 1; i >= 0; i--) {
            if (rand() < 0.5) continue;
            const h = held[i];
            if (store.deleteMessage(h.queueId, h.seq, h.token, now, false) === "deleted") models.get(h.queueId)?.delete(h.seq);
            held.splice(i, 1);
          }
        } else if (action < 0.8 && held.length > 0) {
          const h = pick(held);
          const visibleAt = now + pick([0, 2000]);
          if (store.changeVisibility(h.queueId, h.seq, h.token, now, visibleAt, 43_200_000) === "changed") {
            const row = models.get(h.queueId)?.get(h.seq);
            if (row) row.visible_at = visibleAt;
          }
        } else if (action < 0.86) {
          // A redrive back to the source: the moved messages keep their seq, so they land among newer ones.
          for (const m of store.messagesToMove(dlq, Number.MAX_SAFE_INTEGER, 1 + Math.floor(rand() * 5), now)) {
            store.relocate(m.seq, source, now, now + 3_600_000);
            const row = models.get(dlq)?.get(m.seq);
            models.get(dlq)?.delete(m.seq);
            if (row) {
              models.get(source)?.set(m.seq, { ...row, visible_at: now, receive_count: 0, expires_at: now + 3_600_000 });
            }
          }
        } else if (action < 0.97) {
          now += Math.floor(rand() * 2500);
        } else {
          store.deleteExpired(now);
          for (const model of models.values()) {
            for (const [seq, row] of model) if (row.expires_at <= now) model.delete(seq);
          }
        }
        for (const queueId of [source, dlq]) {
          const counts = store.counts(queueId, now);
          const live = rows(queueId).filter((r) => r.expires_at > now);
          assert.equal(counts.visible + counts.inFlight + counts.delayed, live.length, `count at step ${step}`);
        }
      }
    });
  });
}
