import type { NewMessage, Store } from "../../src/store/types.js";

/** A message as the FIFO reference sees it. */
export interface FifoRow {
  seq: number;
  group_id: string;
  visible_at: number;
  receive_count: number;
}

/** FIFO eligibility as SQS defines it, computed over every row (in seq order): what each store must match. */
export function expectedFifoCandidates(rows: readonly FifoRow[], now: number, limit: number): number[] {
  const locked = new Set(rows.filter((r) => r.visible_at > now && r.receive_count > 0).map((r) => r.group_id));
  const delayedAhead = new Set<string>();
  const out: number[] = [];
  for (const r of rows) {
    if (r.visible_at > now) {
      delayedAhead.add(r.group_id);
      continue;
    }
    if (locked.has(r.group_id) || delayedAhead.has(r.group_id)) continue;
    out.push(r.seq);
    if (out.length === limit) break;
  }
  return out;
}

/** A small seeded generator, so a failure replays. */
export function seededRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Creates a FIFO queue directly in a store, as the core would. */
export function insertFifoQueue(store: Pick<Store, "insertQueue">, name: string, now: number): number {
  return store.insertQueue({
    region: "us-east-1",
    accountId: "000000000000",
    name,
    fifo: true,
    attributes: {},
    tags: {},
    createdAt: now,
    lastModifiedAt: now,
  });
}

/** The n-th test message of a group; only what FIFO ordering reads is meaningful. */
export function groupMessage(n: number, groupId: string, at: { now: number; visibleAt: number; expiresAt: number }): NewMessage {
  return {
    messageId: `m${n}`,
    body: `b${n}`,
    md5OfBody: "",
    senderId: "s",
    sentAt: at.now,
    visibleAt: at.visibleAt,
    expiresAt: at.expiresAt,
    groupId,
  };
}
