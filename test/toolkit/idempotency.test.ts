import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { requireOrSkip } from "../helpers/requirements.js";
import {
  defineEvent,
  memoryIdempotencyStore,
  redisIdempotencyStore,
  sqliteIdempotencyStore,
  uuidv7,
  type IdempotencyStore,
} from "../../src/toolkit/index.js";
import { spyOn } from "../../src/toolkit/testing/index.js";
import { startHarness, uniqueService, type Harness } from "./support.js";

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), "sluice-idempotency-"))));
after(async () => rm(dir, { recursive: true, force: true }));

async function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port: 6379 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => {
      socket.write("PING\r\n");
      socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    });
  });
}

/** The contract every store must meet, run against each implementation. */
function contract(name: string, open: () => Promise<IdempotencyStore>, skip: () => string | false = () => false): void {
  describe(`${name} idempotency store`, () => {
    it("claims, sees in-flight and completed keys, releases and expires leases", async (t) => {
      const reason = skip();
      if (reason && !requireOrSkip(t, false, reason)) return;
      const store = await open();
      try {
        const key = `k-${uuidv7()}`;
        const first = await store.claim(key, 10_000);
        assert.equal(first.status, "acquired");
        assert.deepEqual(await store.claim(key, 10_000), { status: "in-flight" });
        await store.release(key, "someone-else");
        assert.deepEqual(await store.claim(key, 10_000), { status: "in-flight" }, "a stranger's release is ignored");
        await store.release(key, first.status === "acquired" ? first.token : "");
        const second = await store.claim(key, 10_000);
        assert.equal(second.status, "acquired");
        await store.complete(key, second.status === "acquired" ? second.token : "", 60_000);
        assert.deepEqual(await store.claim(key, 10_000), { status: "completed" });

        const leased = `l-${uuidv7()}`;
        const lease = await store.claim(leased, 150);
        await store.extend(leased, lease.status === "acquired" ? lease.token : "", 600);
        await sleep(300);
        assert.deepEqual(await store.claim(leased, 150), { status: "in-flight" }, "extended lease still held");
        await sleep(500);
        assert.equal((await store.claim(leased, 150)).status, "acquired", "a crashed holder's lease runs out");
      } finally {
        await store.close();
      }
    });
  });
}

contract("memory", async () => memoryIdempotencyStore());
contract("sqlite", async () => sqliteIdempotencyStore({ path: join(dir, "contract.db") }));

let redisReason: string | false = "not checked yet";
before(async () => {
  redisReason = (await redisAnswers()) ? false : "no Redis server answers on 127.0.0.1:6379";
});
contract(
  "redis",
  async () => {
    const { Redis } = await import("ioredis");
    return redisIdempotencyStore({ client: new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: false }), keyPrefix: `sluice-test:${uuidv7()}:`, closeClient: true });
  },
  () => redisReason,
);

describe("sqlite idempotency store", () => {
  it("is shared by two processes' handles on the same file", async () => {
    const path = join(dir, "shared.db");
    const a = await sqliteIdempotencyStore({ path });
    const b = await sqliteIdempotencyStore({ path });
    try {
      const claim = await a.claim("shared", 10_000);
      assert.equal(claim.status, "acquired");
      assert.deepEqual(await b.claim("shared", 10_000), { status: "in-flight" });
      await a.complete("shared", claim.status === "acquired" ? claim.token : "", 10_000);
      assert.deepEqual(await b.claim("shared", 10_000), { status: "completed" });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("idempotent consumers", () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.close());

  it("share a SQLite store across two instances: a duplicate is handled once", async () => {
    const source = uniqueService("jobs");
    const Job = defineEvent("job.requested", { source, version: 1, context: "JOBS", schema: z.object({ n: z.number() }) });
    const service = uniqueService("workers");
    const publisher = await h.bus({ service: source });
    const path = join(dir, "consumers.db");
    const instances = [
      await h.bus({ service, idempotency: { store: await sqliteIdempotencyStore({ path }) } }),
      await h.bus({ service, idempotency: { store: await sqliteIdempotencyStore({ path }) } }),
    ];
    const spy = spyOn(...instances);
    const handled: string[] = [];
    for (const bus of instances) {
      bus.consume("job", { events: [Job], visibilityTimeout: 2 }, async (event) => {
        handled.push(event.eventId);
        await sleep(200);
      });
    }
    await Promise.all(instances.map((bus) => bus.start()));
    const eventId = uuidv7();
    for (let copy = 0; copy < 4; copy += 1) await publisher.publish(Job, { n: 1 }, { eventId });
    await spy.waitUntil((s) => s.handled().length + s.activities.filter((a) => a.type === "duplicate" && a.state === "completed").length === 4, {
      timeoutMs: 15_000,
    });
    assert.deepEqual(handled, [eventId]);
  });
});
