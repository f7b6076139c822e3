// Workload 5: a large backlog. Fill one queue with 1 KiB messages (1,000,000 in the full run), then
// measure the broker's RSS, how a receive on the backlog compares with a receive on an empty queue, and,
// for brokers with durable storage, how long a restart takes until the broker is ready again.
//
// Receives here take one message (MaxNumberOfMessages 1, no wait), sampled one at a time and
// interleaved between the queues so drift on a shared machine hits all of them alike. Besides the
// truly empty queue (which answers with no message at all) a near-empty queue holding only the sampled
// messages is measured, which isolates the cost of the backlog from the cost of returning a message.
import { openQueueApi, type QueueApi } from "../clients.js";
import { rssBytes } from "../proc.js";
import type { Metric, WorkloadDef } from "../types.js";
import { errorText, fmtCount, makeBody, now, percentile, sleep } from "../util.js";
import { fillQueue, pumpNotes, rateMetric, reducedNote } from "./common.js";

const MB = 1024 * 1024;

async function timedReceive(api: QueueApi, url: string, signal: AbortSignal): Promise<number> {
  const t0 = now();
  await api.receive(url, { max: 1, waitSeconds: 0, visibilityTimeout: 3600 }, signal);
  return now() - t0;
}

export const backlog: WorkloadDef = {
  name: "backlog",
  title: "5. Backlog of 1 KiB messages in one queue",
  // RSS must be the backlog's, not the leftovers of earlier workloads.
  wantsFreshProcess: true,
  heavy: true,
  hardLimitMs: (b) => b.backlogFillMs + b.phaseMs * 2 + 120_000,
  async run(ctx) {
    const { system, budget, signal, prefix } = ctx;
    const metrics: Metric[] = [];
    const notes: string[] = [];
    let api = openQueueApi(system.protocol, ctx.running.endpoint);
    try {
      const rssBefore = rssBytes(ctx.running.pid);
      const url = await api.createQueue(`${prefix}-backlog`, { VisibilityTimeout: "3600" });
      const body = makeBody(1024, "backlog");
      // A slow peer (per-request cost growing with the queue) would only burn the whole allowance to
      // reach a small fraction of the target; a shorter fill says as much.
      const fillMs = system.slow ? Math.min(budget.backlogFillMs, budget.phaseMs * 4) : budget.backlogFillMs;
      const filled = await fillQueue({
        api,
        url,
        total: budget.backlogMessages,
        workers: budget.workers,
        budgetMs: fillMs,
        signal,
        entry: (i) => ({ id: `e${i % 10}`, body }),
      });
      notes.push(...pumpNotes("fill", filled));
      const reduced = reducedNote(filled);
      metrics.push({
        key: "backlog.size",
        label: "backlog reached (messages)",
        value: filled.count,
        unit: "messages",
        better: "none",
        reduced,
      });
      metrics.push(rateMetric("backlog.fill", "fill rate (msg/s)", filled));

      // Give a garbage-collected runtime a moment, then take the highest of a few readings.
      await sleep(budget.quick ? 300 : 2_000, signal);
      let rss = 0;
      for (let i = 0; i < 3; i += 1) {
        rss = Math.max(rss, rssBytes(ctx.running.pid));
        await sleep(100, signal);
      }
      metrics.push({
        key: "backlog.rss",
        label: "broker RSS (MB)",
        value: rss / MB,
        unit: "MB",
        better: "lower",
        reduced,
      });
      notes.push(`RSS before the fill: ${(rssBefore / MB).toFixed(0)} MB`);

      const empty = await api.createQueue(`${prefix}-empty`, { VisibilityTimeout: "3600" });
      const small = await api.createQueue(`${prefix}-small`, { VisibilityTimeout: "3600" });
      await fillQueue({
        api,
        url: small,
        total: budget.backlogSamples,
        workers: 4,
        budgetMs: budget.phaseMs,
        signal,
        entry: (i) => ({ id: `e${i % 10}`, body }),
      });
      const samples = { empty: [] as number[], small: [] as number[], backlog: [] as number[] };
      // A few unrecorded rounds first, so connection setup and JIT are not in the sample.
      for (let i = 0; i < 5; i += 1) await timedReceive(api, empty, signal);
      // Some peers take seconds per receive on a big queue: the sampling has a budget of its own.
      const sampleDeadline = now() + budget.phaseMs;
      for (let i = 0; i < budget.backlogSamples && now() < sampleDeadline; i += 1) {
        samples.empty.push(await timedReceive(api, empty, signal));
        samples.backlog.push(await timedReceive(api, url, signal));
        samples.small.push(await timedReceive(api, small, signal));
      }
      if (samples.backlog.length < budget.backlogSamples) {
        const got = samples.backlog.length;
        notes.push(`only ${got} of ${budget.backlogSamples} receive samples in the ${budget.phaseMs / 1000} s budget`);
      }
      const emptyP50 = percentile(samples.empty, 50);
      const backlogP50 = percentile(samples.backlog, 50);
      const smallP50 = percentile(samples.small, 50);
      const ms = { unit: "ms", better: "lower" } as const;
      metrics.push(
        { key: "backlog.recvP50", label: "receive p50, backlog (ms)", value: backlogP50, ...ms, reduced },
        { key: "backlog.emptyP50", label: "receive p50, empty queue (ms)", value: emptyP50, ...ms, detail: true },
        { key: "backlog.smallP50", label: "receive p50, near-empty queue (ms)", value: smallP50, ...ms, detail: true },
        {
          key: "backlog.ratio",
          label: "backlog / empty receive p50 (×)",
          value: backlogP50 !== null && emptyP50 ? backlogP50 / emptyP50 : null,
          unit: "x",
          better: "lower",
          reduced,
        },
      );

      if (system.durable && ctx.running.restart) {
        const restartMetric: Metric = {
          key: "backlog.restart",
          label: "restart to ready (ms)",
          value: null,
          unit: "ms",
          better: "lower",
          reduced,
        };
        metrics.push(restartMetric);
        try {
          const next = await ctx.running.restart();
          ctx.replaceRunning(next);
          restartMetric.value = next.startupMs;
          api.close();
          api = openQueueApi(system.protocol, next.endpoint);
          const kept = await api.approximateCount(url);
          notes.push(`after the restart the backlog queue holds ${fmtCount(kept)} of ${fmtCount(filled.count)}`);
        } catch (err) {
          // The numbers above stand; only the restart is reported as failed.
          restartMetric.missing = "failed";
          notes.push(`restart: ${errorText(err)}`);
        }
      } else {
        metrics.push({
          key: "backlog.restart",
          label: "restart to ready (ms)",
          value: null,
          unit: "ms",
          better: "lower",
          missing: "in-memory",
        });
      }
    } finally {
      // No queue cleanup: the runner discards this process afterwards, and deleting a million messages
      // is slow on some peers for no information.
      api.close();
    }
    return { metrics, notes };
  },
};
