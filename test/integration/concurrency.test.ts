import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestBroker, type TestBroker } from "../helpers/broker.js";
import { sqsClient, sqsSdk } from "../helpers/clients.js";

const sdk = sqsSdk("json");
type Client = ReturnType<typeof sqsClient>;

async function sendAll(client: Client, url: string, bodies: Array<{ body: string; group?: string }>): Promise<void> {
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((b, j) => ({
      Id: String(j),
      MessageBody: b.body,
      MessageGroupId: b.group,
      MessageDeduplicationId: b.group ? b.body : undefined,
    }));
    pending.push(
      client.send(new sdk.SendMessageBatchCommand({ QueueUrl: url, Entries: entries })).then((r) => {
        assert.equal(r.Failed?.length ?? 0, 0);
      }),
    );
    if (pending.length >= 16) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

describe("concurrent consumers", () => {
  let broker: TestBroker;
  let client: Client;
  before(async () => {
    broker = await startTestBroker("sqlite");
    client = sqsClient(broker.endpoint, "json");
  });
  after(async () => {
    client.destroy();
    await broker.stop();
  });

  test("8 consumers on one FIFO queue, 50 groups x 200 messages: strict order per group, one in flight per group, nothing lost", async () => {
    const { QueueUrl: url } = await client.send(
      new sdk.CreateQueueCommand({ QueueName: "orders.fifo", Attributes: { FifoQueue: "true", VisibilityTimeout: "30" } }),
    );
    assert.ok(url);
    const groups = 50;
    const perGroup = 200;
    const messages: Array<{ body: string; group: string }> = [];
    for (let i = 0; i < perGroup; i++) for (let g = 0; g < groups; g++) messages.push({ body: `${g}:${i}`, group: `g${g}` });
    await sendAll(client, url, messages);

    const next = new Map<string, number>();
    const inFlight = new Set<string>();
    let handled = 0;
    let violations = 0;
    const consumer = async () => {
      let idle = 0;
      while (handled < groups * perGroup && idle < 3) {
        const { Messages = [] } = await client.send(
          new sdk.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (Messages.length === 0) {
          idle++;
          continue;
        }
        idle = 0;
        const groupsHere = new Set(Messages.map((m) => (m.Body ?? "").split(":")[0]));
        for (const group of groupsHere) {
          if (inFlight.has(group)) violations++;
          inFlight.add(group);
        }
        for (const m of Messages) {
          const [group, seq] = (m.Body ?? "").split(":");
          if ((next.get(group) ?? 0) !== Number(seq)) violations++;
          next.set(group, Number(seq) + 1);
        }
        await new Promise((r) => setImmediate(r));
        for (const group of groupsHere) inFlight.delete(group);
        await client.send(
          new sdk.DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        handled += Messages.length;
      }
    };
    await Promise.all(Array.from({ length: 8 }, consumer));
    assert.equal(violations, 0);
    assert.equal(handled, groups * perGroup);
    for (let g = 0; g < groups; g++) assert.equal(next.get(String(g)), perGroup);
    const attrs = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessages, "0");
    assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, "0");
  });

  test("consumers that fail a share of messages: each message ends exactly once in handled or in the DLQ", async () => {
    const { QueueUrl: dlq } = await client.send(new sdk.CreateQueueCommand({ QueueName: "work-dlq" }));
    const { Attributes } = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }));
    const { QueueUrl: url } = await client.send(
      new sdk.CreateQueueCommand({
        QueueName: "work",
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 3 }) },
      }),
    );
    assert.ok(url && dlq);
    const total = 1000;
    await sendAll(client, url, Array.from({ length: total }, (_, i) => ({ body: String(i) })));
    const poison = (n: number) => n % 7 === 0;
    const handled = new Map<string, number>();
    let idleRounds = 0;
    const consumer = async () => {
      while (idleRounds < 6) {
        const { Messages = [] } = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        if (Messages.length === 0) {
          idleRounds++;
          continue;
        }
        idleRounds = 0;
        for (const m of Messages) {
          if (poison(Number(m.Body))) {
            // A failed attempt: give the message straight back instead of waiting out the timeout.
            await client.send(new sdk.ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
            continue;
          }
          handled.set(m.Body ?? "", (handled.get(m.Body ?? "") ?? 0) + 1);
          await client.send(new sdk.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, consumer));
    const dead = new Map<string, number>();
    for (;;) {
      const { Messages = [] } = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) break;
      for (const m of Messages) dead.set(m.Body ?? "", (dead.get(m.Body ?? "") ?? 0) + 1);
    }
    for (let i = 0; i < total; i++) {
      const key = String(i);
      const places = (handled.get(key) ?? 0) + (dead.get(key) ?? 0);
      assert.equal(places, 1, `message ${i} handled ${handled.get(key) ?? 0}x, dead-lettered ${dead.get(key) ?? 0}x`);
      assert.equal(dead.has(key), poison(i));
    }
  });
});
