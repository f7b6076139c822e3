// Run sizes. The full run follows the spec (1M backlog, 1,000 msg/s latency probe) and stays under
// ~30 minutes on a 2-core machine because every phase is also capped in time: a slow system does a
// smaller run and the table marks it. --quick is a smoke run of the same code paths in ~2 minutes.
import type { Budget } from "./types.js";

export const fullBudget: Budget = {
  quick: false,
  phaseMs: 15_000,
  workers: 16,
  tpMessages256: 100_000,
  tpMessages64k: 10_000,
  cpuMessages: 30_000,
  fanoutPublishes: 5_000,
  fanoutQueues: 10,
  latencyRate: 1_000,
  latencySeconds: 10,
  backlogMessages: 1_000_000,
  backlogFillMs: 180_000,
  backlogSamples: 500,
  fifoMessages: 10_000,
};

export const quickBudget: Budget = {
  quick: true,
  phaseMs: 2_000,
  workers: 16,
  tpMessages256: 4_000,
  tpMessages64k: 200,
  cpuMessages: 2_000,
  fanoutPublishes: 100,
  fanoutQueues: 10,
  latencyRate: 1_000,
  latencySeconds: 1,
  backlogMessages: 20_000,
  backlogFillMs: 8_000,
  backlogSamples: 50,
  fifoMessages: 200,
};

export function readyTimeoutMs(budget: Budget): number {
  return budget.quick ? 15_000 : 30_000;
}
