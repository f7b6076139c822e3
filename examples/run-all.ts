/**
 * `npm run example`: every example in turn, each against a fresh broker from the same switch
 * point the toolkit tests use (test/toolkit/support.ts).
 */
import { startTestBroker } from "../test/toolkit/support.js";
import * as welcome from "./01-welcome-email.js";
import * as trace from "./02-order-trace.js";
import * as poison from "./03-poison-message.js";
import * as commands from "./04-fifo-commands.js";
import * as cache from "./05-per-instance-cache.js";
import { resetSteps, type Example } from "./shared.js";

const examples: Array<{ title: string; run: Example }> = [welcome, trace, poison, commands, cache];

for (const [index, example] of examples.entries()) {
  process.stdout.write(`\n━━ ${index + 1}. ${example.title}\n`);
  resetSteps();
  const broker = await startTestBroker();
  try {
    await example.run(broker);
  } finally {
    await broker.stop();
  }
}
process.stdout.write("\nall examples ran.\n");
