// Fan-out is atomic and durable: publish to a topic with five queue subscriptions, kill -9 the broker
// process mid-stream, restart it, and every acknowledged publish is in all five queues exactly once (and
// no publish is in some queues but not others).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { spawnBroker, type BrokerProcess } from "../helpers/process.js";
import { awsClients, makeQueue } from "../helpers/sns.js";

const start = (dataDir: string, port = 0) => spawnBroker(["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir]);

async function drain(sqs: SQSClient, url: string): Promise<string[]> {
  const ids: string[] = [];
  for (let empty = 0; empty < 2; ) {
    const result = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
    const messages = result.Messages ?? [];
    if (messages.length === 0) {
      empty++;
      continue;
    }
    ids.push(...messages.map((m) => (JSON.parse(m.Body ?? "{}") as { MessageId: string }).MessageId));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
  return ids;
}

test("kill -9 during fan-out to 5 queues: every acknowledged publish is in every queue exactly once", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sluice-sns-crash-"));
  let child: BrokerProcess = await start(dataDir);
  let c = awsClients(child.endpoint);
  try {
    const topic = (await c.sns.send(new CreateTopicCommand({ Name: "crash" }))).TopicArn ?? "";
    const queues = [];
    for (let i = 0; i < 5; i++) {
      const queue = await makeQueue(c.sqs, `crash-${i}`);
      await c.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: queue.arn }));
      queues.push(queue);
    }

    const acknowledged = new Set<string>();
    let stop = false;
    const publisher = async (n: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const result = await c.sns.send(new PublishCommand({ TopicArn: topic, Message: `p${n}-${i}` }));
          if (result.MessageId) acknowledged.add(result.MessageId);
        } catch {
          return; // the broker died under this request: its outcome is unknown, and that is allowed
        }
      }
    };
    const running = [0, 1, 2, 3].map(publisher);
    while (acknowledged.size < 200) await new Promise((r) => setTimeout(r, 5));
    await child.stop("SIGKILL");
    stop = true;
    await Promise.all(running);
    c.destroy();

    child = await start(dataDir, child.port);
    c = awsClients(child.endpoint);
    const perQueue = [];
    for (const queue of queues) perQueue.push(await drain(c.sqs, queue.url));
    for (const ids of perQueue) {
      assert.equal(new Set(ids).size, ids.length, "no duplicates");
      for (const id of acknowledged) assert.ok(ids.includes(id), `acknowledged ${id} missing`);
    }
    // Publishes cut off mid-request are all-or-nothing: in every queue, or in none.
    const first = new Set(perQueue[0]);
    for (const ids of perQueue.slice(1)) assert.deepEqual(new Set(ids), first);
    assert.ok(first.size >= acknowledged.size);
  } finally {
    c.destroy();
    await child.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});
