/**
 * Shutdown edge cases that are hard to time from outside a process: a long-poll that reaches the broker only
 * after stop() began, and a client that never finishes its request.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startBroker } from "../../src/server/broker.js";
import { sqsClient, sqsSdk } from "../helpers/clients.js";
import { halfSentRequest } from "../helpers/half-sent.js";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
const sdk = sqsSdk("json");

describe("broker stop()", () => {
  test("a long-poll whose request completes after stop() began is answered empty at once", async () => {
    const broker = await startBroker({ port: 0, memory: true, quiet: true });
    try {
      const client = sqsClient(broker.endpoint);
      const { QueueUrl } = await client.send(new sdk.CreateQueueCommand({ QueueName: "late-poll" }));
      client.destroy();
      const late = await halfSentRequest(broker.endpoint, "ReceiveMessage", { QueueUrl, WaitTimeSeconds: 20 });
      const stopped = broker.stop();
      const startedAt = Date.now();
      const answer = await late.finish();
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {});
      assert.ok(Date.now() - startedAt < 2_000, `answered after ${Date.now() - startedAt} ms`);
      await stopped;
    } finally {
      await broker.stop();
    }
  });

  test("a request that never completes is cut off after the grace period", async () => {
    const broker = await startBroker({ port: 0, memory: true, quiet: true, shutdownGraceMs: 300 });
    try {
      const stuck = await halfSentRequest(broker.endpoint, "ListQueues", {});
      const startedAt = Date.now();
      await broker.stop();
      const took = Date.now() - startedAt;
      assert.ok(took >= 250 && took < 3_000, `stop() took ${took} ms`);
      const outcome = await stuck.outcome;
      assert.ok(outcome instanceof Error, "the stuck request got an answer it never asked for");
    } finally {
      await broker.stop();
    }
  });
});
