import type { AddressInfo } from "node:net";
import { systemClock, type Clock } from "../core/clock.js";
import { SqsService } from "../core/sqs/sqs-service.js";
import { MemoryStore } from "../store/memory-store.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/types.js";
import { createBrokerServer } from "./http-server.js";

export interface BrokerOptions {
  host?: string;
  port?: number;
  /** Durable data directory (SQLite); ignored with `memory`. */
  dataDir?: string;
  memory?: boolean;
  quiet?: boolean;
  clock?: Clock;
  /** Refuse re-creating a queue within 60 s of deleting it, as AWS does. */
  deletedRecentlyRule?: boolean;
}

export interface RunningBroker {
  /** http://host:port */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {}

/** Opens the store, builds the services and listens; resolves once requests are accepted. */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const clock = options.clock ?? systemClock;
  const store: Store = options.memory ? new MemoryStore() : new SqliteStore(options.dataDir ?? ".sluice");
  const sqs = new SqsService(store, clock, { deletedRecentlyRule: options.deletedRecentlyRule ?? false });
  const server = createBrokerServer({ sqs });
  server.keepAliveTimeout = 65_000;

  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 4566, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    sqs.close();
    store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new PortInUseError(`port ${options.port ?? 4566} on ${host} is already in use`);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      server.close(() => {
        store.close();
        resolve();
      });
      // Parked long-polls answer empty now; idle keep-alive sockets close; busy ones finish first.
      sqs.close();
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      idle.unref();
      server.once("close", () => clearInterval(idle));
    });
    return stopping;
  };
  return { endpoint, port, stop };
}
