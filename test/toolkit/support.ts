/**
 * The single switch point for which broker the toolkit tests run against. Every toolkit test gets
 * its broker from startTestBroker() and from nowhere else.
 *
 *   SLUICE_TEST_BROKER=sluice-memory   (default) Sluice's broker in-process, memory store
 *   SLUICE_TEST_BROKER=sluice-sqlite   Sluice's broker in-process, SQLite in a temp directory
 *                                      (on-sqlite.test.ts runs every toolkit test this way too)
 *   SLUICE_TEST_BROKER=moto            moto_server in a child process, to check the toolkit against a
 *                                      second implementation of the AWS APIs
 *
 * Moto quirks worked around here or in the tests (none of them leak into the library):
 * - moto has one fixed account (123456789012); tests isolate themselves with unique service names
 *   rather than accounts, and each test file gets its own moto process.
 * - moto_server has no "port 0": a free port is found first and handed to it, and readiness is
 *   detected by polling its HTTP root, because it prints nothing machine-readable on start.
 * - moto keeps counting ApproximateReceiveCount after its redrive moves a message to the DLQ, so
 *   tests never assert the receive count seen in a DLQ.
 * - moto answers long polls by sleeping in a loop, so a receive returns up to ~10 ms after a send;
 *   timing assertions leave slack for that.
 * - moto's FIFO deduplication only drops a copy while the original is still in the queue; AWS keeps
 *   the deduplication id for five minutes even after the original is deleted. Deduplication tests
 *   (and the FIFO example) send their copies while the handler is down.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import type { Bus, BusOptions } from "../../src/toolkit/index.js";
import { connectTestBus, startInProcessBroker, type TestBroker } from "../../src/toolkit/testing/index.js";
import { freePort } from "../helpers/process.js";

// The AWS SDK warns once per process about Node 20; it is noise in test output.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

export type { TestBroker };

export type BrokerKind = "moto" | "sluice-memory" | "sluice-sqlite";

export function brokerKind(): BrokerKind {
  const kind = process.env["SLUICE_TEST_BROKER"] ?? "sluice-memory";
  if (kind !== "moto" && kind !== "sluice-memory" && kind !== "sluice-sqlite") throw new Error(`unknown SLUICE_TEST_BROKER "${kind}"`);
  return kind;
}

export async function startTestBroker(): Promise<TestBroker> {
  const kind = brokerKind();
  if (kind === "sluice-memory") return startInProcessBroker({ memory: true });
  if (kind === "sluice-sqlite") {
    const dataDir = await mkdtemp(join(tmpdir(), "sluice-toolkit-"));
    const broker = await startInProcessBroker({ memory: false, dataDir });
    return {
      endpoint: broker.endpoint,
      stop: async () => {
        await broker.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  return startMoto();
}

async function startMoto(): Promise<TestBroker> {
  const port = await freePort();
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not start on ${endpoint}: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000).then(() => child.kill("SIGKILL"))]);
    },
  };
}

let counter = 0;

/** A service name no other test in the same broker uses. */
export function uniqueService(base: string): string {
  counter += 1;
  return `${base}-${process.pid.toString(36)}${counter}`;
}

/** A broker plus the buses a test made on it, all torn down by close(). */
export interface Harness {
  readonly broker: TestBroker;
  /** A raw SQS client on the broker, for poking at queues behind the toolkit's back. */
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  bus(options: BusOptions): Promise<Bus>;
  queueUrl(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const broker = await startTestBroker();
  const config = { endpoint: broker.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const buses: Bus[] = [];
  return {
    broker,
    sqs,
    sns,
    async bus(options) {
      const bus = await connectTestBus(broker, options);
      buses.push(bus);
      return bus;
    },
    async queueUrl(name) {
      return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
    },
    async close() {
      await Promise.allSettled(buses.map((bus) => bus.stop()));
      sqs.destroy();
      sns.destroy();
      await broker.stop();
    },
  };
}

/** Every message currently in a queue, read and made visible again. */
export async function peek(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (;;) {
    const result = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 5, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
    );
    const batch = result.Messages ?? [];
    if (batch.length === 0) break;
    for (const message of batch) seen.set(message.MessageId!, message);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 5 })),
      }),
    );
  }
  return [...seen.values()];
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
  );
  return {
    visible: Number(result.Attributes?.["ApproximateNumberOfMessages"] ?? 0),
    inFlight: Number(result.Attributes?.["ApproximateNumberOfMessagesNotVisible"] ?? 0),
  };
}
