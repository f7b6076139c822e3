/**
 * `sluice start` as a real child process: readiness, the endpoint log line, graceful shutdown on SIGTERM and
 * SIGINT with a parked long-poll and a half-sent request in flight, and the settings from flags and env.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sqsClient, sqsSdk } from "../helpers/clients.js";
import { halfSentRequest } from "../helpers/half-sent.js";
import { freePort, spawnBroker, type BrokerProcess } from "../helpers/process.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
const sdk = sqsSdk("json");

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "sluice-cli-"));
}

async function health(endpoint: string): Promise<number> {
  const response = await fetch(`${endpoint}/health`);
  await response.arrayBuffer();
  return response.status;
}

/** Whether a new TCP connection is refused (fetch fails with ECONNREFUSED). */
async function refusesConnections(endpoint: string): Promise<boolean> {
  try {
    await health(endpoint);
    return false;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code === "ECONNREFUSED";
  }
}

describe("sluice start (child process)", () => {
  test("announces its endpoint in exactly one log line, and /health answers 200 by then", async () => {
    const dir = tempDir();
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--port", "0", "--data-dir", dir]);
      // No retry loop: the line must not be printed before requests are accepted.
      assert.equal(await health(broker.endpoint), 200);
      const body = (await (await fetch(`${broker.endpoint}/health`)).json()) as unknown;
      assert.deepEqual(body, { status: "ok" });
      assert.match(broker.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      const exit = await broker.stop("SIGTERM");
      assert.deepEqual(exit, { code: 0, signal: null });
      const mentions = broker.stdout().split("\n").filter((line) => line.includes(broker?.endpoint ?? "?"));
      assert.equal(mentions.length, 1, `stdout:\n${broker.stdout()}`);
      assert.match(mentions[0], /listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.equal(broker.stderr(), "");
    } finally {
      await broker?.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal}: stops accepting, answers parked long-polls empty, finishes in-flight requests, exits 0`, async () => {
      const dir = tempDir();
      let broker: BrokerProcess | undefined;
      let restarted: BrokerProcess | undefined;
      try {
        broker = await spawnBroker(["--port", "0", "--data-dir", dir]);
        const admin = sqsClient(broker.endpoint);
        const { QueueUrl } = await admin.send(new sdk.CreateQueueCommand({ QueueName: "shutdown" }));
        assert.ok(QueueUrl);
        admin.destroy();

        const poller = sqsClient(broker.endpoint);
        const parkedAt = Date.now();
        const parked = poller.send(new sdk.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
        const inFlight = await halfSentRequest(broker.endpoint, "SendMessage", { QueueUrl, MessageBody: `sent across ${signal}` });
        await sleep(300);

        const signalledAt = Date.now();
        broker.child.kill(signal);
        const empty = await parked;
        const answeredAfter = Date.now() - signalledAt;
        poller.destroy();
        assert.equal(empty.Messages, undefined);
        assert.ok(answeredAfter < 3_000, `parked receive answered ${answeredAfter} ms after ${signal}`);
        assert.ok(Date.now() - parkedAt < 10_000, "the long-poll ran to its deadline instead of being released");

        // The half-sent request keeps the process alive, yet the listening socket is already gone.
        assert.equal(broker.child.exitCode, null, "exited before finishing the in-flight request");
        assert.equal(await refusesConnections(broker.endpoint), true, "still accepting connections after the signal");

        const sent = await inFlight.finish();
        assert.equal(sent.status, 200, JSON.stringify(sent.body));
        assert.equal(typeof sent.body.MessageId, "string");

        const exit = await broker.exited;
        assert.deepEqual(exit, { code: 0, signal: null }, `stderr: ${broker.stderr()}`);
        assert.match(broker.stdout(), new RegExp(`${signal} received, shutting down`));
        assert.equal(broker.stderr(), "");
        // A clean close checkpoints the WAL into the database and removes it.
        const wal = join(dir, "sluice.db-wal");
        assert.ok(!existsSync(wal) || statSync(wal).size === 0, "WAL left behind: the store was not closed");

        // What the in-flight request acknowledged was committed.
        restarted = await spawnBroker(["--port", "0", "--data-dir", dir]);
        const reader = sqsClient(restarted.endpoint);
        const got = await reader.send(new sdk.ReceiveMessageCommand({ QueueUrl: `${restarted.endpoint}/000000000000/shutdown` }));
        reader.destroy();
        assert.equal(got.Messages?.length, 1);
        assert.equal(got.Messages?.[0]?.MessageId, sent.body.MessageId);
        assert.equal(got.Messages?.[0]?.Body, `sent across ${signal}`);
      } finally {
        await broker?.stop("SIGKILL");
        await restarted?.stop("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test("exits 0 promptly on SIGTERM while clients hold idle keep-alive connections", async () => {
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--port", "0", "--memory"]);
      const client = sqsClient(broker.endpoint);
      await client.send(new sdk.ListQueuesCommand({}));
      const signalledAt = Date.now();
      const exit = await broker.stop("SIGTERM");
      client.destroy();
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(Date.now() - signalledAt < 3_000, "an idle keep-alive connection delayed the exit");
    } finally {
      await broker?.stop("SIGKILL");
    }
  });

  test("a client hanging up mid-request is no error: nothing is logged and the broker carries on", async () => {
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--port", "0", "--memory"]);
      const gone = await halfSentRequest(broker.endpoint, "ListQueues", {});
      gone.abort();
      assert.ok((await gone.outcome) instanceof Error);
      await sleep(200);
      assert.equal(await health(broker.endpoint), 200);
      assert.deepEqual(await broker.stop(), { code: 0, signal: null });
      assert.equal(broker.stderr(), "");
    } finally {
      await broker?.stop("SIGKILL");
    }
  });

  test("honours SLUICE_HOST, SLUICE_PORT and SLUICE_DATA_DIR", { skip: process.platform !== "linux" && "127.0.0.2 is loopback only on Linux" }, async () => {
    const dir = tempDir();
    let broker: BrokerProcess | undefined;
    let again: BrokerProcess | undefined;
    try {
      const port = await freePort("127.0.0.2");
      broker = await spawnBroker([], { env: { SLUICE_HOST: "127.0.0.2", SLUICE_PORT: String(port), SLUICE_DATA_DIR: dir } });
      assert.equal(broker.endpoint, `http://127.0.0.2:${port}`);
      assert.equal(await health(broker.endpoint), 200);
      assert.equal(await refusesConnections(`http://127.0.0.1:${port}`), true, "listening beyond SLUICE_HOST");
      const client = sqsClient(broker.endpoint);
      const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: "from-env" }));
      client.destroy();
      assert.equal(QueueUrl, `http://127.0.0.2:${port}/000000000000/from-env`);
      assert.deepEqual(await broker.stop(), { code: 0, signal: null });
      assert.ok(existsSync(join(dir, "sluice.db")), "SLUICE_DATA_DIR was not used");

      // The data is the directory's: a broker started with --data-dir on it sees the queue.
      again = await spawnBroker(["--port", "0", "--data-dir", dir]);
      const reader = sqsClient(again.endpoint);
      const list = await reader.send(new sdk.ListQueuesCommand({}));
      reader.destroy();
      assert.deepEqual(list.QueueUrls, [`${again.endpoint}/000000000000/from-env`]);
    } finally {
      await broker?.stop("SIGKILL");
      await again?.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("flags take precedence over environment variables", async () => {
    const dir = tempDir();
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--host", "127.0.0.1", "--port", "0", "--data-dir", dir], {
        env: { SLUICE_HOST: "192.0.2.1", SLUICE_PORT: "not-a-port", SLUICE_DATA_DIR: "/nonexistent/sluice-should-not-be-used" },
      });
      assert.match(broker.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(broker.stdout(), new RegExp(`data in ${dir}`));
      assert.deepEqual(await broker.stop(), { code: 0, signal: null });
      assert.ok(existsSync(join(dir, "sluice.db")));
    } finally {
      await broker?.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("keeps durable data in ./.sluice of the working directory by default", async () => {
    const cwd = tempDir();
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--port", "0"], { cwd });
      assert.match(broker.stdout(), /data in .*\.sluice/);
      assert.deepEqual(await broker.stop(), { code: 0, signal: null });
      assert.ok(existsSync(join(cwd, ".sluice", "sluice.db")));
    } finally {
      await broker?.stop("SIGKILL");
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test("--memory keeps nothing across a restart and writes no data directory", async () => {
    const cwd = tempDir();
    let broker: BrokerProcess | undefined;
    try {
      for (const round of [1, 2]) {
        broker = await spawnBroker(["--port", "0", "--memory"], { cwd });
        assert.match(broker.stdout(), /\(in memory\)/);
        const client = sqsClient(broker.endpoint);
        const list = await client.send(new sdk.ListQueuesCommand({}));
        assert.equal(list.QueueUrls, undefined, `round ${round} found queues`);
        await client.send(new sdk.CreateQueueCommand({ QueueName: "ephemeral" }));
        client.destroy();
        assert.deepEqual(await broker.stop(), { code: 0, signal: null });
      }
      assert.ok(!existsSync(join(cwd, ".sluice")));
    } finally {
      await broker?.stop("SIGKILL");
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test("listens on 127.0.0.1:4566 by default", async (t) => {
    if (!(await refusesConnections("http://127.0.0.1:4566"))) {
      t.skip("skipped: port 4566 is taken by another process on this machine");
      return;
    }
    let broker: BrokerProcess | undefined;
    try {
      broker = await spawnBroker(["--memory"]);
      assert.equal(broker.endpoint, "http://127.0.0.1:4566");
      assert.match(broker.stdout(), /in memory/);
      assert.equal(await health(broker.endpoint), 200);
    } finally {
      await broker?.stop();
    }
  });

  test("npm start -- FLAGS runs the broker, and Ctrl-C (SIGINT to the process group) stops it cleanly", async () => {
    const dir = tempDir();
    let broker: BrokerProcess | undefined;
    try {
      // Flags after `--` reach the broker; the environment does too.
      broker = await spawnBroker(["--", "--port", "0"], {
        command: { file: "npm", args: ["start", "--silent"] },
        env: { SLUICE_PORT: "1", SLUICE_DATA_DIR: dir },
        detached: true,
      });
      assert.equal(await health(broker.endpoint), 200);
      const exit = await broker.stop("SIGINT");
      // npm re-raises the signal its script got (shell convention); the broker itself must end cleanly.
      assert.ok(exit.code === 0 || exit.signal === "SIGINT", `npm start ended with ${JSON.stringify(exit)}; stderr: ${broker.stderr()}`);
      await broker.outputClosed;
      assert.match(broker.stdout(), /SIGINT received, shutting down/);
      assert.equal(await refusesConnections(broker.endpoint), true);
      const wal = join(dir, "sluice.db-wal");
      assert.ok(!existsSync(wal) || statSync(wal).size === 0, "WAL left behind: the store was not closed");
      assert.ok(existsSync(join(dir, "sluice.db")));
    } finally {
      await broker?.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
