// Where things live, independent of the directory the harness is started from.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const benchDir = path.join(repoRoot, "bench");
