/**
 * What README.md promises about endpoints and identity, and its copy-paste client examples run as written
 * (only the endpoint is swapped for the test broker's). An example that stops working fails here.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { startTestBroker } from "../helpers/broker.js";
import { sqsClient, sqsSdk } from "../helpers/clients.js";
import { REPO_ROOT, spawnBroker, type BrokerProcess } from "../helpers/process.js";
import { awsEnv, findDebianAwsCli, findDebianBoto3, findJsonAwsCli, findJsonBoto3 } from "../helpers/python-clients.js";
import { requireOrSkip } from "../helpers/requirements.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
const sdk = sqsSdk("json");
const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const DOCUMENTED_ENDPOINT = "http://127.0.0.1:4566";

/** The fenced block that follows `<!-- readme-test: NAME -->`. */
function example(name: string): string {
  const match = new RegExp(`<!-- readme-test: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(README);
  assert.ok(match, `README has no example marked ${name}`);
  return match[1];
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A fresh broker per example, as after `npm start`; the example's endpoint is swapped for it. */
async function withBroker(body: (endpoint: string, code: (text: string) => string) => Promise<void>): Promise<void> {
  let broker: BrokerProcess | undefined;
  try {
    broker = await spawnBroker(["--port", "0", "--memory"]);
    const endpoint = broker.endpoint;
    await body(endpoint, (text) => text.replaceAll(DOCUMENTED_ENDPOINT, endpoint));
  } finally {
    await broker?.stop();
  }
}

/** Environment without the test runner's AWS settings: the examples must bring their own. */
function bareEnv(debian: boolean, pathFirst?: string): NodeJS.ProcessEnv {
  const env = awsEnv(debian);
  for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION"]) delete env[key];
  if (pathFirst) env.PATH = `${pathFirst}:${env.PATH ?? ""}`;
  return env;
}

async function awsCliExample(t: TestContext, debian: boolean): Promise<void> {
  const lookup = debian ? await findDebianAwsCli() : await findJsonAwsCli();
  if (!requireOrSkip(t, lookup.client !== undefined, lookup.reason) || !lookup.client) return;
  const cli = lookup.client;
  await withBroker(async (endpoint, code) => {
    const ran = await run("bash", ["-euo", "pipefail", "-c", code(example("aws-cli"))], bareEnv(debian, dirname(cli.executable)));
    assert.equal(ran.code, 0, ran.stderr);
    const queueUrl = `${endpoint}/000000000000/orders`;
    const outputs = ran.stdout.split(/\n(?=\{)/).map((text) => JSON.parse(text) as Record<string, unknown>);
    assert.equal(outputs.length, 4, ran.stdout);
    assert.deepEqual(outputs[0], { QueueUrl: queueUrl });
    assert.match(String(outputs[1].MessageId), /^[0-9a-f-]{36}$/);
    assert.equal((outputs[2].Messages as Array<{ Body: string }>)[0].Body, "hello");
    assert.deepEqual(outputs[3], { QueueUrls: [queueUrl] });
  });
}

async function boto3Example(t: TestContext, debian: boolean): Promise<void> {
  const lookup = debian ? await findDebianBoto3() : await findJsonBoto3();
  if (!requireOrSkip(t, lookup.client !== undefined, lookup.reason) || !lookup.client) return;
  const python = lookup.client;
  await withBroker(async (_endpoint, code) => {
    const ran = await run(python.executable, ["-c", code(example("boto3"))], bareEnv(debian));
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "hello\n");
  });
}

describe("README examples, run as written", () => {
  test("AWS CLI example (a JSON-speaking aws on PATH)", (t) => awsCliExample(t, false));
  test("AWS CLI example (Debian's awscli, Query)", (t) => awsCliExample(t, true));

  test("JavaScript SDK example", async () => {
    await withBroker(async (_endpoint, code) => {
      const ran = await run(process.execPath, ["--input-type=module", "-e", code(example("js-sdk"))], {
        ...bareEnv(false),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      });
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout, "hello\n");
    });
  });

  test("boto3 example (current boto3)", (t) => boto3Example(t, false));
  test("boto3 example (Debian's python3-boto3)", (t) => boto3Example(t, true));
});

describe("README: endpoints and identity", () => {
  const xmlValue = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

  test("Query over GET and POST, and requests on a queue URL imply the queue, in both protocols", async () => {
    const broker = await startTestBroker("memory");
    try {
      const base = broker.endpoint;
      const created = await fetch(`${base}/?Action=CreateQueue&QueueName=paths&Version=2012-11-05`);
      assert.equal(created.status, 200);
      assert.equal(xmlValue(await created.text(), "QueueUrl"), `${base}/000000000000/paths`);

      const form = new URLSearchParams({ Action: "SendMessage", MessageBody: "via the queue path", Version: "2012-11-05" });
      const sent = await fetch(`${base}/000000000000/paths`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      });
      assert.equal(sent.status, 200);
      assert.ok(xmlValue(await sent.text(), "MessageId"));

      const json = await fetch(`${base}/000000000000/paths`, {
        method: "POST",
        headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.GetQueueAttributes" },
        body: JSON.stringify({ AttributeNames: ["ApproximateNumberOfMessages"] }),
      });
      assert.equal(json.status, 200);
      assert.deepEqual(await json.json(), { Attributes: { ApproximateNumberOfMessages: "1" } });

      const received = await fetch(`${base}/000000000000/paths?Action=ReceiveMessage&Version=2012-11-05`);
      assert.equal(received.status, 200);
      assert.equal(xmlValue(await received.text(), "Body"), "via the queue path");

      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok" });
    } finally {
      await broker.stop();
    }
  });

  test("a 12-digit access key is the account, others are 000000000000; any secret works", async () => {
    const broker = await startTestBroker("memory");
    const named = sqsClient(broker.endpoint, "json", "111122223333");
    const anyKey = new sdk.SQSClient({
      endpoint: broker.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "not the secret anyone configured" },
    });
    try {
      const mine = await named.send(new sdk.CreateQueueCommand({ QueueName: "accounts" }));
      assert.equal(mine.QueueUrl, `${broker.endpoint}/111122223333/accounts`);
      const attributes = await named.send(new sdk.GetQueueAttributesCommand({ QueueUrl: mine.QueueUrl, AttributeNames: ["QueueArn"] }));
      assert.equal(attributes.Attributes?.QueueArn, "arn:aws:sqs:us-east-1:111122223333:accounts");

      const other = await anyKey.send(new sdk.CreateQueueCommand({ QueueName: "accounts" }));
      assert.equal(other.QueueUrl, `${broker.endpoint}/000000000000/accounts`);
      assert.deepEqual((await anyKey.send(new sdk.ListQueuesCommand({}))).QueueUrls, [other.QueueUrl]);
      assert.deepEqual((await named.send(new sdk.ListQueuesCommand({}))).QueueUrls, [mine.QueueUrl]);
    } finally {
      named.destroy();
      anyKey.destroy();
      await broker.stop();
    }
  });

  test("the region is the signed one (us-east-1 unsigned), and queues stay in their region", async () => {
    const broker = await startTestBroker("memory");
    const ireland = sqsClient(broker.endpoint, "json", "test", "eu-west-1");
    const virginia = sqsClient(broker.endpoint, "json", "test", "us-east-1");
    try {
      const { QueueUrl } = await ireland.send(new sdk.CreateQueueCommand({ QueueName: "regional" }));
      const arn = await ireland.send(new sdk.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
      assert.equal(arn.Attributes?.QueueArn, "arn:aws:sqs:eu-west-1:000000000000:regional");
      assert.equal((await virginia.send(new sdk.ListQueuesCommand({}))).QueueUrls, undefined);
      await assert.rejects(virginia.send(new sdk.GetQueueUrlCommand({ QueueName: "regional" })), { name: "QueueDoesNotExist" });

      await virginia.send(new sdk.CreateQueueCommand({ QueueName: "unsigned-view" }));
      const unsigned = await fetch(`${broker.endpoint}/?Action=GetQueueAttributes&QueueUrl=${encodeURIComponent(`${broker.endpoint}/000000000000/unsigned-view`)}&AttributeName.1=QueueArn&Version=2012-11-05`);
      assert.equal(unsigned.status, 200);
      assert.match(await unsigned.text(), /arn:aws:sqs:us-east-1:000000000000:unsigned-view/);
    } finally {
      ireland.destroy();
      virginia.destroy();
      await broker.stop();
    }
  });
});
