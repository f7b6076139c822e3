import { randomUUID } from "node:crypto";
import type { ClaimResult, IdempotencyStore } from "./store.js";

interface Entry {
  state: "in-flight" | "completed";
  token: string;
  expiresAt: number;
}

/**
 * Per-process store: enough for one instance, or for tests. Several instances of a service need a
 * shared store (SQLite on a shared volume, Redis), or each would handle a duplicate once.
 */
export function memoryIdempotencyStore(options: { readonly now?: () => number } = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let claims = 0;

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  // Expired entries are only dropped when touched; an occasional sweep keeps the map bounded.
  const sweep = (): void => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
  };

  return {
    async claim(key, leaseMs): Promise<ClaimResult> {
      if (++claims % 1000 === 0) sweep();
      const entry = live(key);
      if (entry) return { status: entry.state };
      const token = randomUUID();
      entries.set(key, { state: "in-flight", token, expiresAt: now() + leaseMs });
      return { status: "acquired", token };
    },
    async extend(key, token, leaseMs) {
      const entry = live(key);
      if (entry?.state === "in-flight" && entry.token === token) entry.expiresAt = now() + leaseMs;
    },
    async complete(key, token, retainMs) {
      entries.set(key, { state: "completed", token, expiresAt: now() + retainMs });
    },
    async release(key, token) {
      const entry = live(key);
      if (entry?.state === "in-flight" && entry.token === token) entries.delete(key);
    },
    async close() {
      entries.clear();
    },
  };
}
