import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryDedup } from "../../src/store/memory-dedup.js";

// The in-memory stores held every FIFO deduplication id they were ever given; the sweep bounds them to the
// window.
describe("in-memory FIFO deduplication entries", () => {
  test("a sweep drops expired entries, keeps a re-recorded id, and stops at the first live entry", () => {
    const dedup = new MemoryDedup();
    dedup.record(1, "a", { messageId: "a1" }, 100);
    dedup.record(1, "b", { messageId: "b1" }, 110);
    dedup.record(2, "a", { messageId: "other-queue" }, 115);
    dedup.record(1, "a", { messageId: "a2" }, 120);
    dedup.sweep(110);
    assert.equal(dedup.size, 2);
    assert.deepEqual(dedup.find(1, "a", 110), { messageId: "a2" });
    assert.deepEqual(dedup.find(2, "a", 110), { messageId: "other-queue" });
    assert.equal(dedup.find(1, "b", 100), undefined);
    dedup.forget(2);
    assert.equal(dedup.find(2, "a", 110), undefined);
    dedup.sweep(120);
    assert.equal(dedup.size, 0);
  });

  test("find answers by the window even before a sweep", () => {
    const dedup = new MemoryDedup();
    dedup.record(1, "a", { messageId: "a1", sequenceNumber: "7" }, 100);
    assert.deepEqual(dedup.find(1, "a", 99), { messageId: "a1", sequenceNumber: "7" });
    assert.equal(dedup.find(1, "a", 100), undefined);
  });
});
