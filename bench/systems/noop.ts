// The no-op ceiling: canned but valid replies from a separate process, so its CPU is measured the
// same way as a real broker's and the client side costs exactly what it costs against the others.
import path from "node:path";
import type { SystemDef } from "../types.js";
import { benchDir, repoRoot } from "./paths.js";
import { freePort, startProcess } from "./process.js";

/**
 * The V8 setting Sluice starts with (`bin/sluice.js`, kept equal by a test): it makes any Node server optimize its
 * hot code sooner, this one included (0.94× its CPU over the cpu workload's rounds), so the yardstick has it too.
 */
export const CEILING_V8_FLAGS = ["--interrupt-budget=16896"];

export const noop: SystemDef = {
  name: "noop",
  label: "no-op ceiling",
  protocol: "json",
  supportsSns: true,
  supportsFifo: true,
  durable: false,
  peer: false,
  async start({ readyTimeoutMs, workDir }) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    return startProcess({
      command: process.execPath,
      args: [
        ...CEILING_V8_FLAGS,
        "--import",
        "tsx",
        path.join(benchDir, "noop-server.ts"),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
      ],
      cwd: repoRoot,
      logFile: path.join(workDir, "noop.log"),
      readyUrl: `${endpoint}/health`,
      readyTimeoutMs,
      endpoint,
    });
  },
};
