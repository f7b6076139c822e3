import type { DedupEntry } from "./types.js";

/**
 * FIFO deduplication entries of queues or topics in memory. The map keeps the order entries were recorded
 * in (a re-recorded id moves to the end), and the window being fixed, that is the order they expire in: a
 * sweep drops expired entries from the front and stops at the first live one.
 */
export class MemoryDedup {
  private readonly entries = new Map<string, { entry: DedupEntry; expiresAt: number }>();

  find(ownerId: number, key: string, now: number): DedupEntry | undefined {
    const found = this.entries.get(`${ownerId}\u0000${key}`);
    return found && found.expiresAt > now ? { ...found.entry } : undefined;
  }

  record(ownerId: number, key: string, entry: DedupEntry, expiresAt: number): void {
    const mapKey = `${ownerId}\u0000${key}`;
    this.entries.delete(mapKey);
    this.entries.set(mapKey, { entry: { ...entry }, expiresAt });
  }

  /** A clock set back can leave a later entry expiring first; it waits for a later sweep (`find` checks). */
  sweep(now: number): void {
    for (const [mapKey, { expiresAt }] of this.entries) {
      if (expiresAt > now) break;
      this.entries.delete(mapKey);
    }
  }

  /** The queue (topic) is gone; its id may be given to one created later, which must not inherit its entries. */
  forget(ownerId: number): void {
    const prefix = `${ownerId}\u0000`;
    for (const mapKey of this.entries.keys()) if (mapKey.startsWith(prefix)) this.entries.delete(mapKey);
  }

  /** How many entries are held, for tests of the sweep. */
  get size(): number {
    return this.entries.size;
  }
}
