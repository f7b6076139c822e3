/**
 * Durability under `kill -9`, and where a backlog lives. The broker runs as a child process on a SQLite data
 * directory; it is killed with SIGKILL (no handler, no close, no checkpoint) and restarted on the same files.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { sqsClient, sqsSdk } from "../helpers/clients.js";
import { residentBytes, spawnBroker, type BrokerProcess, type SpawnOptions } from "../helpers/process.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
const sdk = sqsSdk("json");
type Client = ReturnType<typeof sqsClient>;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sluice-crash-"));
}

/** Receives until the queue has nothing visible; the long visibility keeps each message out of later rounds. */
async function drain(client: Client, queueUrl: string): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (;;) {
    const out = await client.send(
      new sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return seen;
    for (const m of messages) {
      assert.ok(m.MessageId && m.Body !== undefined);
      assert.ok(!seen.has(m.MessageId), `message ${m.MessageId} delivered twice`);
      seen.set(m.MessageId, m.Body);
    }
  }
}

async function killHard(broker: BrokerProcess): Promise<void> {
  broker.child.kill("SIGKILL");
  assert.deepEqual(await broker.exited, { code: null, signal: "SIGKILL" });
}

describe("crash safety (kill -9)", () => {
  test("500 messages sent concurrently are all there after kill -9 right after the last 200", async () => {
    const dir = tempDir();
    let broker: BrokerProcess | undefined;
    let restarted: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--port", "0", "--data-dir", dir]);
      const client = sqsClient(broker.endpoint);
      const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: "crash" }));
      assert.ok(QueueUrl);

      const sent = new Map<string, string>();
      const singles = Array.from({ length: 250 }, async (_, i) => {
        const body = `single ${i} ${"s".repeat(i)}`;
        const out = await client.send(new sdk.SendMessageCommand({ QueueUrl, MessageBody: body }));
        assert.ok(out.MessageId);
        sent.set(out.MessageId, body);
      });
      const batches = Array.from({ length: 25 }, async (_, b) => {
        const entries = Array.from({ length: 10 }, (_, k) => ({ Id: `e${k}`, MessageBody: `batch ${b}.${k} ${"b".repeat(b * 10 + k)}` }));
        const out = await client.send(new sdk.SendMessageBatchCommand({ QueueUrl, Entries: entries }));
        assert.deepEqual(out.Failed ?? [], []);
        for (const ok of out.Successful ?? []) {
          const entry = entries.find((e) => e.Id === ok.Id);
          assert.ok(entry && ok.MessageId);
          sent.set(ok.MessageId, entry.MessageBody);
        }
      });
      await Promise.all([...singles, ...batches]);
      await killHard(broker);
      client.destroy();
      assert.equal(sent.size, 500);

      restarted = await spawnBroker(["--port", "0", "--data-dir", dir]);
      const reader = sqsClient(restarted.endpoint);
      const received = await drain(reader, `${restarted.endpoint}/000000000000/crash`);
      reader.destroy();
      assert.equal(received.size, 500);
      assert.deepEqual(new Map([...received].sort()), new Map([...sent].sort()));
    } finally {
      await broker?.stop("SIGKILL");
      await restarted?.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("kill -9 in the middle of a send storm: every acknowledged message survives, batches all or nothing", async () => {
    const dir = tempDir();
    let broker: BrokerProcess | undefined;
    let restarted: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--port", "0", "--data-dir", dir]);
      const live = broker;
      const client = sqsClient(broker.endpoint);
      const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: "storm" }));

      const acknowledged = new Map<string, string>();
      /** Every body ever put on the wire, by batch (a single send is a batch of one). */
      const attempted = new Map<string, string[]>();
      let acks = 0;
      let killed = false;
      const sender = async (worker: number): Promise<void> => {
        for (let round = 0; !killed; round++) {
          const key = `w${worker}r${round}`;
          const bodies = Array.from({ length: round % 2 === 0 ? 1 : 10 }, (_, k) => `${key}.${k}`);
          attempted.set(key, bodies);
          try {
            if (bodies.length === 1) {
              const out = await client.send(new sdk.SendMessageCommand({ QueueUrl, MessageBody: bodies[0] }));
              if (out.MessageId) acknowledged.set(out.MessageId, bodies[0]);
            } else {
              const entries = bodies.map((body, k) => ({ Id: `e${k}`, MessageBody: body }));
              const out = await client.send(new sdk.SendMessageBatchCommand({ QueueUrl, Entries: entries }));
              for (const ok of out.Successful ?? []) acknowledged.set(ok.MessageId ?? "", bodies[Number(ok.Id?.slice(1))]);
            }
          } catch {
            // Requests cut by the kill have no answer; they may or may not have been committed.
            return;
          }
          acks += 1;
          if (acks === 300 && !killed) {
            killed = true;
            live.child.kill("SIGKILL");
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, w) => sender(w)));
      assert.deepEqual(await live.exited, { code: null, signal: "SIGKILL" });
      client.destroy();
      assert.ok(acknowledged.size >= 300);

      restarted = await spawnBroker(["--port", "0", "--data-dir", dir]);
      const reader = sqsClient(restarted.endpoint);
      const received = await drain(reader, `${restarted.endpoint}/000000000000/storm`);
      reader.destroy();
      for (const [id, body] of acknowledged) assert.equal(received.get(id), body, `acknowledged message ${id} lost`);
      const bodies = new Set(received.values());
      assert.equal(bodies.size, received.size, "a body was stored twice");
      for (const [key, batch] of attempted) {
        const present = batch.filter((body) => bodies.has(body)).length;
        assert.ok(present === 0 || present === batch.length, `request ${key} is half committed (${present}/${batch.length})`);
      }
      const known = new Set([...attempted.values()].flat());
      for (const body of bodies) assert.ok(known.has(body), `unexpected body ${body}`);
    } finally {
      await broker?.stop("SIGKILL");
      await restarted?.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("backlog memory", () => {
  const COUNT = 20_000;
  const SIZE = 4096;
  const DATA = COUNT * SIZE;
  // Well below the 78 MiB of bodies: if the broker kept them on the JS heap it would die of heap exhaustion.
  const HEAP_MB = 40;
  const capped: SpawnOptions = { env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } };

  function bodyOf(i: number): string {
    return `${String(i).padStart(8, "0")}:${"m".repeat(SIZE - 9)}`;
  }

  test(`${COUNT} × 4 KiB bodies live in the store, not on the JS heap`, async (t) => {
    const dir = tempDir();
    const emptyDir = tempDir();
    const running: BrokerProcess[] = [];
    try {
      const broker = await spawnBroker(["--port", "0", "--data-dir", dir], capped);
      running.push(broker);
      const client = sqsClient(broker.endpoint);
      const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: "backlog" }));
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < COUNT) {
            const first = next;
            next += 10;
            const Entries = Array.from({ length: 10 }, (_, k) => ({ Id: `e${k}`, MessageBody: bodyOf(first + k) }));
            const out = await client.send(new sdk.SendMessageBatchCommand({ QueueUrl, Entries }));
            assert.equal(out.Successful?.length, 10);
          }
        }),
      );
      const attributes = await client.send(
        new sdk.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
      );
      client.destroy();
      assert.equal(attributes.Attributes?.ApproximateNumberOfMessages, String(COUNT));
      assert.equal(broker.child.exitCode, null, `broker died under a ${HEAP_MB} MiB heap: ${broker.stderr()}`);
      const rssLoaded = residentBytes(broker.pid);
      assert.deepEqual(await broker.stop(), { code: 0, signal: null });

      // A restarted broker on the full backlog costs about what one on an empty store does: nothing is
      // loaded up front, and receiving reads only what it returns.
      const empty = await spawnBroker(["--port", "0", "--data-dir", emptyDir], capped);
      running.push(empty);
      const loaded = await spawnBroker(["--port", "0", "--data-dir", dir], capped);
      running.push(loaded);
      const reader = sqsClient(loaded.endpoint);
      const queueUrl = `${loaded.endpoint}/000000000000/backlog`;
      const ids = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const out = await reader.send(new sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
        for (const m of out.Messages ?? []) {
          assert.match(m.Body ?? "", /^\d{8}:m+$/);
          assert.equal(m.Body, bodyOf(Number(m.Body?.slice(0, 8))));
          ids.add(m.MessageId ?? "");
        }
      }
      reader.destroy();
      assert.equal(ids.size, 100);
      const emptyClient = sqsClient(empty.endpoint);
      await emptyClient.send(new sdk.ListQueuesCommand({}));
      emptyClient.destroy();
      const rssEmpty = residentBytes(empty.pid);
      const rssRestarted = residentBytes(loaded.pid);
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
      const report = `data ${mib(DATA)}; RSS while sending ${mib(rssLoaded)}, restarted on the backlog ${mib(rssRestarted)}, on an empty store ${mib(rssEmpty)}`;
      t.diagnostic(report);
      assert.ok(rssRestarted - rssEmpty < DATA / 4, report);
    } finally {
      for (const broker of running) await broker.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
