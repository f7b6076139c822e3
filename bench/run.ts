// `npm run bench [-- --quick] [--systems a,b] [--workloads x,y] [--json path]`
//
// Starts each system on loopback, one at a time so they never compete for the CPU, runs every workload
// against it through real AWS SDK clients, then prints one table, the targets, and writes the JSON.
// A system that fails to start or to run a workload is reported as such; the run still exits 0.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fullBudget, quickBudget, readyTimeoutMs } from "./config.js";
import { isAlive } from "./proc.js";
import { renderFootnotes, renderTable, renderTargets, writeJson } from "./report.js";
import { allSystems } from "./systems/index.js";
import { benchDir } from "./systems/paths.js";
import { noop } from "./systems/noop.js";
import { killAllStarted } from "./systems/process.js";
import { evaluateTargets } from "./targets.js";
import type { Budget, Outcome, RunResults, RunningSystem, SystemDef, SystemRecord, WorkloadDef } from "./types.js";
import { warmHarness } from "./warmup.js";
import { allWorkloads } from "./workloads/index.js";
import { errorText, manyListeners, now } from "./util.js";

const USAGE = `usage: npm run bench -- [--quick] [--systems ${allSystems.map((s) => s.name).join(",")}]
                       [--workloads ${allWorkloads.map((w) => w.name).join(",")}] [--json path]`;

function pick<T extends { name: string }>(all: readonly T[], list: string | undefined, what: string): T[] {
  if (!list) return [...all];
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !all.some((x) => x.name === n));
  if (unknown.length > 0) {
    console.error(`unknown ${what}: ${unknown.join(", ")}\n${USAGE}`);
    process.exit(2);
  }
  // Keep the canonical order whatever order they were given in.
  return all.filter((x) => names.includes(x.name));
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/** The paired ceiling keeps its log apart from the ceiling's own run. */
function pairedDir(workDir: string): string {
  const dir = path.join(workDir, "paired");
  mkdirSync(dir, { recursive: true });
  return dir;
}

let prefixCounter = 0;
const runTag = Date.now().toString(36);

async function runWorkload(
  wl: WorkloadDef,
  system: SystemDef,
  holder: { running: RunningSystem },
  budget: Budget,
  workDir: string,
): Promise<Outcome> {
  const t0 = now();
  const limit = wl.hardLimitMs(budget);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${limit / 1000} s`)), limit);
  // A workload stuck on a call that ignores the signal must not stall the whole run: stop waiting for it
  // (the broker is stopped next, which fails whatever it still has in flight).
  const gaveUp = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  gaveUp.catch(() => undefined);
  try {
    const work = wl.run({
      system,
      running: holder.running,
      replaceRunning: (next) => {
        holder.running = next;
      },
      budget,
      signal: manyListeners(controller.signal),
      prefix: `sb${runTag}${(prefixCounter += 1)}`,
      startCeiling: () => noop.start({ readyTimeoutMs: readyTimeoutMs(budget), workDir: pairedDir(workDir) }),
    });
    work.catch(() => undefined);
    const out = await Promise.race([work, gaveUp]);
    return { status: "ok", metrics: out.metrics, notes: out.notes, durationMs: now() - t0 };
  } catch (err) {
    const timedOut = controller.signal.aborted;
    const died = !isAlive(holder.running.pid);
    return {
      status: timedOut ? "timeout" : "failed",
      error: died ? `server process exited (${errorText(err)})` : errorText(err),
      metrics: [],
      notes: [],
      durationMs: now() - t0,
    };
  } finally {
    clearTimeout(timer);
  }
}

async function runSystem(
  system: SystemDef,
  workloads: WorkloadDef[],
  budget: Budget,
  workDir: string,
): Promise<SystemRecord> {
  const rec: SystemRecord = {
    name: system.name,
    label: system.label,
    protocol: system.protocol,
    peer: system.peer,
    durable: system.durable,
    startupMs: null,
    outcomes: {},
  };
  let holder: { running: RunningSystem } | undefined;
  const stop = async (): Promise<void> => {
    if (holder) await holder.running.stop().catch(() => undefined);
    holder = undefined;
  };
  try {
    for (const wl of workloads) {
      const reason = wl.unsupported?.(system);
      if (reason) {
        rec.outcomes[wl.name] = { status: "unsupported", error: reason, metrics: [], notes: [], durationMs: 0 };
        continue;
      }
      if (budget.quick && system.slow && wl.heavy) {
        const error = "quick run: too slow a system for this workload";
        rec.outcomes[wl.name] = { status: "skipped", error, metrics: [], notes: [], durationMs: 0 };
        continue;
      }
      if (rec.startError) {
        rec.outcomes[wl.name] = { status: "failed", error: rec.startError, metrics: [], notes: [], durationMs: 0 };
        continue;
      }
      // A fresh broker per workload keeps one workload's leftovers out of the next one's numbers; the
      // quick run reuses it (startup is a good part of a smoke run) except where a workload needs one.
      if (holder && (!budget.quick || wl.wantsFreshProcess)) await stop();
      if (!holder) {
        try {
          const running = await system.start({ readyTimeoutMs: readyTimeoutMs(budget), workDir });
          holder = { running };
          rec.startupMs ??= running.startupMs;
        } catch (err) {
          const msg = errorText(err);
          if (rec.startupMs === null) {
            rec.startError = msg;
            log(`[${system.name}] ${msg}`);
          }
          rec.outcomes[wl.name] = { status: "failed", error: msg, metrics: [], notes: [], durationMs: 0 };
          continue;
        }
      }
      log(`[${system.name}] ${wl.name} ...`);
      const outcome = await runWorkload(wl, system, holder, budget, workDir);
      rec.outcomes[wl.name] = outcome;
      const why = outcome.error ? ` (${outcome.error})` : "";
      log(`[${system.name}] ${wl.name}: ${outcome.status}${why} in ${(outcome.durationMs / 1000).toFixed(1)} s`);
      // After a failure the broker's state is unknown; after a fill it is heavy. Start over either way.
      if (outcome.status !== "ok" || wl.wantsFreshProcess) await stop();
    }
  } finally {
    await stop();
  }
  return rec;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      systems: { type: "string" },
      workloads: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const budget = values.quick ? quickBudget : fullBudget;
  const systems = pick(allSystems, values.systems, "systems");
  const workloads = pick(allWorkloads, values.workloads, "workloads");
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const jsonPath = values.json ?? path.join(benchDir, "results", `${stamp}.json`);
  const workDir = mkdtempSync(path.join(os.tmpdir(), "sluice-bench-"));

  const cleanup = (): void => {
    killAllStarted();
    rmSync(workDir, { recursive: true, force: true });
  };
  process.on("exit", killAllStarted);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      log(`\n${sig}: stopping the systems`);
      cleanup();
      process.exit(130);
    });
  }

  log(
    `bench: ${values.quick ? "quick" : "full"} run, systems ${systems.map((s) => s.name).join(", ")}; ` +
      `workloads ${workloads.map((w) => w.name).join(", ")}`,
  );
  const t0 = now();
  const records: SystemRecord[] = [];
  try {
    const warmProblem = await warmHarness(budget, workDir);
    if (warmProblem) log(warmProblem);
    for (const system of systems) records.push(await runSystem(system, workloads, budget, workDir));
  } finally {
    cleanup();
  }

  const cpus = os.cpus();
  const results: RunResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: now() - t0,
    quick: budget.quick,
    argv: process.argv.slice(2),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? "unknown",
      memoryMB: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    budget,
    workloads: workloads.map((w) => ({ name: w.name, title: w.title })),
    systems: records,
  };
  const targets = evaluateTargets(results);
  const file = writeJson(jsonPath, results, targets);
  console.log("");
  console.log(renderTable(results));
  console.log("");
  console.log(renderFootnotes(results));
  console.log("");
  console.log(renderTargets(targets, budget.quick));
  console.log("");
  const kind = values.quick ? "Quick run (smoke sizes, not comparable to a full run)" : "Full run";
  console.log(`${kind} in ${(results.durationMs / 1000).toFixed(0)} s; JSON: ${file}`);
}

main().catch((err: unknown) => {
  killAllStarted();
  console.error(err);
  process.exit(1);
});
