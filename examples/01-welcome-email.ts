/**
 * The users service publishes user.registered on its topic; the notifications service sends a
 * welcome e-mail from its own queue, subscribed with a filter so user.deleted never reaches it.
 */
import { spyOn } from "../src/toolkit/testing/index.js";
import { connect, detail, runIfMain, step, UserDeleted, UserRegistered, type Example } from "./shared.js";

export const title = "Users publishes user.registered; notifications sends a welcome e-mail";

export const run: Example = async (broker) => {
  const users = await connect(broker, { service: "users" });
  const notifications = await connect(broker, { service: "notifications" });
  const spy = spyOn(users, notifications);
  const outbox: string[] = [];

  notifications.consume("send-email-on-user-registered", { events: [UserRegistered], maxReceiveCount: 5, concurrency: 32 }, async (event, ctx) => {
    outbox.push(`To: ${event.data.email} — Welcome, ${event.data.name}! (trace ${ctx.traceId.slice(0, 8)}…)`);
  });

  step("notifications plans its topology (dry run, nothing created yet):");
  detail((await notifications.plan()).format());

  step("notifications starts: topology is created idempotently, then polling begins");
  await notifications.start();
  await users.start();

  step("users publishes user.registered and user.deleted");
  const registered = await users.publish(UserRegistered, { userId: "u-1", email: "ada@example.com", name: "Ada" });
  await users.publish(UserDeleted, { userId: "u-0" });
  detail(JSON.stringify(registered, null, 2));

  await spy.waitForHandled(UserRegistered);
  step("notifications handled it and sent:");
  detail(outbox.join("\n"));

  await new Promise((resolve) => setTimeout(resolve, 300));
  step(`user.deleted was filtered out by SNS: notifications handled ${spy.handled().length} message(s), dead-lettered ${spy.deadLettered().length}`);

  await Promise.all([users.stop(), notifications.stop()]);
};

await runIfMain(import.meta.url, title, run);
