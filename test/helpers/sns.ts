import { setTimeout as sleep } from "node:timers/promises";
import { SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import type { BrokerOptions } from "../../src/server/broker.js";
import { startTestBroker, type StoreKind, type TestBroker } from "./broker.js";

/** A broker with SNS options; sqlite brokers get a fresh data directory unless one is given. */
export function startSnsBroker(kind: StoreKind, options: Partial<BrokerOptions> = {}, dataDir?: string): Promise<TestBroker> {
  return startTestBroker(kind, dataDir, options);
}

export interface Clients {
  sns: SNSClient;
  sqs: SQSClient;
  destroy(): void;
}

export function awsClients(endpoint: string, accessKeyId = "test", region = "us-east-1"): Clients {
  const config = { endpoint, region, credentials: { accessKeyId, secretAccessKey: "test" }, maxAttempts: 1 };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  return { sns, sqs, destroy: () => (sns.destroy(), sqs.destroy()) };
}

export async function makeQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? "";
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn ?? "";
  return { url, arn };
}

/** Receives until `count` messages arrived (or the time is up); each is deleted from view by its visibility. */
export async function receive(sqs: SQSClient, url: string, count: number, timeoutMs = 3000): Promise<Message[]> {
  const out: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const wait = Math.max(0, Math.min(1, Math.floor((deadline - Date.now()) / 1000)));
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: wait,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    out.push(...(result.Messages ?? []));
    if (wait === 0 && (result.Messages ?? []).length === 0) await sleep(20);
  }
  return out;
}

/** Nothing arrives within `ms`. */
export async function receiveNone(sqs: SQSClient, url: string, ms = 300): Promise<Message[]> {
  await sleep(ms);
  const result = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return result.Messages ?? [];
}

export interface CaughtError {
  name: string;
  message: string;
  status?: number;
  type?: string;
}

/** The error a call failed with, as the SDK exposes it. */
export async function failure(call: Promise<unknown>): Promise<CaughtError> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number }; $fault?: string; Type?: string };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, type: e.Type };
  }
  throw new Error("expected the call to fail");
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(stepMs);
  }
}
