/**
 * The npm ecosystem's usual pair, unmodified: sqs-producer fills a queue and several sqs-consumer instances
 * drain it concurrently. Every message must be handled and deleted exactly once, and the queue end empty.
 */
import assert from "node:assert/strict";
import { GetQueueAttributesCommand, ReceiveMessageCommand, CreateQueueCommand, type Message } from "@aws-sdk/client-sqs";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Consumer } from "sqs-consumer";
import { Producer } from "sqs-producer";
import { STORE_KINDS, startTestBroker, type StoreKind } from "../helpers/broker.js";
import { sqsClient } from "../helpers/clients.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const TOTAL = 1000;
type Client = ReturnType<typeof sqsClient>;

interface Tally {
  handled: Map<string, number>;
  deleted: Map<string, number>;
  errors: Error[];
  done: Promise<void>;
  check(): void;
}

function tally(): Tally {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const t: Tally = {
    handled: new Map(),
    deleted: new Map(),
    errors: [],
    done,
    check: () => {
      if (t.deleted.size >= TOTAL) finish();
    },
  };
  return t;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

async function produce(client: Client, queueUrl: string): Promise<Map<string, string>> {
  const producer = Producer.create({ queueUrl, sqs: client, batchSize: 10 });
  const messages = Array.from({ length: TOTAL }, (_, i) => ({ id: `m${i}`, body: JSON.stringify({ n: i, pad: "p".repeat(i % 97) }) }));
  const results = await producer.send(messages);
  assert.equal(results.length, TOTAL);
  const sent = new Map<string, string>();
  for (const result of results) {
    assert.ok(result.MessageId && result.Id);
    sent.set(result.MessageId, messages[Number(result.Id.slice(1))].body);
  }
  assert.equal(sent.size, TOTAL, "producer got duplicate MessageIds");
  assert.equal(await producer.queueSize(), TOTAL);
  return sent;
}

async function assertDrained(client: Client, queueUrl: string): Promise<void> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  assert.deepEqual(out.Attributes, {
    ApproximateNumberOfMessages: "0",
    ApproximateNumberOfMessagesNotVisible: "0",
    ApproximateNumberOfMessagesDelayed: "0",
  });
  const left = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
  assert.equal(left.Messages, undefined);
}

function assertExactlyOnce(t: Tally, sent: Map<string, string>, bodies: Map<string, string>): void {
  assert.deepEqual(t.errors, []);
  const twice = [...t.handled].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], "a handler saw a message more than once");
  assert.equal(t.handled.size, TOTAL);
  assert.equal(t.deleted.size, TOTAL);
  assert.deepEqual([...t.deleted].filter(([, n]) => n > 1), [], "a message was deleted more than once");
  assert.deepEqual(new Map([...bodies].sort()), new Map([...sent].sort()));
}

async function stopAll(consumers: Consumer[]): Promise<void> {
  await Promise.all(
    consumers.map(async (consumer) => {
      if (!consumer.status.isRunning) return;
      const stopped = new Promise<void>((resolve) => consumer.once("stopped", () => resolve()));
      consumer.stop();
      await stopped;
    }),
  );
}

function watch(consumer: Consumer, t: Tally): void {
  consumer.on("message_processed", (message: Message) => {
    count(t.deleted, message.MessageId ?? "");
    t.check();
  });
  consumer.on("error", (error: Error) => t.errors.push(error));
  consumer.on("processing_error", (error: Error) => t.errors.push(error));
  consumer.on("timeout_error", (error: Error) => t.errors.push(error));
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("sqs-producer + sqs-consumer", () => {
  for (const store of STORE_KINDS satisfies StoreKind[]) {
    test(`${store}: ${TOTAL} messages, 3 consumers with handleMessage, each handled and deleted exactly once`, async () => {
      const broker = await startTestBroker(store);
      const client = sqsClient(broker.endpoint);
      const consumers: Consumer[] = [];
      try {
        const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: `consumer-${store}` }));
        assert.ok(QueueUrl);
        const sent = await produce(client, QueueUrl);
        const t = tally();
        const bodies = new Map<string, string>();
        for (let i = 0; i < 3; i++) {
          const consumer = Consumer.create({
            queueUrl: QueueUrl,
            sqs: client,
            batchSize: 10,
            waitTimeSeconds: 1,
            strictReturn: true,
            handleMessage: async (message) => {
              count(t.handled, message.MessageId ?? "");
              bodies.set(message.MessageId ?? "", message.Body ?? "");
              // Uneven handler times interleave the consumers' receives and deletes.
              await sleep(Number(message.MessageId?.charCodeAt(0) ?? 0) % 4);
              return message;
            },
          });
          watch(consumer, t);
          consumers.push(consumer);
          consumer.start();
        }
        await within(t.done, 60_000, "consuming");
        await stopAll(consumers);
        assertExactlyOnce(t, sent, bodies);
        await assertDrained(client, QueueUrl);
      } finally {
        await stopAll(consumers);
        client.destroy();
        await broker.stop();
      }
    });
  }

  test(`sqlite: ${TOTAL} messages, 2 consumers with handleMessageBatch (DeleteMessageBatch)`, async () => {
    const broker = await startTestBroker("sqlite");
    const client = sqsClient(broker.endpoint);
    const consumers: Consumer[] = [];
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "consumer-batch" }));
      assert.ok(QueueUrl);
      const sent = await produce(client, QueueUrl);
      const t = tally();
      const bodies = new Map<string, string>();
      for (let i = 0; i < 2; i++) {
        const consumer = Consumer.create({
          queueUrl: QueueUrl,
          sqs: client,
          batchSize: 10,
          waitTimeSeconds: 1,
          strictReturn: true,
          handleMessageBatch: async (messages) => {
            for (const message of messages) {
              count(t.handled, message.MessageId ?? "");
              bodies.set(message.MessageId ?? "", message.Body ?? "");
            }
            await sleep(1);
            return messages;
          },
        });
        watch(consumer, t);
        consumers.push(consumer);
        consumer.start();
      }
      await within(t.done, 60_000, "consuming");
      await stopAll(consumers);
      assertExactlyOnce(t, sent, bodies);
      await assertDrained(client, QueueUrl);
    } finally {
      await stopAll(consumers);
      client.destroy();
      await broker.stop();
    }
  });
});
