/**
 * What the examples share: the services' event and command declarations (in a real system each
 * service's own package exports them), a printer, and a way to run one example on its own.
 */
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { defineCommand, defineEvent, type Bus, type BusOptions } from "../src/toolkit/index.js";
import { connectTestBus, type TestBroker } from "../src/toolkit/testing/index.js";
import { startTestBroker } from "../test/toolkit/support.js";

// users service
export const UserRegistered = defineEvent("user.registered", {
  source: "users",
  version: 1,
  context: "USER_ONBOARDING",
  schema: z.object({ userId: z.string(), email: z.string().email(), name: z.string() }),
});
export const UserDeleted = defineEvent("user.deleted", { source: "users", version: 1, context: "USER_ONBOARDING", schema: z.object({ userId: z.string() }) });
export const AwardPoints = defineCommand("users.award-points", {
  target: "users",
  version: 1,
  context: "LOYALTY",
  schema: z.object({ userId: z.string(), orderId: z.string(), points: z.number().int().positive() }),
  groupBy: (command) => command.userId,
});

// orders service
export const OrderPlaced = defineEvent("order.placed", {
  source: "orders",
  version: 1,
  context: "ORDER_PROCESSING",
  schema: z.object({ orderId: z.string(), userId: z.string(), total: z.number().positive() }),
});
export const OrderConfirmed = defineEvent("order.confirmed", {
  source: "orders",
  version: 1,
  context: "ORDER_PROCESSING",
  schema: z.object({ orderId: z.string(), userId: z.string() }),
});

// payments service
export const PaymentCaptured = defineEvent("payment.captured", {
  source: "payments",
  version: 1,
  context: "ORDER_PROCESSING",
  schema: z.object({ orderId: z.string(), userId: z.string(), amount: z.number().positive() }),
});

// teams service
export const TeamCreated = defineEvent("team.created", {
  source: "teams",
  version: 1,
  context: "LEAGUE_MANAGEMENT",
  schema: z.object({ teamId: z.string(), name: z.string() }),
});

export type Example = (broker: TestBroker) => Promise<void>;

let counter = 0;
export function step(text: string): void {
  counter += 1;
  process.stdout.write(`  ${String(counter).padStart(2)}. ${text}\n`);
}

export function detail(text: string): void {
  process.stdout.write(`${text.replace(/^/gm, "        ")}\n`);
}

export function resetSteps(): void {
  counter = 0;
}

/** A bus for one service of an example: quiet unless a logger is given. */
export function connect(broker: TestBroker, options: BusOptions): Promise<Bus> {
  return connectTestBus(broker, options);
}

/** Lets `node --import tsx examples/<file>.ts` run one example with a broker of its own. */
export async function runIfMain(moduleUrl: string, title: string, example: Example): Promise<void> {
  if (!process.argv[1] || pathToFileURL(process.argv[1]).href !== moduleUrl) return;
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  const broker = await startTestBroker();
  try {
    process.stdout.write(`${title}\n`);
    await example(broker);
  } finally {
    await broker.stop();
  }
}
