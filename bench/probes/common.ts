// Shared by the probes: which Sluice to start, and a clean work directory removed at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sluice, sluiceMemory } from "../systems/sluice.js";
import type { RunningSystem } from "../types.js";

/** Starts Sluice (SQLite, or `--memory` when the probe is given `--memory`), runs `body`, stops it. */
export async function withSluice(body: (broker: RunningSystem, label: string) => Promise<void>): Promise<void> {
  const system = process.argv.includes("--memory") ? sluiceMemory : sluice;
  const workDir = mkdtempSync(path.join(tmpdir(), "sluice-probe-"));
  const broker = await system.start({ readyTimeoutMs: 30_000, workDir });
  try {
    await body(broker, system.label);
  } finally {
    await broker.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The value after `--name` on the command line, or the default. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The text after `--name` on the command line, or the default. */
export function stringArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
