// The workloads speak to every system through real AWS SDK clients, behind one narrow interface, so a
// workload does not care whether the broker speaks SQS JSON (current SDK) or only SQS Query (ElasticMQ,
// reached through the last Query-protocol SDK, installed as `sqs-query-sdk`).
import http from "node:http";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createRequire } from "node:module";
import * as legacy from "sqs-query-sdk";
import type { NodeHttpHandler as LegacyHandlerClass } from "sqs-query-sdk/node_modules/@smithy/node-http-handler";
import type { WireProtocol } from "./types.js";

// The old SDK is built against @smithy/node-http-handler 2.x; it gets its own nested copy so request
// and response shapes line up. ESM cannot import a package nested under another one by path, so it is
// loaded the way the old SDK itself loads it.
const legacyRequire = createRequire(createRequire(import.meta.url).resolve("sqs-query-sdk"));
const { NodeHttpHandler: LegacyNodeHttpHandler } = legacyRequire("@smithy/node-http-handler") as {
  NodeHttpHandler: typeof LegacyHandlerClass;
};

export interface OutEntry {
  id: string;
  body: string;
  groupId?: string;
  dedupId?: string;
}

export interface InMessage {
  body: string;
  receiptHandle: string;
}

export interface BatchResult {
  ok: number;
  failed: number;
  firstFailure?: string;
}

export interface ReceiveOptions {
  max: number;
  waitSeconds: number;
  visibilityTimeout?: number;
}

export interface QueueApi {
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  queueArn(url: string): Promise<string>;
  /** Visible + in flight, as the broker reports it. */
  approximateCount(url: string): Promise<number>;
  sendBatch(url: string, entries: OutEntry[], signal?: AbortSignal): Promise<BatchResult>;
  send(url: string, body: string, signal?: AbortSignal): Promise<void>;
  receive(url: string, opts: ReceiveOptions, signal?: AbortSignal): Promise<InMessage[]>;
  deleteBatch(url: string, handles: string[], signal?: AbortSignal): Promise<BatchResult>;
  deleteQueue(url: string): Promise<void>;
  close(): void;
}

export interface TopicApi {
  createTopic(name: string): Promise<string>;
  subscribeQueue(topicArn: string, queueArn: string, raw: boolean): Promise<string>;
  publish(topicArn: string, message: string, signal?: AbortSignal): Promise<void>;
  deleteTopic(arn: string): Promise<void>;
  close(): void;
}

// The SDK nags about Node 20 once per process; the warning is about future SDK releases, not this run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const region = "us-east-1";

// Keep-alive with more sockets than workers, so no request ever waits for a connection.
function agent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 64 });
}

function batchResult(
  successful: readonly unknown[] | undefined,
  failed: readonly { Code?: string; Message?: string }[] | undefined,
): BatchResult {
  const f = failed ?? [];
  return {
    ok: successful?.length ?? 0,
    failed: f.length,
    firstFailure: f.length > 0 ? `${f[0].Code ?? "?"}: ${f[0].Message ?? ""}` : undefined,
  };
}

function toEntries(entries: OutEntry[]) {
  return entries.map((e) => ({
    Id: e.id,
    MessageBody: e.body,
    MessageGroupId: e.groupId,
    MessageDeduplicationId: e.dedupId,
  }));
}

function jsonQueueApi(endpoint: string): QueueApi {
  const httpAgent = agent();
  const client = new SQSClient({
    endpoint,
    region,
    credentials,
    requestHandler: new NodeHttpHandler({ httpAgent }),
  });
  return {
    async createQueue(name, attributes) {
      const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      if (!out.QueueUrl) throw new Error("CreateQueue returned no QueueUrl");
      return out.QueueUrl;
    },
    async queueArn(url) {
      const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
      const arn = out.Attributes?.QueueArn;
      if (!arn) throw new Error("GetQueueAttributes returned no QueueArn");
      return arn;
    },
    async approximateCount(url) {
      const out = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      const a = out.Attributes ?? {};
      return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    async sendBatch(url, entries, signal) {
      const out = await client.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: toEntries(entries) }),
        { abortSignal: signal },
      );
      return batchResult(out.Successful, out.Failed);
    },
    async send(url, body, signal) {
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }), { abortSignal: signal });
    },
    async receive(url, opts, signal) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: opts.max,
          WaitTimeSeconds: opts.waitSeconds,
          VisibilityTimeout: opts.visibilityTimeout,
        }),
        { abortSignal: signal },
      );
      return (out.Messages ?? []).map((m) => ({ body: m.Body ?? "", receiptHandle: m.ReceiptHandle ?? "" }));
    },
    async deleteBatch(url, handles, signal) {
      const out = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: handles.map((h, i) => ({ Id: `d${i}`, ReceiptHandle: h })),
        }),
        { abortSignal: signal },
      );
      return batchResult(out.Successful, out.Failed);
    },
    async deleteQueue(url) {
      await client.send(new DeleteQueueCommand({ QueueUrl: url }));
    },
    close() {
      client.destroy();
      httpAgent.destroy();
    },
  };
}

/**
 * The old SDK's handler does not cancel a request in flight when its signal aborts, so a parked
 * 20-second long poll would hold the run up; give the caller control back at once (the socket goes when
 * the client is closed).
 */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason ?? new Error("aborted"));
    if (signal.aborted) {
      p.catch(() => undefined);
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function queryQueueApi(endpoint: string): QueueApi {
  const httpAgent = agent();
  const client = new legacy.SQSClient({
    endpoint,
    region,
    credentials,
    requestHandler: new LegacyNodeHttpHandler({ httpAgent }),
  });
  // Query-era servers (ElasticMQ 0.7) route queue actions by the request path, as the v1/v2 SDKs sent
  // them to the queue URL itself; this SDK posts everything to the endpoint's root. Before signing,
  // point each queue action at its queue's path.
  client.middlewareStack.add(
    (next) => async (args) => {
      const queueUrl = "QueueUrl" in args.input ? args.input.QueueUrl : undefined;
      const req: unknown = args.request;
      if (typeof queueUrl === "string" && req && typeof req === "object" && "path" in req) {
        req.path = new URL(queueUrl).pathname;
      }
      return next(args);
    },
    { step: "build", name: "queueUrlAsPath" },
  );
  return {
    async createQueue(name, attributes) {
      const out = await client.send(new legacy.CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      if (!out.QueueUrl) throw new Error("CreateQueue returned no QueueUrl");
      return out.QueueUrl;
    },
    async queueArn(url) {
      const out = await client.send(
        new legacy.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
      );
      const arn = out.Attributes?.QueueArn;
      if (!arn) throw new Error("GetQueueAttributes returned no QueueArn");
      return arn;
    },
    async approximateCount(url) {
      const out = await client.send(
        new legacy.GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      const a = out.Attributes ?? {};
      return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    async sendBatch(url, entries, signal) {
      const out = await abortable(
        client.send(new legacy.SendMessageBatchCommand({ QueueUrl: url, Entries: toEntries(entries) }), {
          abortSignal: signal,
        }),
        signal,
      );
      return batchResult(out.Successful, out.Failed);
    },
    async send(url, body, signal) {
      await abortable(
        client.send(new legacy.SendMessageCommand({ QueueUrl: url, MessageBody: body }), { abortSignal: signal }),
        signal,
      );
    },
    async receive(url, opts, signal) {
      const out = await abortable(
        client.send(
          new legacy.ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: opts.max,
            WaitTimeSeconds: opts.waitSeconds,
            VisibilityTimeout: opts.visibilityTimeout,
          }),
          { abortSignal: signal },
        ),
        signal,
      );
      return (out.Messages ?? []).map((m) => ({ body: m.Body ?? "", receiptHandle: m.ReceiptHandle ?? "" }));
    },
    async deleteBatch(url, handles, signal) {
      const out = await abortable(
        client.send(
          new legacy.DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: handles.map((h, i) => ({ Id: `d${i}`, ReceiptHandle: h })),
          }),
          { abortSignal: signal },
        ),
        signal,
      );
      return batchResult(out.Successful, out.Failed);
    },
    async deleteQueue(url) {
      await client.send(new legacy.DeleteQueueCommand({ QueueUrl: url }));
    },
    close() {
      client.destroy();
      httpAgent.destroy();
    },
  };
}

export function openQueueApi(protocol: WireProtocol, endpoint: string): QueueApi {
  return protocol === "json" ? jsonQueueApi(endpoint) : queryQueueApi(endpoint);
}

export function openTopicApi(endpoint: string): TopicApi {
  const httpAgent = agent();
  const client = new SNSClient({
    endpoint,
    region,
    credentials,
    requestHandler: new NodeHttpHandler({ httpAgent }),
  });
  return {
    async createTopic(name) {
      const out = await client.send(new CreateTopicCommand({ Name: name }));
      if (!out.TopicArn) throw new Error("CreateTopic returned no TopicArn");
      return out.TopicArn;
    },
    async subscribeQueue(topicArn, queueArn, raw) {
      const out = await client.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: "sqs",
          Endpoint: queueArn,
          Attributes: raw ? { RawMessageDelivery: "true" } : undefined,
          ReturnSubscriptionArn: true,
        }),
      );
      return out.SubscriptionArn ?? "";
    },
    async publish(topicArn, message, signal) {
      await client.send(new PublishCommand({ TopicArn: topicArn, Message: message }), { abortSignal: signal });
    },
    async deleteTopic(arn) {
      await client.send(new DeleteTopicCommand({ TopicArn: arn }));
    },
    close() {
      client.destroy();
      httpAgent.destroy();
    },
  };
}

/** The body an SQS consumer sees for an SNS delivery: raw, or the Message inside the JSON envelope. */
export function unwrapSns(body: string): string {
  if (!body.startsWith("{")) return body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && "Message" in parsed && typeof parsed.Message === "string") {
      return parsed.Message;
    }
  } catch {
    // Not an envelope: a raw body that happens to start with '{'.
  }
  return body;
}
