import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/sluice.js", import.meta.url));

export interface ChildBroker {
  endpoint: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, as a crash: nothing gets to clean up. */
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Runs `sluice start` as a separate process and waits until /health answers. */
export async function spawnBroker(options: { dataDir?: string; memory?: boolean; port?: number } = {}): Promise<ChildBroker> {
  const port = options.port ?? (await freePort());
  const args = [BIN, "start", "--host", "127.0.0.1", "--port", String(port)];
  if (options.memory) args.push("--memory");
  else if (options.dataDir) args.push("--data-dir", options.dataDir);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`broker exited early (${child.exitCode}): ${text}`);
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`broker did not become healthy: ${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    endpoint,
    port,
    child,
    output: () => text,
    kill9: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
    stop: async () => {
      child.kill("SIGTERM");
      return exited(child);
    },
  };
}
