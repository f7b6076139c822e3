import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { spawnBroker, type BrokerProcess } from "../helpers/process.js";
import { sqsClient, sqsSdk } from "../helpers/clients.js";

const sdk = sqsSdk("json");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("kill -9 during FIFO traffic and during a move task", () => {
  const dirs: string[] = [];
  const children: BrokerProcess[] = [];
  after(async () => {
    for (const child of children) await child.stop("SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (dataDir: string, port = 0) => {
    const child = await spawnBroker(["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir]);
    children.push(child);
    return child;
  };

  test("FIFO order, in-flight group locks and dedup windows survive a crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-crash-fifo-"));
    dirs.push(dir);
    let broker = await start(dir);
    let client = sqsClient(broker.endpoint, "json");
    const { QueueUrl: url } = await client.send(
      new sdk.CreateQueueCommand({ QueueName: "crash.fifo", Attributes: { FifoQueue: "true", VisibilityTimeout: "2" } }),
    );
    assert.ok(url);
    const acked = new Map<string, string>();
    const deleted = new Set<string>();
    let stop = false;
    const producer = async (group: number) => {
      for (let i = 0; !stop; i++) {
        const body = `${group}:${i}`;
        try {
          const r = await client.send(new sdk.SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: `g${group}`, MessageDeduplicationId: body }));
          acked.set(body, r.MessageId ?? "");
        } catch {
          return;
        }
      }
    };
    const consumer = async () => {
      while (!stop) {
        try {
          const { Messages = [] } = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
          // Delete only half of what arrives, so some groups are locked by in-flight messages at the crash.
          for (const m of Messages.slice(0, Math.ceil(Messages.length / 2))) {
            await client.send(new sdk.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
            deleted.add(m.Body ?? "");
          }
        } catch {
          return;
        }
      }
    };
    const work = [...Array.from({ length: 10 }, (_, g) => producer(g)), consumer(), consumer()];
    await sleep(1_500);
    await broker.stop("SIGKILL");
    stop = true;
    await Promise.all(work);
    client.destroy();
    assert.ok(acked.size > 50, `only ${acked.size} sends were acknowledged before the crash`);

    broker = await start(dir, broker.port);
    client = sqsClient(broker.endpoint, "json");
    const seen = new Map<string, number>();
    const lastPerGroup = new Map<string, number>();
    let idle = 0;
    while (idle < 4) {
      const { Messages = [] } = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (Messages.length === 0) {
        idle++;
        continue;
      }
      idle = 0;
      for (const m of Messages) {
        const [group, i] = (m.Body ?? "").split(":").map(Number);
        assert.ok(i > (lastPerGroup.get(String(group)) ?? -1), `group ${group} out of order at ${i}`);
        lastPerGroup.set(String(group), i);
        seen.set(m.Body ?? "", (seen.get(m.Body ?? "") ?? 0) + 1);
        await client.send(new sdk.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    for (const [body] of acked) {
      if (deleted.has(body)) assert.equal(seen.get(body), undefined, `${body} was deleted before the crash but came back`);
      else assert.equal(seen.get(body), 1, `${body} was acknowledged but is missing or duplicated`);
    }
    const [body, messageId] = [...acked][0];
    const again = await client.send(new sdk.SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: `g${body.split(":")[0]}`, MessageDeduplicationId: body }));
    assert.equal(again.MessageId, messageId, "the dedup window did not survive the crash");
    client.destroy();
    await broker.stop();
  });

  test("a move task interrupted by a crash resumes and moves every message exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-crash-move-"));
    dirs.push(dir);
    let broker = await start(dir);
    let client = sqsClient(broker.endpoint, "json");
    const { QueueUrl: dlq } = await client.send(new sdk.CreateQueueCommand({ QueueName: "dead" }));
    const dlqArn = (await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    const { QueueUrl: source } = await client.send(
      new sdk.CreateQueueCommand({
        QueueName: "live",
        Attributes: { VisibilityTimeout: "0", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
      }),
    );
    const total = 300;
    for (let i = 0; i < total; i += 10) {
      const entries = Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: String(i + j) }));
      await client.send(new sdk.SendMessageBatchCommand({ QueueUrl: source, Entries: entries }));
    }
    for (let round = 0; round < 2; round++) {
      while (((await client.send(new sdk.ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10 }))).Messages ?? []).length > 0);
    }
    const inDlq = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(inDlq.Attributes?.ApproximateNumberOfMessages, String(total));

    await client.send(new sdk.StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 100 }));
    await sleep(1_200);
    await broker.stop("SIGKILL");
    client.destroy();

    broker = await start(dir, broker.port);
    client = sqsClient(broker.endpoint, "json");
    let status = "";
    for (let i = 0; i < 100 && status !== "COMPLETED"; i++) {
      const { Results = [] } = await client.send(new sdk.ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      status = Results[0]?.Status ?? "";
      if (status !== "COMPLETED") await sleep(100);
    }
    assert.equal(status, "COMPLETED");
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await client.send(new sdk.ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      if (Messages.length === 0) break;
      bodies.push(...Messages.map((m) => m.Body ?? ""));
    }
    assert.equal(bodies.length, total);
    assert.equal(new Set(bodies).size, total);
    const left = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(left.Attributes?.ApproximateNumberOfMessages, "0");
    client.destroy();
    await broker.stop();
  });
});
