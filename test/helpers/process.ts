import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SLUICE_BIN = join(REPO_ROOT, "bin", "sluice.js");

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BrokerProcess {
  child: ChildProcess;
  pid: number;
  /** The endpoint the broker announced (http://host:port). */
  endpoint: string;
  port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Resolves once every process holding the output pipes (wrappers' children too) has let go of them. */
  outputClosed: Promise<void>;
  /** Sends the signal (if still running) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Command to run instead of `node bin/sluice.js` (e.g. npm). */
  command?: { file: string; args: string[] };
  readyTimeoutMs?: number;
  /** Own process group, signalled as a whole (what a terminal's Ctrl-C does); for wrappers such as npm. */
  detached?: boolean;
}

export interface Finished {
  exit: Exit;
  stdout: string;
  stderr: string;
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The broker must take its settings from the test, not from whoever runs the suite.
  delete env.SLUICE_HOST;
  delete env.SLUICE_PORT;
  delete env.SLUICE_DATA_DIR;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function watchExit(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/** Runs `sluice start <args>` to completion (for start-up failures). */
export async function runSluice(args: string[], options: SpawnOptions = {}, timeoutMs = 15_000): Promise<Finished> {
  const child = spawn(process.execPath, [SLUICE_BIN, "start", ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const exit = await watchExit(child);
    await new Promise((resolve) => setImmediate(resolve));
    return { exit, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the broker as a child process and resolves once it has announced its endpoint. The caller must
 * stop() it in a finally block; a failed start kills the child before rejecting.
 */
export async function spawnBroker(args: string[], options: SpawnOptions = {}): Promise<BrokerProcess> {
  const command = options.command ?? { file: process.execPath, args: [SLUICE_BIN, "start"] };
  const child = spawn(command.file, [...command.args, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = watchExit(child);
  const outputClosed = Promise.all(
    [child.stdout, child.stderr].map((stream) => new Promise<void>((resolve) => stream?.once("close", () => resolve()))),
  ).then(() => undefined);

  const signal = (name: NodeJS.Signals): void => {
    if (options.detached && child.pid !== undefined) {
      try {
        process.kill(-child.pid, name);
      } catch {
        // The group is gone already.
      }
    } else if (child.exitCode === null && child.signalCode === null) {
      child.kill(name);
    }
  };
  const stop = async (name: NodeJS.Signals = "SIGTERM"): Promise<Exit> => {
    // A wrapper's group may outlive the wrapper, so a group is signalled even after the leader exited.
    if (options.detached || (child.exitCode === null && child.signalCode === null)) signal(name);
    const timer = setTimeout(() => signal("SIGKILL"), 20_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`broker did not announce an endpoint in time\nstdout: ${stdout}\nstderr: ${stderr}`)),
        options.readyTimeoutMs ?? 20_000,
      );
      child.stdout?.on("data", (chunk: string) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void exited.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`broker exited (${exit.code ?? exit.signal}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
      });
    });
    return {
      child,
      pid: child.pid ?? -1,
      endpoint,
      port: Number(new URL(endpoint).port),
      stdout: () => stdout,
      stderr: () => stderr,
      exited,
      outputClosed,
      stop,
    };
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
}

/** A port that was free a moment ago (for settings that cannot say "port 0", such as SLUICE_PORT checks). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Resident set size of a live process in bytes, from /proc (Linux). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Lines that look like a JavaScript stack frame; a user-facing error must contain none. */
export function stackFrames(text: string): string[] {
  return text.split("\n").filter((line) => /^\s+at\s/.test(line) || /node:internal|\.ts:\d+:\d+/.test(line));
}
