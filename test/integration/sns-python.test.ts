// SNS through the Python clients: every supported action and a set of AWS's errors with boto3 (script in
// test/python/sns_boto3.py), and the README's SNS fan-out walkthrough with the AWS CLI, as written.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestBroker, type TestBroker } from "../helpers/broker.js";
import { findJsonAwsCli, findJsonBoto3 } from "../helpers/python-clients.js";
import { REPO_ROOT } from "../helpers/process.js";
import { requireOrSkip } from "../helpers/requirements.js";

const SCRIPT = join(REPO_ROOT, "test", "python", "sns_boto3.py");
const run = promisify(execFile);

interface PyError {
  code: string;
  message: string;
  type: string;
  status: number;
}

describe("SNS with boto3", () => {
  let broker: TestBroker;
  before(async () => {
    broker = await startTestBroker("memory");
  });
  after(async () => {
    await broker.stop();
  });

  test("every action, and AWS's error codes, messages and statuses as botocore parses them", async (t) => {
    const found = await findJsonBoto3();
    if (!requireOrSkip(t, found.client !== undefined, found.reason) || !found.client) return;
    const { stdout } = await run(found.client.executable, [SCRIPT, broker.endpoint], { env: found.client.env, encoding: "utf8", timeout: 60_000 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    const topic = "arn:aws:sns:us-east-1:000000000000:py-topic";
    assert.deepEqual(out.create_topic, [topic, `${topic}.fifo`]);
    assert.deepEqual(out.topic_attributes, { DisplayName: "Py", Owner: "000000000000", TopicArn: topic, SubscriptionsConfirmed: "0" });
    assert.equal(out.set_topic_attributes, "Renamed");
    assert.deepEqual(out.fifo_attributes, { FifoTopic: "true", ContentBasedDeduplication: "true" });
    assert.deepEqual(out.list_topics_pages, [100, 3]);
    const subscription = out.subscription_attributes as Record<string, string>;
    assert.equal(subscription.RawMessageDelivery, "true");
    assert.equal(subscription.FilterPolicyScope, "MessageAttributes");
    assert.equal((out.list_subscriptions as unknown[]).length, 1);
    assert.deepEqual(out.list_subscriptions, out.list_subscriptions_by_topic);
    assert.deepEqual(out.publish_batch, { ids: ["a", "b"], failed: [] });
    assert.deepEqual(out.received, [
      { body: "batch-a", attributes: { kind: { DataType: "String", value: "keep" } }, sender: "AIDAIT2UOQQY3AUEKVGXU" },
      { body: "kept", attributes: { kind: { DataType: "String", value: "keep" }, raw: { DataType: "Binary", value: [0, 1] } }, sender: "AIDAIT2UOQQY3AUEKVGXU" },
    ]);
    assert.equal(out.published_id_is_uuid, true);
    assert.equal(out.fifo_sequence_length, 20);
    assert.deepEqual(out.policy_statements, ["__default_statement_ID", "share"]);
    assert.deepEqual(out.tags, [{ Key: "env", Value: "test" }]);
    const errors = out.errors as Record<string, PyError>;
    const expected: Record<string, [string, number, string]> = {
      not_found: ["NotFound", 404, "Topic does not exist"],
      bad_arn: ["InvalidParameter", 400, "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"],
      empty_message: ["InvalidParameter", 400, "Invalid parameter: Empty message"],
      bad_attribute: ["ParameterValueInvalid", 400, "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."],
      fifo_group: ["InvalidParameter", 400, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"],
      fifo_queue_standard_topic: ["InvalidParameter", 400, "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"],
      batch_ids: ["BatchEntryIdsNotDistinct", 400, "Two or more batch entries in the request have the same Id."],
      bad_token: ["InvalidParameter", 400, "Invalid parameter: Token"],
      subscription_missing: ["NotFound", 404, "Subscription does not exist"],
      unsupported: ["InvalidAction", 400, "The action ListPlatformApplications is not supported by Sluice: SMS, mobile push and data protection are out of scope."],
      tags_missing: ["ResourceNotFound", 404, "Resource does not exist"],
    };
    for (const [name, [code, status, message]] of Object.entries(expected)) {
      assert.deepEqual(errors[name], { code, status, message, type: "Sender" }, name);
    }
    assert.deepEqual(out.after_unsubscribe, []);
    assert.equal((out.after_delete as PyError).code, "NotFound");
  });
});

/** The fenced block that follows `<!-- readme-test: NAME -->` in README.md. */
function readmeExample(name: string): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const match = new RegExp(`<!-- readme-test: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  assert.ok(match, `README has no example marked ${name}`);
  return match[1];
}

test("the README's SNS fan-out walkthrough runs with the AWS CLI and shows what it claims", async (t) => {
  const found = await findJsonAwsCli();
  if (!requireOrSkip(t, found.client !== undefined, found.reason) || !found.client) return;
  const broker = await startTestBroker("memory");
  try {
    const script = readmeExample("sns-fan-out").replaceAll("http://127.0.0.1:4566", broker.endpoint);
    const env = { ...found.client.env, PATH: `${join(found.client.executable, "..")}:${process.env.PATH ?? ""}` };
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], { env, encoding: "utf8", timeout: 60_000 });
    const lines = stdout.trim().split("\n");
    assert.match(lines[0], /^arn:aws:sns:us-east-1:000000000000:orders:[0-9a-f-]{36}$/);
    assert.match(lines[1], /^[0-9a-f-]{36}$/);
    assert.deepEqual(lines.slice(2), ["2", '{"orderId":1}']);
  } finally {
    await broker.stop();
  }
});
