import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBroker, type BrokerOptions, type RunningBroker } from "../../src/server/broker.js";

export type StoreKind = "memory" | "sqlite";
export const STORE_KINDS: StoreKind[] = ["memory", "sqlite"];

export interface TestBroker extends RunningBroker {
  dataDir?: string;
}

/** An in-process broker on a free port; sqlite brokers get a fresh temporary data directory unless given one. */
export async function startTestBroker(
  kind: StoreKind = "memory",
  dataDir?: string,
  options: Partial<BrokerOptions> = {},
): Promise<TestBroker> {
  const dir = kind === "sqlite" ? (dataDir ?? mkdtempSync(join(tmpdir(), "sluice-test-"))) : undefined;
  const broker = await startBroker({ port: 0, memory: kind === "memory", dataDir: dir, quiet: true, ...options });
  return {
    ...broker,
    dataDir: dir,
    stop: async () => {
      await broker.stop();
      if (dir && !dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
