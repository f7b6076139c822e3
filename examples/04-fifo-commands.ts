/**
 * Asynchronous commands: orders tells users to award loyalty points. Commands go to the users
 * service's FIFO command queue grouped by user: in order for one user, in parallel across users,
 * and a command sent twice is handled once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { spyOn } from "../src/toolkit/testing/index.js";
import { AwardPoints, connect, detail, runIfMain, step, type Example } from "./shared.js";

export const title = "FIFO commands: ordered per user, parallel across users, deduplicated";

export const run: Example = async (broker) => {
  const orders = await connect(broker, { service: "orders", sendsCommandsTo: ["users"] });
  const balances = new Map<string, number>();
  const log: string[] = [];
  const usersInstance = async () => {
    const users = await connect(broker, { service: "users" });
    const commands = users.commands({ concurrency: 8 }).on(AwardPoints, async (command) => {
      await sleep(100);
      balances.set(command.data.userId, (balances.get(command.data.userId) ?? 0) + command.data.points);
      log.push(`${command.data.userId} +${command.data.points} for ${command.data.orderId}`);
    });
    return { users, commands };
  };

  const first = await usersInstance();
  step(`users starts and creates ${first.commands.queue} (with ${first.commands.deadLetterQueue}), then goes down for a deploy`);
  await first.users.start();
  await first.users.stop();

  const plan = await orders.start();
  step(`orders checks the command queue it depends on: ${plan.steps.filter((s) => s.resource === "dependency").map((s) => `${s.name} ${s.change === "unchanged" ? "exists" : s.change}`).join(", ")}`);

  step("meanwhile orders sends three commands for ada and three for bob, and retries one after a timeout");
  for (const [index, points] of [10, 20, 30].entries()) {
    await orders.send(AwardPoints, { userId: "ada", orderId: `o-a${index}`, points });
    await orders.send(AwardPoints, { userId: "bob", orderId: `o-b${index}`, points: points + 1 });
  }
  await orders.send(AwardPoints, { userId: "ada", orderId: "o-a0", points: 10 });

  step("users is back: the commands waited in its queue");
  const second = await usersInstance();
  const spy = spyOn(second.users);
  await second.users.start();
  await spy.waitUntil((s) => s.handled().length === 6);
  await sleep(500);
  step("handled, in order within each user (ada's and bob's run side by side):");
  detail(log.join("\n"));
  step(`balances: ada ${balances.get("ada")}, bob ${balances.get("bob")} — the retried command was deduplicated by the FIFO queue`);

  await Promise.all([second.users.stop(), orders.stop()]);
};

await runIfMain(import.meta.url, title, run);
