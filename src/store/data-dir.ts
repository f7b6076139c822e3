import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** The deepest part of `path` that exists (the root always does). */
function nearestExisting(path: string): string {
  let current = path;
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * Creates the data directory if needed and makes sure it can be written. The reasons are worked out here
 * because the raw ones mislead: a recursive mkdir on a read-only file system reports ENOENT, and SQLite
 * says only "unable to open database file".
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const existing = nearestExisting(dir);
    let reason = code(error);
    if (!statSync(existing).isDirectory()) reason = `${existing} is a file, not a directory`;
    else {
      try {
        accessSync(existing, constants.W_OK);
      } catch (denied) {
        reason = `${existing} is not writable (${code(denied)})`;
      }
    }
    throw new Error(`cannot create data directory ${dir}: ${reason}`);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new Error(`data directory ${dir} is not writable (${code(error)})`);
  }
}
