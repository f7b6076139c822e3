// Before the first measured system, run the harness's own client code hot against the no-op server.
// Otherwise whichever system happens to come first is measured with a cold SDK (JIT, first sockets) and
// loses to the same code a minute later.
import { openQueueApi, openTopicApi } from "./clients.js";
import { noop } from "./systems/noop.js";
import type { Budget, RunningSystem } from "./types.js";
import { errorText, makeBody, manyListeners } from "./util.js";
import { drainQueue, fillQueue } from "./workloads/common.js";

export async function warmHarness(budget: Budget, workDir: string): Promise<string | undefined> {
  let running: RunningSystem;
  try {
    running = await noop.start({ readyTimeoutMs: 15_000, workDir });
  } catch (err) {
    return `harness warm-up skipped: ${errorText(err)}`;
  }
  const sqs = openQueueApi("json", running.endpoint);
  const sns = openTopicApi(running.endpoint);
  const signal = manyListeners(new AbortController().signal);
  try {
    const scale = budget.quick ? 1 : 5;
    for (const [bytes, total] of [
      [256, 3_000 * scale],
      [65_536, 100 * scale],
    ] as const) {
      const url = await sqs.createQueue(`warm-${bytes}`);
      const body = makeBody(bytes, "warm");
      const common = { api: sqs, url, workers: budget.workers, budgetMs: 10_000, signal };
      const sent = await fillQueue({ ...common, total, entry: (i) => ({ id: `e${i % 10}`, body }) });
      await drainQueue({ ...common, expected: sent.count });
    }
    const topic = await sns.createTopic("warm");
    const url = await sqs.createQueue("warm-sns");
    await sns.subscribeQueue(topic, await sqs.queueArn(url), false);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 50 * scale; i += 1) await sns.publish(topic, "warm");
      }),
    );
    return undefined;
  } catch (err) {
    return `harness warm-up incomplete: ${errorText(err)}`;
  } finally {
    sqs.close();
    sns.close();
    await running.stop();
  }
}
