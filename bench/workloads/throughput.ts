// Workload 1: SQS throughput. 16 workers SendMessageBatch(10) into one queue, then 16 workers drain it
// with ReceiveMessage(10) + DeleteMessageBatch; messages/s per phase, for 256 B and 64 KiB bodies.
//
// The targets are ratios to the no-op ceiling, and on a shared two-core machine the same system's rate
// moves by a fifth or more between minutes, so a ceiling measured at the start of the run says little
// about a system measured twenty minutes later. Each system's send-and-drain is therefore sandwiched
// between two shorter ones on a no-op ceiling started beside it; the ratio to the mean of the two is
// what the targets judge, and it is also what the peers are compared on.
import { openQueueApi, type QueueApi } from "../clients.js";
import type { Budget, Metric, RunningSystem, WorkloadDef } from "../types.js";
import {
  cleanupQueues,
  pumpNotes,
  rate,
  rateMetric,
  reducedNote,
  sendThenDrain,
  warmUp,
  type PumpResult,
  type SendThenDrain,
} from "./common.js";

// ceilingShare: the ceiling's runs are this share of the system's, long enough to be steady (a 64 KiB
// drain of half the messages took two seconds and read anywhere from 0.9× to 1.3× of itself).
const SIZES = [
  { bytes: 256, tag: "256", label: "256 B", ceilingShare: 0.5 },
  { bytes: 65_536, tag: "64k", label: "64 KiB", ceilingShare: 1 },
] as const;

type Size = (typeof SIZES)[number];

interface Side {
  api: QueueApi;
  urls: string[];
}

async function sendAndDrain(side: Side, queue: string, size: Size, total: number, budget: Budget, signal: AbortSignal): Promise<SendThenDrain> {
  // Long enough that a slow drain never sees redeliveries inflate its count.
  const url = await side.api.createQueue(queue, { VisibilityTimeout: "600" });
  side.urls.push(url);
  return sendThenDrain({ api: side.api, url, bodyBytes: size.bytes, total, workers: budget.workers, phaseMs: budget.phaseMs, signal });
}

function meanRate(passes: readonly PumpResult[]): number | null {
  const rates = passes.map(rate).filter((r): r is number => r !== null && r > 0);
  return rates.length === passes.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null;
}

function phaseMetrics(key: string, label: string, own: PumpResult, ceiling: readonly PumpResult[]): Metric[] {
  const ours = rate(own);
  const theirs = meanRate(ceiling);
  const reduced = reducedNote(own);
  return [
    { ...rateMetric(key, `${label} (msg/s)`, own), detail: true },
    { key: `${key}.ceiling`, label: `${label}, paired ceiling (msg/s)`, value: theirs, unit: "msg/s", better: "none", detail: true },
    {
      key: `${key}.ratio`,
      label: `${label} / paired ceiling's (×)`,
      value: ours !== null && theirs !== null ? ours / theirs : null,
      unit: "x",
      better: "higher",
      reduced,
    },
  ];
}

function openSide(running: RunningSystem, protocol: "json" | "query"): Side {
  return { api: openQueueApi(protocol, running.endpoint), urls: [] };
}

export const throughput: WorkloadDef = {
  name: "throughput",
  title: "1. SQS throughput (16 workers, batches of 10)",
  wantsFreshProcess: false,
  // The system's four budgeted phases, the ceiling's eight (about a minute in all on a full run), and a slow
  // system's warm-up and clean-up: moto took 157 s.
  hardLimitMs: (b) => b.phaseMs * 8 + 90_000,
  async run({ system, running, budget, signal, prefix, startCeiling }) {
    const metrics: Metric[] = [];
    const notes: string[] = [];
    const ceiling = await startCeiling();
    const sides: Side[] = [];
    try {
      const subject = openSide(running, system.protocol);
      sides.push(subject);
      const paired = openSide(ceiling, "json");
      sides.push(paired);
      await warmUp(subject.api, prefix, budget, signal);
      await warmUp(paired.api, prefix, budget, signal);
      for (const size of SIZES) {
        const total = size.bytes === 256 ? budget.tpMessages256 : budget.tpMessages64k;
        const ceilingTotal = Math.max(10, Math.round(total * size.ceilingShare));
        const before = await sendAndDrain(paired, `${prefix}-tp-${size.tag}-a`, size, ceilingTotal, budget, signal);
        const own = await sendAndDrain(subject, `${prefix}-tp-${size.tag}`, size, total, budget, signal);
        const after = await sendAndDrain(paired, `${prefix}-tp-${size.tag}-b`, size, ceilingTotal, budget, signal);
        metrics.push(...phaseMetrics(`tp.${size.tag}.send`, `${size.label} send`, own.sent, [before.sent, after.sent]));
        metrics.push(...phaseMetrics(`tp.${size.tag}.drain`, `${size.label} receive+delete`, own.drained, [before.drained, after.drained]));
        notes.push(...pumpNotes(`${size.label} send`, own.sent), ...pumpNotes(`${size.label} drain`, own.drained));
        const beforeSend = rate(before.sent);
        const afterSend = rate(after.sent);
        if (beforeSend !== null && afterSend !== null) {
          notes.push(`${size.label}: paired ceiling's send before and after: ${Math.round(beforeSend)} and ${Math.round(afterSend)} msg/s`);
        }
      }
    } finally {
      for (const side of sides) {
        await cleanupQueues(side.api, side.urls);
        side.api.close();
      }
      await ceiling.stop();
    }
    return { metrics, notes };
  },
};
