import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../src/core/clock.js";
import { callerFromAccessKey, type Caller } from "../../src/core/identity.js";
import type { Queue } from "../../src/core/sqs/queue.js";
import { SqsService } from "../../src/core/sqs/sqs-service.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/types.js";
import type { StoreKind } from "./broker.js";

export interface CoreFixture {
  clock: FakeClock;
  store: Store;
  sqs: SqsService;
  caller: Caller;
  queue(name: string, attributes?: Record<string, string>): Queue;
  /** Closes the service and store and opens them again on the same data (sqlite) to check durability. */
  reopen(): CoreFixture;
  close(): void;
}

/** The SQS core on a fake clock over the chosen store, with no HTTP in between. */
export function coreFixture(kind: StoreKind, existing?: { dir: string; clock: FakeClock }): CoreFixture {
  const clock = existing?.clock ?? new FakeClock();
  const dir = kind === "sqlite" ? (existing?.dir ?? mkdtempSync(join(tmpdir(), "sluice-core-"))) : "";
  const store: Store = kind === "sqlite" ? new SqliteStore(dir) : new MemoryStore();
  const sqs = new SqsService(store, clock);
  const caller = callerFromAccessKey("test", "us-east-1");
  const fixture: CoreFixture = {
    clock,
    store,
    sqs,
    caller,
    queue: (name, attributes = {}) => sqs.createQueue(caller, name, attributes),
    reopen: () => {
      if (kind !== "sqlite") throw new Error("only a sqlite store can be reopened");
      sqs.close();
      store.close();
      return coreFixture(kind, { dir, clock });
    },
    close: () => {
      sqs.close();
      store.close();
      if (dir && !existing) rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
