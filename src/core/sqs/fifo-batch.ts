import { formatSequenceNumber } from "./sending.js";

/** How one entry of a FIFO batch is answered. */
export type BatchOrigin<Stored> =
  | { kind: "new"; sequenceNumber: string }
  | { kind: "stored"; entry: Stored }
  /** Answered as the earlier entry `of` (same deduplication id) is. */
  | { kind: "repeat"; of: number };

/**
 * Sorts a FIFO batch (to a queue or a topic) by deduplication id. The first entry with an id still in its
 * window answers with what was stored for it; a later entry with the same id as an earlier one answers as
 * that one does; the rest are new and take consecutive sequence numbers from one reservation. An entry
 * without an id is new.
 */
export function sequenceBatch<Stored>(
  keys: ReadonlyArray<string | undefined>,
  find: (key: string) => Stored | undefined,
  reserve: (count: number) => bigint,
): Array<BatchOrigin<Stored>> {
  const firsts = new Map<string, number>();
  const known = keys.map((key, i): BatchOrigin<Stored> | undefined => {
    if (key === undefined) return undefined;
    const first = firsts.get(key);
    if (first !== undefined) return { kind: "repeat", of: first };
    firsts.set(key, i);
    const entry = find(key);
    return entry === undefined ? undefined : { kind: "stored", entry };
  });
  const fresh = known.filter((origin) => origin === undefined).length;
  let next = fresh > 0 ? reserve(fresh) : 0n;
  return known.map((origin) => {
    if (origin) return origin;
    const sequenceNumber = formatSequenceNumber(next);
    next += 1n;
    return { kind: "new", sequenceNumber };
  });
}
