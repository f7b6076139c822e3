// Workload 6: FIFO throughput with 1, 10 and 100 message groups. Same pumps as the standard-queue
// throughput; messages are spread round-robin over the groups, each with its own deduplication id.
// One group serialises the drain by design (a group with messages in flight yields nothing more).
import { openQueueApi } from "../clients.js";
import type { Metric, WorkloadDef } from "../types.js";
import { makeBody } from "../util.js";
import { cleanupQueues, drainQueue, fillQueue, pumpNotes, rateMetric, warmUp } from "./common.js";

const GROUPS = [1, 10, 100] as const;

export const fifo: WorkloadDef = {
  name: "fifo",
  title: "6. FIFO throughput by number of message groups",
  wantsFreshProcess: false,
  heavy: true,
  unsupported: (s) => (s.supportsFifo ? undefined : "no FIFO queues"),
  hardLimitMs: (b) => b.phaseMs * GROUPS.length + 60_000,
  async run({ system, running, budget, signal, prefix }) {
    const api = openQueueApi(system.protocol, running.endpoint);
    const metrics: Metric[] = [];
    const notes: string[] = [];
    const urls: string[] = [];
    // Six phases share what the throughput workload spends on two.
    const phaseMs = budget.phaseMs / 2;
    try {
      await warmUp(api, prefix, budget, signal);
      for (const groups of GROUPS) {
        const url = await api.createQueue(`${prefix}-fifo-g${groups}.fifo`, {
          FifoQueue: "true",
          VisibilityTimeout: "600",
        });
        urls.push(url);
        const body = makeBody(256, "fifo");
        const sent = await fillQueue({
          api,
          url,
          total: budget.fifoMessages,
          workers: budget.workers,
          budgetMs: phaseMs,
          signal,
          entry: (i) => ({ id: `e${i % 10}`, body, groupId: `g${i % groups}`, dedupId: `${prefix}-${i}` }),
        });
        const drained = await drainQueue({
          api,
          url,
          expected: sent.count,
          workers: budget.workers,
          budgetMs: phaseMs,
          signal,
        });
        const label = `${groups} group${groups === 1 ? "" : "s"}`;
        metrics.push(rateMetric(`fifo.g${groups}.send`, `${label}: send (msg/s)`, sent));
        metrics.push(rateMetric(`fifo.g${groups}.drain`, `${label}: receive+delete (msg/s)`, drained));
        notes.push(...pumpNotes(`${label} send`, sent), ...pumpNotes(`${label} drain`, drained));
      }
    } finally {
      await cleanupQueues(api, urls);
      api.close();
    }
    return { metrics, notes };
  },
};
