import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { startTestBroker } from "../helpers/broker.js";
import { requireOrSkip } from "../helpers/requirements.js";

const SCRIPT = fileURLToPath(new URL("../../examples/cli/fifo-and-redrive.sh", import.meta.url));
const hasAwsCli = spawnSync("aws", ["--version"]).status === 0;

test("the README's FIFO and redrive walkthrough runs with the AWS CLI and shows what it claims", async (t) => {
  if (!requireOrSkip(t, hasAwsCli, "the AWS CLI (`aws`) is not installed")) return;
  const broker = await startTestBroker("memory");
  try {
    // Asynchronously: the broker runs in this process and must keep serving while the script runs.
    const { stdout } = await promisify(execFile)("bash", [SCRIPT], {
      env: { ...process.env, SLUICE_ENDPOINT: broker.endpoint, AWS_PAGER: "" },
      encoding: "utf8",
    });
    const out = stdout.trim().split("\n");
    const sourceArn = "arn:aws:sqs:us-east-1:000000000000:orders";
    assert.match(out[0], /^[0-9a-f-]{36}$/);
    assert.deepEqual(out.slice(1, 4), ['{"orderId":42}', '{"orderId":42}', "None"]);
    assert.equal(out[4], `{"orderId":42}\t${sourceArn}\t3`);
    assert.equal(out[5], `${broker.endpoint}/000000000000/orders`);
    assert.equal(out[6], "COMPLETED\t1");
    assert.equal(out[7], '{"orderId":42}');
    const [a, b, dup] = out.slice(8, 11);
    assert.match(a, /^\d{20}$/);
    assert.ok(BigInt(b) > BigInt(a));
    assert.equal(dup, b, "the duplicate capture was not deduplicated");
    assert.equal(out[11], "authorize order-42\tcapture order-42");
  } finally {
    await broker.stop();
  }
});
