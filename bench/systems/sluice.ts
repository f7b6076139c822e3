// Sluice itself, through its own CLI exactly as a user starts it. It relies on nothing but `sluice start`
// and GET /health: a CLI that is missing or broken shows up as 'failed to start' with the CLI's own error.
import { mkdtempSync } from "node:fs";
import path from "node:path";
import type { RunningSystem, SystemDef } from "../types.js";
import { repoRoot } from "./paths.js";
import { freePort, startProcess } from "./process.js";

/** Sluice started from the checkout at `root` (this one unless a probe compares another). */
export function sluiceSystem(name: string, label: string, memory: boolean, root = repoRoot): SystemDef {
  return {
    name,
    label,
    protocol: "json",
    supportsSns: true,
    supportsFifo: true,
    durable: !memory,
    peer: false,
    async start({ readyTimeoutMs, workDir }) {
      const port = await freePort();
      const endpoint = `http://127.0.0.1:${port}`;
      // The CLI treats --memory and --data-dir as exclusive.
      const storage = memory ? ["--memory"] : ["--data-dir", mkdtempSync(path.join(workDir, `${name}-data-`))];
      const bin = path.join(root, "bin", "sluice.js");
      const args = [bin, "start", "--host", "127.0.0.1", "--port", String(port), ...storage];
      // Same port and data dir on restart: a durable broker must come back with its backlog.
      const launch = async (): Promise<RunningSystem> => {
        const running = await startProcess({
          command: process.execPath,
          args,
          cwd: root,
          logFile: path.join(workDir, `${name}.log`),
          readyUrl: `${endpoint}/health`,
          readyTimeoutMs,
          endpoint,
        });
        if (memory) return running;
        return {
          ...running,
          async restart() {
            await running.stop();
            return launch();
          },
        };
      };
      return launch();
    },
  };
}

export const sluice = sluiceSystem("sluice", "Sluice (SQLite)", false);
export const sluiceMemory = sluiceSystem("sluice-memory", "Sluice --memory", true);
