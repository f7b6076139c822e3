// ElasticMQ 0.7.1, the jar shipped by the npm `elasticmq` package. It predates the SQS JSON protocol
// (Query only) and FIFO queues, and has no SNS.
import path from "node:path";
import type { SystemDef } from "../types.js";
import { repoRoot } from "./paths.js";
import { freePort, startProcess } from "./process.js";

export const elasticmq: SystemDef = {
  name: "elasticmq",
  label: "ElasticMQ 0.7.1",
  protocol: "query",
  supportsSns: false,
  supportsFifo: false,
  durable: false,
  peer: true,
  async start({ readyTimeoutMs, workDir }) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    return startProcess({
      command: "java",
      args: [
        // The bundled Akka/Scala 2.10 reflect into JDK internals that Java 17 closes by default.
        "--add-opens",
        "java.base/java.lang=ALL-UNNAMED",
        "--add-opens",
        "java.base/java.util.regex=ALL-UNNAMED",
        // System properties override the jar's application.conf (Typesafe config precedence).
        `-Drest-sqs.bind-port=${port}`,
        "-Drest-sqs.bind-hostname=127.0.0.1",
        `-Dnode-address.port=${port}`,
        "-Dnode-address.host=127.0.0.1",
        "-jar",
        path.join(repoRoot, "node_modules", "elasticmq", "elasticmq-server-0.7.1.jar"),
      ],
      logFile: path.join(workDir, "elasticmq.log"),
      readyUrl: `${endpoint}/?Action=ListQueues&Version=2012-11-05`,
      readyTimeoutMs,
      endpoint,
    });
  },
};
