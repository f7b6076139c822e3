// Starting a broker as a child process: a free loopback port, a log file, a readiness probe, and a
// stop that always leaves nothing behind (each child leads its own process group, which is killed).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import type { RunningSystem } from "../types.js";
import { now, sleep } from "../util.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One HTTP GET; resolves with the status, or 0 when nothing answers. */
export function probe(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

// Every group we started, so an interrupted run still cleans up after itself.
const liveGroups = new Set<number>();

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

export function killAllStarted(): void {
  for (const pid of liveGroups) killGroup(pid, "SIGKILL");
  liveGroups.clear();
}

export interface SpawnSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  logFile: string;
  /** URL whose GET must answer with an accepted status for the system to count as ready. */
  readyUrl: string;
  readyStatus?: (status: number) => boolean;
  readyTimeoutMs: number;
  endpoint: string;
}

function logTail(file: string): string {
  try {
    const text = readFileSync(file, "utf8").trim();
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    return lines.slice(-3).join(" | ").slice(-400);
  } catch {
    return "";
  }
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startProcess(spec: SpawnSpec): Promise<RunningSystem> {
  const t0 = now();
  const fd = openSync(spec.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  let spawnError: Error | undefined;
  child.on("error", (err) => {
    spawnError = err;
  });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);

  let stopped: Promise<void> | undefined;
  const stopOnce = async (): Promise<void> => {
    if (pid === undefined) return;
    killGroup(pid, "SIGTERM");
    if (!(await waitExit(child, 10_000))) killGroup(pid, "SIGKILL");
    await waitExit(child, 2_000);
    // Reap stragglers that ignored SIGTERM while their leader exited.
    killGroup(pid, "SIGKILL");
    liveGroups.delete(pid);
  };
  // Once only: signalling a group id again later could reach an unrelated process that reused it.
  const stop = (): Promise<void> => (stopped ??= stopOnce());

  const accept = spec.readyStatus ?? ((s: number) => s === 200);
  const deadline = t0 + spec.readyTimeoutMs;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`failed to start: ${spawnError.message}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      const how = child.exitCode !== null ? `exit code ${child.exitCode}` : `signal ${child.signalCode}`;
      const tail = logTail(spec.logFile);
      throw new Error(`failed to start: exited with ${how}${tail ? `: ${tail}` : ""}`);
    }
    if (accept(await probe(spec.readyUrl))) break;
    if (now() > deadline) {
      await stop();
      const tail = logTail(spec.logFile);
      throw new Error(`failed to start: not ready after ${spec.readyTimeoutMs} ms${tail ? `: ${tail}` : ""}`);
    }
    await sleep(50);
  }
  if (pid === undefined) throw new Error("failed to start: no process id");
  return {
    endpoint: spec.endpoint,
    pid,
    startupMs: now() - t0,
    stop,
  };
}
