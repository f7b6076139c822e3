// Workload 1: SQS throughput. 16 workers SendMessageBatch(10) into one queue, then 16 workers drain it
// with ReceiveMessage(10) + DeleteMessageBatch; messages/s per phase, for 256 B and 64 KiB bodies.
import { openQueueApi } from "../clients.js";
import type { Metric, WorkloadDef } from "../types.js";
import { makeBody } from "../util.js";
import { cleanupQueues, drainQueue, fillQueue, pumpNotes, rateMetric, warmUp } from "./common.js";

const SIZES = [
  { bytes: 256, tag: "256", label: "256 B" },
  { bytes: 65_536, tag: "64k", label: "64 KiB" },
] as const;

export const throughput: WorkloadDef = {
  name: "throughput",
  title: "1. SQS throughput (16 workers, batches of 10)",
  wantsFreshProcess: false,
  hardLimitMs: (b) => b.phaseMs * 4 + 60_000,
  async run({ system, running, budget, signal, prefix }) {
    const api = openQueueApi(system.protocol, running.endpoint);
    const metrics: Metric[] = [];
    const notes: string[] = [];
    const urls: string[] = [];
    try {
      await warmUp(api, prefix, budget, signal);
      for (const size of SIZES) {
        // Long enough that a slow drain never sees redeliveries inflate its count.
        const url = await api.createQueue(`${prefix}-tp-${size.tag}`, { VisibilityTimeout: "600" });
        urls.push(url);
        const body = makeBody(size.bytes, "tp");
        const total = size.bytes === 256 ? budget.tpMessages256 : budget.tpMessages64k;
        const sent = await fillQueue({
          api,
          url,
          total,
          workers: budget.workers,
          budgetMs: budget.phaseMs,
          signal,
          entry: (i) => ({ id: `e${i % 10}`, body }),
        });
        const drained = await drainQueue({
          api,
          url,
          expected: sent.count,
          workers: budget.workers,
          budgetMs: budget.phaseMs,
          signal,
        });
        metrics.push(rateMetric(`tp.${size.tag}.send`, `${size.label} send (msg/s)`, sent));
        metrics.push(rateMetric(`tp.${size.tag}.drain`, `${size.label} receive+delete (msg/s)`, drained));
        notes.push(...pumpNotes(`${size.label} send`, sent), ...pumpNotes(`${size.label} drain`, drained));
      }
    } finally {
      await cleanupQueues(api, urls);
      api.close();
    }
    return { metrics, notes };
  },
};
