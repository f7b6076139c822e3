// The no-op ceiling: the least work a server can do and still satisfy the real SDK clients.
// It answers SQS JSON and SNS Query with canned, valid replies (the SDK verifies body MD5s on send and
// receive, so those are computed) and keeps no messages: per queue only a count of what is pending, a
// short window of recent bodies (so a latency probe sees its own message back), and the last body as a
// template for the rest. Nothing real can be faster than this on the same machine.
//
//   node --import tsx bench/noop-server.ts --host 127.0.0.1 --port 9000
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";

interface Stored {
  body: string;
  md5: string;
}

interface Queue {
  url: string;
  arn: string;
  fifo: boolean;
  pending: number;
  recent: Stored[];
  template: Stored | undefined;
  waiters: Set<() => void>;
  seq: number;
}

interface Subscription {
  queue: string;
  raw: boolean;
}

type Json = Record<string, unknown>;

const RECENT_WINDOW = 1024;
const ACCOUNT = "000000000000";
const REGION = "us-east-1";

const { values } = parseArgs({
  options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "0" } },
});
const host = values.host ?? "127.0.0.1";
const port = Number(values.port ?? 0);

const queues = new Map<string, Queue>();
const topics = new Map<string, Map<string, Subscription>>();

const md5 = (s: string): string => createHash("md5").update(s, "utf8").digest("hex");

class ApiError extends Error {
  constructor(
    readonly type: string,
    readonly legacy: string,
    message: string,
  ) {
    super(message);
  }
}

function queueFromUrl(url: unknown): Queue {
  const name = typeof url === "string" ? url.slice(url.lastIndexOf("/") + 1) : "";
  const q = queues.get(name);
  if (!q) {
    const legacy = "AWS.SimpleQueueService.NonExistentQueue";
    throw new ApiError("QueueDoesNotExist", legacy, "The specified queue does not exist.");
  }
  return q;
}

function enqueue(q: Queue, body: string): Stored {
  const item = { body, md5: md5(body) };
  q.pending += 1;
  if (q.recent.length < RECENT_WINDOW) q.recent.push(item);
  q.template = item;
  for (const wake of q.waiters) wake();
  q.waiters.clear();
  return item;
}

function take(q: Queue, max: number): Json[] {
  const n = Math.min(max, q.pending);
  const out: Json[] = [];
  for (let i = 0; i < n; i += 1) {
    const item = q.recent.shift() ?? q.template;
    if (!item) break;
    out.push({ MessageId: randomUUID(), ReceiptHandle: randomUUID(), MD5OfBody: item.md5, Body: item.body });
  }
  q.pending -= out.length;
  return out;
}

async function receive(q: Queue, input: Json, closed: Promise<void>): Promise<Json> {
  const max = typeof input.MaxNumberOfMessages === "number" ? input.MaxNumberOfMessages : 1;
  const wait = typeof input.WaitTimeSeconds === "number" ? input.WaitTimeSeconds : 0;
  const deadline = Date.now() + wait * 1000;
  let gone = false;
  void closed.then(() => {
    gone = true;
  });
  for (;;) {
    // A caller that hung up must not be handed (and so lose) messages, nor keep a waiter parked.
    if (gone) return {};
    const msgs = take(q, max);
    if (msgs.length > 0) return { Messages: msgs };
    const left = deadline - Date.now();
    if (left <= 0) return {};
    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
      q.waiters.add(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, left);
    });
    await Promise.race([woken, timedOut, closed]);
    clearTimeout(timer);
    q.waiters.delete(wake);
  }
}

function sendResult(q: Queue, item: Stored): Json {
  const out: Json = { MessageId: randomUUID(), MD5OfMessageBody: item.md5 };
  if (q.fifo) out.SequenceNumber = String((q.seq += 1));
  return out;
}

async function sqs(action: string, input: Json, closed: Promise<void>): Promise<Json> {
  switch (action) {
    case "CreateQueue": {
      const name = String(input.QueueName ?? "");
      const attrs = (input.Attributes ?? {}) as Record<string, string>;
      let q = queues.get(name);
      if (!q) {
        q = {
          url: `http://${host}:${port}/${ACCOUNT}/${name}`,
          arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
          fifo: attrs.FifoQueue === "true",
          pending: 0,
          recent: [],
          template: undefined,
          waiters: new Set(),
          seq: 0,
        };
        queues.set(name, q);
      }
      return { QueueUrl: q.url };
    }
    case "GetQueueUrl":
      return { QueueUrl: queueFromUrl(`/${String(input.QueueName ?? "")}`).url };
    case "GetQueueAttributes": {
      const q = queueFromUrl(input.QueueUrl);
      return {
        Attributes: {
          QueueArn: q.arn,
          ApproximateNumberOfMessages: String(q.pending),
          ApproximateNumberOfMessagesNotVisible: "0",
        },
      };
    }
    case "SendMessage": {
      const q = queueFromUrl(input.QueueUrl);
      return sendResult(q, enqueue(q, String(input.MessageBody ?? "")));
    }
    case "SendMessageBatch": {
      const q = queueFromUrl(input.QueueUrl);
      const entries = Array.isArray(input.Entries) ? (input.Entries as Json[]) : [];
      return {
        Successful: entries.map((e) => ({ Id: e.Id, ...sendResult(q, enqueue(q, String(e.MessageBody ?? ""))) })),
        Failed: [],
      };
    }
    case "ReceiveMessage":
      return receive(queueFromUrl(input.QueueUrl), input, closed);
    case "DeleteMessageBatch":
    case "ChangeMessageVisibilityBatch": {
      queueFromUrl(input.QueueUrl);
      const entries = Array.isArray(input.Entries) ? (input.Entries as Json[]) : [];
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    }
    case "DeleteQueue": {
      const q = queueFromUrl(input.QueueUrl);
      queues.delete(q.url.slice(q.url.lastIndexOf("/") + 1));
      return {};
    }
    case "PurgeQueue": {
      const q = queueFromUrl(input.QueueUrl);
      q.pending = 0;
      q.recent = [];
      return {};
    }
    case "DeleteMessage":
    case "ChangeMessageVisibility":
    case "SetQueueAttributes":
      queueFromUrl(input.QueueUrl);
      return {};
    default: {
      const legacy = "AWS.SimpleQueueService.UnsupportedOperation";
      throw new ApiError("UnsupportedOperation", legacy, `${action} is not supported by the no-op server`);
    }
  }
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

function snsXml(action: string, result: string): string {
  const inner = result === "" ? "" : `<${action}Result>${result}</${action}Result>`;
  return (
    `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/">${inner}` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function envelope(topicArn: string, messageId: string, message: string): string {
  return JSON.stringify(
    {
      Type: "Notification",
      MessageId: messageId,
      TopicArn: topicArn,
      Message: message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: "1",
      Signature: "bm9vcA==",
      SigningCertURL: `http://${host}:${port}/SimpleNotificationService.pem`,
      UnsubscribeURL: `http://${host}:${port}/?Action=Unsubscribe`,
    },
    null,
    2,
  );
}

function sns(form: URLSearchParams): string {
  const action = form.get("Action") ?? "";
  switch (action) {
    case "CreateTopic": {
      const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${form.get("Name") ?? ""}`;
      if (!topics.has(arn)) topics.set(arn, new Map());
      return snsXml(action, `<TopicArn>${xmlEscape(arn)}</TopicArn>`);
    }
    case "Subscribe": {
      const topicArn = form.get("TopicArn") ?? "";
      const subs = topics.get(topicArn);
      if (!subs) throw new ApiError("NotFound", "NotFound", "Topic does not exist");
      const endpoint = form.get("Endpoint") ?? "";
      let raw = false;
      for (let i = 1; form.has(`Attributes.entry.${i}.key`); i += 1) {
        if (form.get(`Attributes.entry.${i}.key`) === "RawMessageDelivery") {
          raw = form.get(`Attributes.entry.${i}.value`) === "true";
        }
      }
      const subArn = `${topicArn}:${randomUUID()}`;
      subs.set(subArn, { queue: endpoint.slice(endpoint.lastIndexOf(":") + 1), raw });
      return snsXml(action, `<SubscriptionArn>${xmlEscape(subArn)}</SubscriptionArn>`);
    }
    case "Publish": {
      const topicArn = form.get("TopicArn") ?? "";
      const subs = topics.get(topicArn);
      if (!subs) throw new ApiError("NotFound", "NotFound", "Topic does not exist");
      const message = form.get("Message") ?? "";
      const messageId = randomUUID();
      for (const sub of subs.values()) {
        const q = queues.get(sub.queue);
        if (q) enqueue(q, sub.raw ? message : envelope(topicArn, messageId, message));
      }
      return snsXml(action, `<MessageId>${messageId}</MessageId>`);
    }
    case "DeleteTopic":
      topics.delete(form.get("TopicArn") ?? "");
      return snsXml(action, "");
    case "Unsubscribe":
    case "SetSubscriptionAttributes":
      return snsXml(action, "");
    default:
      throw new ApiError("InvalidAction", "InvalidAction", `The action ${action} is not valid for this endpoint.`);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method === "GET" && req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return;
  }
  const body = await readBody(req);
  const requestId = randomUUID();
  const target = req.headers["x-amz-target"];
  if (typeof target === "string" && target.startsWith("AmazonSQS.")) {
    const closed = new Promise<void>((resolve) => res.once("close", resolve));
    try {
      const input = (body === "" ? {} : JSON.parse(body)) as Json;
      const out = JSON.stringify(await sqs(target.slice("AmazonSQS.".length), input, closed));
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": requestId }).end(out);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError("InternalError", "InternalError", String(err));
      res
        .writeHead(400, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": requestId,
          "x-amzn-query-error": `${e.legacy};Sender`,
        })
        .end(JSON.stringify({ __type: `com.amazonaws.sqs#${e.type}`, message: e.message }));
    }
    return;
  }
  try {
    const xml = sns(new URLSearchParams(body));
    res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": requestId }).end(xml);
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError("InternalError", "InternalError", String(err));
    const status = e.type === "NotFound" ? 404 : 400;
    res
      .writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": requestId })
      .end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>` +
          `<Code>${e.legacy}</Code><Message>${xmlEscape(e.message)}</Message></Error>` +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
  }
}

const server = http.createServer((req, res) => {
  handle(req, res).catch(() => res.destroy());
});
// Clients keep connections alive across the whole run; closing idle ones would only add reconnects.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.listen(port, host);
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
