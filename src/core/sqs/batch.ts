import { SqsError } from "../errors.js";

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export interface BatchFailure {
  Id: string;
  error: SqsError;
}

/** The checks every *Batch action makes before looking at any entry. */
export function validateBatch(entries: ReadonlyArray<{ Id?: string }> | undefined, entryName: string): void {
  if (!entries || entries.length === 0) {
    throw new SqsError("EmptyBatchRequest", `There should be at least one ${entryName} in the request.`);
  }
  if (entries.length > 10) {
    throw new SqsError(
      "TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id ?? "";
    if (!ENTRY_ID.test(id)) {
      throw new SqsError(
        "InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      );
    }
    if (seen.has(id)) throw new SqsError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`);
    seen.add(id);
  }
}

/** Runs `fn` per entry, collecting domain errors as per-entry failures. */
export function perEntry<E extends { Id?: string }, R>(
  entries: readonly E[],
  fn: (entry: E) => R,
): { successful: Array<{ entry: E; result: R }>; failed: BatchFailure[] } {
  const successful: Array<{ entry: E; result: R }> = [];
  const failed: BatchFailure[] = [];
  for (const entry of entries) {
    try {
      successful.push({ entry, result: fn(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      failed.push({ Id: entry.Id ?? "", error });
    }
  }
  return { successful, failed };
}
