import type { AddressInfo } from "node:net";
import { systemClock, type Clock } from "../core/clock.js";
import { SqsService } from "../core/sqs/sqs-service.js";
import { MemoryStore } from "../store/memory-store.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/types.js";
import { createBrokerServer } from "./http-server.js";
import { createSnsRuntime, SNS_API_VERSION, type SnsOptions } from "./sns-wiring.js";

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
  /** How long stop() lets unfinished requests run before it cuts their connections (default 10 s). */
  shutdownGraceMs?: number;
  /** SNS: public URL for links in delivered messages, SigningCertURL base, HTTP/S delivery limits. */
  sns?: SnsOptions;
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
  const sns = await createSnsRuntime(sqs, store, clock, options.dataDir ?? ".sluice", options.sns ?? {});
  const server = createBrokerServer({
    sqs,
    queryServices: new Map([[SNS_API_VERSION, sns.queryService]]),
    extraRoutes: sns.extraRoute,
    afterCommit: (fn) => store.afterCommit(fn),
  });
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
    await sns.worker.stop();
    store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new PortInUseError(`port ${options.port ?? 4566} on ${host} is already in use`);
    throw error;
  }
  sns.worker.start();
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      // HTTP/S deliveries in flight are aborted (they stay in the outbox) so the store can close.
      const deliveriesStopped = sns.worker.stop();
      server.close(() => {
        void deliveriesStopped.then(() => {
          store.close();
          resolve();
        });
      });
      // Parked long-polls answer empty now; idle keep-alive sockets close; busy ones finish first. A receive
      // that reaches the broker on a busy socket after this moment parks again, so the sweep releases it too.
      sqs.close();
      server.closeIdleConnections();
      const idle = setInterval(() => {
        server.closeIdleConnections();
        sqs.longPoll.releaseAll();
      }, 50);
      idle.unref();
      // A client that never finishes its request must not keep the broker from stopping.
      const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
      grace.unref();
      server.once("close", () => {
        clearInterval(idle);
        clearTimeout(grace);
      });
    });
    return stopping;
  };
  return { endpoint, port, stop };
}
