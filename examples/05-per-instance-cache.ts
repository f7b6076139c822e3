/**
 * A transfers service keeps an in-memory cache of teams, eventually consistent with the teams
 * service. It runs three instances; each gets its own queue so every instance sees every
 * team.created, and each queue is deleted when its instance shuts down.
 */
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { spyOn } from "../src/toolkit/testing/index.js";
import { connect, detail, runIfMain, step, TeamCreated, type Example } from "./shared.js";

export const title = "A cache service with three instances, each with its own queue";

export const run: Example = async (broker) => {
  const sqs = new SQSClient({ endpoint: broker.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const listQueues = async (): Promise<string[]> =>
    ((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "transfers-" }))).QueueUrls ?? []).map((url) => url.slice(url.lastIndexOf("/") + 1)).sort();

  const teams = await connect(broker, { service: "teams" });
  const instances = await Promise.all(["a1b2c3d4", "e5f6a7b8", "c9d0e1f2"].map((instanceId) => connect(broker, { service: "transfers", instanceId })));
  const caches = instances.map(() => new Map<string, string>());
  instances.forEach((bus, index) => {
    bus.consume("refresh-team-cache", { events: [TeamCreated], perInstance: true }, (event) => {
      caches[index]!.set(event.data.teamId, event.data.name);
    });
  });
  const spy = spyOn(...instances);

  step("three transfers instances start");
  await Promise.all(instances.map((bus) => bus.start()));
  detail((await listQueues()).join("\n"));

  step("teams publishes team.created twice");
  await teams.publish(TeamCreated, { teamId: "t-1", name: "Rovers" });
  await teams.publish(TeamCreated, { teamId: "t-2", name: "United" });
  await spy.waitUntil((s) => s.handled().length === 6);
  step("every instance's cache has both teams:");
  caches.forEach((cache, index) => detail(`${instances[index]!.instanceId}: ${[...cache.values()].join(", ")}`));

  step("the instances shut down; their queues (and subscriptions) go with them, the shared DLQ stays");
  await Promise.all(instances.map((bus) => bus.stop()));
  detail((await listQueues()).join("\n"));

  await teams.stop();
  sqs.destroy();
};

await runIfMain(import.meta.url, title, run);
