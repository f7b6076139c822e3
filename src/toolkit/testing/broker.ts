import { connectBus, type Bus, type BusOptions } from "../bus.js";

/** A broker running for a test: where to reach it and how to stop it. */
export interface TestBroker {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export type StartBroker = () => Promise<TestBroker>;

export interface InProcessBrokerOptions {
  /** Memory store (default) or SQLite in `dataDir`. */
  readonly memory?: boolean;
  readonly dataDir?: string;
}

interface BrokerModule {
  startBroker(options: { host?: string; port?: number; dataDir?: string; memory?: boolean; quiet?: boolean }): Promise<TestBroker>;
}

function isBrokerModule(value: unknown): value is BrokerModule {
  return typeof value === "object" && value !== null && typeof (value as { startBroker?: unknown }).startBroker === "function";
}

/**
 * Starts Sluice's own broker inside the test process, on a free port. The broker is loaded on
 * demand, so the toolkit proper never depends on it and keeps running against AWS.
 */
export async function startInProcessBroker(options: InProcessBrokerOptions = {}): Promise<TestBroker> {
  // A computed specifier: the toolkit must typecheck and load even where the broker is absent.
  const specifier = "../../server/broker.js";
  const loaded: unknown = await import(specifier);
  if (!isBrokerModule(loaded)) throw new Error(`${specifier} does not export startBroker()`);
  const memory = options.memory ?? options.dataDir === undefined;
  return loaded.startBroker({ host: "127.0.0.1", port: 0, memory, ...(options.dataDir ? { dataDir: options.dataDir } : {}), quiet: true });
}

/** Bus options for tests: the broker's endpoint, dummy credentials, no logs, no signal handling, short polls. */
export function testBusOptions(broker: { readonly endpoint: string }): Pick<
  BusOptions,
  "endpoint" | "region" | "credentials" | "logger" | "shutdownSignals" | "drainTimeoutSeconds" | "consumerDefaults"
> {
  return {
    endpoint: broker.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    logger: "silent",
    shutdownSignals: false,
    drainTimeoutSeconds: 10,
    // Short polls: stop() waits for polls in progress, and tests stop buses often.
    consumerDefaults: { waitTimeSeconds: 1 },
  };
}

/** connectBus() pointed at a test broker; anything in `options` wins over the test defaults. */
export function connectTestBus(broker: { readonly endpoint: string }, options: BusOptions): Promise<Bus> {
  return connectBus({ ...testBusOptions(broker), ...options });
}
