import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { PortInUseError, startBroker } from "../server/broker.js";
import { StoreOpenError } from "../store/sqlite-store.js";

export const START_USAGE = `Usage: sluice start [--host 127.0.0.1] [--port 4566] [--data-dir DIR | --memory]

  --host       address to listen on            (env SLUICE_HOST, default 127.0.0.1)
  --port       port to listen on               (env SLUICE_PORT, default 4566)
  --data-dir   directory of the durable store  (env SLUICE_DATA_DIR, default ./.sluice)
  --memory     keep everything in memory; nothing survives a restart`;

function fail(message: string): never {
  process.stderr.write(`sluice: ${message}\n`);
  process.exit(1);
}

export async function start(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "data-dir": { type: "string" },
        memory: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${START_USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${START_USAGE}\n`);
    return;
  }
  const host = values.host ?? process.env.SLUICE_HOST ?? "127.0.0.1";
  const portText = values.port ?? process.env.SLUICE_PORT ?? "4566";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port: ${portText}`);
  const memory = values.memory ?? false;
  if (memory && values["data-dir"]) fail("--memory and --data-dir exclude each other");
  const dataDir = resolve(values["data-dir"] ?? process.env.SLUICE_DATA_DIR ?? ".sluice");

  let broker;
  try {
    broker = await startBroker({ host, port, dataDir, memory });
  } catch (error) {
    if (error instanceof PortInUseError || error instanceof StoreOpenError) fail(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    fail(code ? `cannot listen on ${host}:${port}: ${code}` : (error as Error).message);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`sluice: ${signal} received, shutting down\n`);
    broker.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`),
    );
  };
  // Handlers go in before the announcement: whoever reads the line may signal at once, and without a
  // handler Node would die of the signal instead of shutting down.
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.stdout.write(`sluice: listening on ${broker.endpoint} (${memory ? "in memory" : `data in ${dataDir}`})\n`);
}
