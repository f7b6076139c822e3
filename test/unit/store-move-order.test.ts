import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { MemoryStore } from "../../src/store/memory-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/types.js";
import { groupMessage, insertFifoQueue } from "../helpers/fifo-reference.js";

// Moves bring messages into a queue out of sequence order (they keep their seq); a FIFO queue's move task
// must still move them in sequence order, batch after batch, and stop only at its watermark.
for (const kind of ["memory", "sqlite"] as const) {
  test(`${kind} store: a FIFO queue's messages move in sequence order, whatever order they arrived in`, () => {
    const dir = kind === "sqlite" ? mkdtempSync(join(tmpdir(), "sluice-move-order-")) : "";
    const store: Store = kind === "sqlite" ? new SqliteStore(dir) : new MemoryStore();
    try {
      const now = Date.UTC(2026, 0, 1);
      const sources = [insertFifoQueue(store, "a.fifo", now), insertFifoQueue(store, "b.fifo", now)];
      const dlq = insertFifoQueue(store, "dlq.fifo", now);
      const at = { now, visibleAt: now, expiresAt: now + 3_600_000 };
      const seqs = sources.flatMap((queueId, q) =>
        store.enqueue([0, 1, 2].map((n) => ({ queueId, message: groupMessage(q * 3 + n, "g", at) }))).map((m) => m.seq),
      );
      for (const i of [4, 1, 5, 0, 3]) store.relocate(seqs[i], dlq, now, now + 3_600_000);
      const { upToSeq } = store.moveWatermark(dlq);
      const moved: number[] = [];
      for (;;) {
        const batch = store.messagesToMove(dlq, upToSeq, 2, now);
        if (batch.length === 0) break;
        for (const m of batch) {
          moved.push(m.seq);
          store.relocate(m.seq, sources[0], now, now + 3_600_000);
        }
      }
      assert.deepEqual(moved, [0, 1, 3, 4, 5].map((i) => seqs[i]));
    } finally {
      store.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
}
