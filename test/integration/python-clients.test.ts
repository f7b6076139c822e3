/**
 * Smoke tests with the Python clients people actually run: boto3 and the AWS CLI, each in the generation
 * that speaks SQS JSON and in Debian's packaged one that speaks Query. Each client talks to a real broker
 * through a recording proxy, so the test also proves which protocol went over the wire.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { startTestBroker, type TestBroker } from "../helpers/broker.js";
import {
  findDebianAwsCli,
  findDebianBoto3,
  findJsonAwsCli,
  findJsonBoto3,
  type AwsCli,
  type Found,
  type PythonSdk,
  type WireProtocol,
} from "../helpers/python-clients.js";
import { protocolsSeen, startRecordingProxy } from "../helpers/recording-proxy.js";
import { requireOrSkip } from "../helpers/requirements.js";

const SMOKE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "python", "sqs_smoke.py");

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(executable: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let counter = 0;
function queueName(label: string): string {
  counter += 1;
  return `py-${label}-${process.pid}-${counter}`;
}

function md5(text: string | Buffer): string {
  return createHash("md5").update(text).digest("hex");
}

/** MD5OfMessageAttributes for String/Number attributes, computed independently of the broker's code. */
function attributesMd5(attributes: Record<string, { DataType: string; StringValue: string }>): string {
  const parts: Buffer[] = [];
  const field = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    field(name);
    field(attributes[name].DataType);
    parts.push(Buffer.from([1]));
    field(attributes[name].StringValue);
  }
  return md5(Buffer.concat(parts));
}

/** Sends one client's traffic through a fresh recording proxy and checks the protocol it used. */
async function throughProxy(broker: TestBroker, expected: WireProtocol, body: (endpoint: string) => Promise<void>): Promise<void> {
  const proxy = await startRecordingProxy(broker.endpoint);
  try {
    await body(proxy.endpoint);
    assert.ok(proxy.requests.length >= 10, `only ${proxy.requests.length} requests recorded`);
    assert.deepEqual([...protocolsSeen(proxy.requests)], [expected]);
  } finally {
    await proxy.close();
  }
}

async function boto3Smoke(broker: TestBroker, sdk: PythonSdk): Promise<void> {
  await throughProxy(broker, sdk.protocol, async (endpoint) => {
    const ran = await run(sdk.executable, [SMOKE_SCRIPT, endpoint, queueName("boto3")], sdk.env);
    assert.equal(ran.code, 0, `${sdk.executable} sqs_smoke.py failed:\n${ran.stderr}\n${ran.stdout}`);
    const report = JSON.parse(ran.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; botocore: string; protocol: string };
    assert.equal(report.ok, true);
    assert.equal(report.botocore, sdk.botocore);
    assert.equal(report.protocol, sdk.protocol);
  });
}

async function awsCliSmoke(broker: TestBroker, cli: AwsCli): Promise<void> {
  await throughProxy(broker, cli.protocol, async (endpoint) => {
    const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
      const ran = await run(cli.executable, ["--endpoint-url", endpoint, "--output", "json", "sqs", ...args], cli.env);
      assert.equal(ran.code, 0, `aws sqs ${args.join(" ")} failed (${ran.code}):\n${ran.stderr}`);
      return ran.stdout.trim() === "" ? {} : (JSON.parse(ran.stdout) as Record<string, unknown>);
    };
    const name = queueName("cli");
    const created = await aws("create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=45");
    const url = `${endpoint}/000000000000/${name}`;
    assert.equal(created.QueueUrl, url);
    assert.deepEqual(await aws("get-queue-url", "--queue-name", name), { QueueUrl: url });

    const body = "hello from the aws cli <&> ü";
    const attributes = { Color: { DataType: "String", StringValue: "blue" }, Count: { DataType: "Number", StringValue: "7" } };
    const sent = await aws("send-message", "--queue-url", url, "--message-body", body, "--message-attributes", JSON.stringify(attributes));
    assert.equal(sent.MD5OfMessageBody, md5(body));
    assert.equal(sent.MD5OfMessageAttributes, attributesMd5(attributes));
    const batch = await aws("send-message-batch", "--queue-url", url, "--entries",
      JSON.stringify([{ Id: "a", MessageBody: "batch a" }, { Id: "b", MessageBody: "batch b" }]));
    assert.deepEqual((batch.Successful as Array<{ Id: string }>).map((e) => e.Id).sort(), ["a", "b"]);

    type Received = { MessageId: string; ReceiptHandle: string; Body: string; MessageAttributes?: unknown; Attributes: Record<string, string> };
    const received = new Map<string, Received>();
    for (let i = 0; i < 5 && received.size < 3; i++) {
      const out = await aws("receive-message", "--queue-url", url, "--max-number-of-messages", "10", "--wait-time-seconds", "1",
        "--message-attribute-names", "All", "--attribute-names", "All");
      for (const m of (out.Messages as Received[] | undefined) ?? []) received.set(m.MessageId, m);
    }
    assert.equal(received.size, 3);
    const first = received.get(String(sent.MessageId));
    assert.ok(first);
    assert.equal(first.Body, body);
    assert.deepEqual(first.MessageAttributes, attributes);
    assert.equal(first.Attributes.ApproximateReceiveCount, "1");

    await aws("change-message-visibility", "--queue-url", url, "--receipt-handle", first.ReceiptHandle, "--visibility-timeout", "0");
    const again = await aws("receive-message", "--queue-url", url, "--wait-time-seconds", "1", "--attribute-names", "ApproximateReceiveCount");
    const redelivered = (again.Messages as Received[])[0];
    assert.equal(redelivered.MessageId, first.MessageId);
    assert.equal(redelivered.Attributes.ApproximateReceiveCount, "2");
    await aws("delete-message", "--queue-url", url, "--receipt-handle", redelivered.ReceiptHandle);
    const rest = [...received.values()].filter((m) => m.MessageId !== first.MessageId);
    const deleted = await aws("delete-message-batch", "--queue-url", url, "--entries",
      JSON.stringify(rest.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }))));
    assert.equal((deleted.Successful as unknown[]).length, 2);

    await aws("set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=3");
    const queue = (await aws("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")).Attributes as Record<string, string>;
    assert.equal(queue.VisibilityTimeout, "45");
    assert.equal(queue.DelaySeconds, "3");
    assert.equal(queue.ApproximateNumberOfMessages, "0");
    assert.equal(queue.ApproximateNumberOfMessagesNotVisible, "0");
    assert.equal(queue.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${name}`);
    assert.deepEqual(await aws("list-queues", "--queue-name-prefix", name), { QueueUrls: [url] });

    const missing = await run(cli.executable, ["--endpoint-url", endpoint, "sqs", "get-queue-url", "--queue-name", `${name}-missing`], cli.env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation/);

    await aws("delete-queue", "--queue-url", url);
    assert.deepEqual(await aws("list-queues", "--queue-name-prefix", name), {});
  });
}

function found<T>(t: Parameters<typeof requireOrSkip>[0], lookup: Found<T>): T | undefined {
  return requireOrSkip(t, lookup.client !== undefined, lookup.reason) ? lookup.client : undefined;
}

describe("Python clients against the broker", () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker("sqlite");
  });
  after(async () => {
    await broker?.stop();
  });

  test("boto3 speaking SQS JSON (python3 on PATH)", async (t) => {
    const sdk = found(t, await findJsonBoto3());
    if (!sdk) return;
    t.diagnostic(`${sdk.executable}: boto3 ${sdk.boto3}, botocore ${sdk.botocore}`);
    await boto3Smoke(broker, sdk);
  });

  test("Debian's python3-boto3 speaking Query (/usr/bin/python3)", async (t) => {
    const sdk = found(t, await findDebianBoto3());
    if (!sdk) return;
    t.diagnostic(`${sdk.executable}: boto3 ${sdk.boto3}, botocore ${sdk.botocore}`);
    await boto3Smoke(broker, sdk);
  });

  test("AWS CLI speaking SQS JSON (aws on PATH)", async (t) => {
    const cli = found(t, await findJsonAwsCli());
    if (!cli) return;
    t.diagnostic(`${cli.executable}: ${cli.version}`);
    await awsCliSmoke(broker, cli);
  });

  test("Debian's awscli speaking Query (/usr/bin/aws)", async (t) => {
    const cli = found(t, await findDebianAwsCli());
    if (!cli) return;
    t.diagnostic(`${cli.executable}: ${cli.version}`);
    await awsCliSmoke(broker, cli);
  });
});
