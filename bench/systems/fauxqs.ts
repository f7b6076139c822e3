// fauxqs through its published CLI (`fauxqs`, dist/cli.js). Its CLI takes the port from FAUXQS_PORT and
// always binds 0.0.0.0 (it has no listen-address option); the harness only talks to it on loopback.
import path from "node:path";
import type { SystemDef } from "../types.js";
import { repoRoot } from "./paths.js";
import { freePort, startProcess } from "./process.js";

export const fauxqs: SystemDef = {
  name: "fauxqs",
  label: "fauxqs",
  protocol: "json",
  supportsSns: true,
  supportsFifo: true,
  durable: false,
  peer: true,
  async start({ readyTimeoutMs, workDir }) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    return startProcess({
      command: process.execPath,
      args: [path.join(repoRoot, "node_modules", "fauxqs", "dist", "cli.js")],
      // Per-request logging would be measured as broker cost; nobody benchmarks with it on.
      env: { FAUXQS_PORT: String(port), FAUXQS_LOGGER: "false" },
      cwd: repoRoot,
      logFile: path.join(workDir, "fauxqs.log"),
      readyUrl: `${endpoint}/health`,
      readyTimeoutMs,
      endpoint,
    });
  },
};
