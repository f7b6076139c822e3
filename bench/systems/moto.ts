// moto's standalone server (Python, werkzeug), as installed on PATH. Its SQS work grows with the queue
// length (GetQueueAttributes on 600 messages takes ~80 ms), so it is marked slow.
import path from "node:path";
import type { SystemDef } from "../types.js";
import { freePort, startProcess } from "./process.js";

export const moto: SystemDef = {
  name: "moto",
  label: "moto",
  protocol: "json",
  supportsSns: true,
  supportsFifo: true,
  durable: false,
  peer: true,
  slow: true,
  async start({ readyTimeoutMs, workDir }) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    return startProcess({
      command: "moto_server",
      args: ["-H", "127.0.0.1", "-p", String(port)],
      logFile: path.join(workDir, "moto.log"),
      readyUrl: `${endpoint}/moto-api/`,
      readyTimeoutMs,
      endpoint,
    });
  },
};
