// Workload 2: server CPU per message. The same send-then-drain as the throughput workload (256 B), with
// the broker's user+sys CPU read from /proc around each phase. One message costs one share of the send
// phase plus one share of the drain phase.
//
// On a shared two-core machine the CPU a message costs moves by up to 2× between minutes, for every system
// alike, and the systems of a run are measured minutes apart. So each system is measured in rounds that
// alternate with a no-op ceiling started beside it: the ratio of the two within a round cancels what the
// machine was doing then, and the median of the rounds' ratios is what the targets judge. Each measured
// server also gets a core of its own for its rounds (see pinning.ts): sharing both cores with the client
// made even the ceiling against itself read anywhere from 0.8× to 1.4×; pinned, it reads 0.95–1.05×.
import { openQueueApi, type QueueApi } from "../clients.js";
import { CpuMeter } from "../proc.js";
import { canPin, pinned } from "../pinning.js";
import type { Budget, Metric, RunningSystem, WorkloadDef } from "../types.js";
import { percentile } from "../util.js";
import { cleanupQueues, pumpNotes, reducedNote, sendThenDrain, warmUp, type PumpResult } from "./common.js";

interface Side {
  name: string;
  api: QueueApi;
  url: string;
  pid: number;
}

interface RoundCost {
  send: number | null;
  drain: number | null;
  sent: PumpResult;
  drained: PumpResult;
}

const ROUNDS_FULL = 5;

async function measure(side: Side, messages: number, budget: Budget, phaseMs: number, signal: AbortSignal) {
  const sendMeter = new CpuMeter(side.pid);
  let sendCpu = 0;
  let drainMeter: CpuMeter | undefined;
  const { sent, drained } = await sendThenDrain({
    api: side.api,
    url: side.url,
    bodyBytes: 256,
    total: messages,
    workers: budget.workers,
    phaseMs,
    signal,
    betweenPhases: () => {
      sendCpu = sendMeter.elapsedCpuSeconds();
      drainMeter = new CpuMeter(side.pid);
    },
  });
  const drainCpu = drainMeter?.elapsedCpuSeconds() ?? 0;
  const cost: RoundCost = {
    send: sent.count > 0 ? (sendCpu / sent.count) * 1e6 : null,
    drain: drained.count > 0 ? (drainCpu / drained.count) * 1e6 : null,
    sent,
    drained,
  };
  return { cost, cpuSeconds: sendCpu + drainCpu };
}

const total = (c: RoundCost): number | null => (c.send !== null && c.drain !== null ? c.send + c.drain : null);

function median(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : percentile(known, 50);
}

async function openSide(name: string, running: RunningSystem, protocol: "json" | "query", queue: string): Promise<Side> {
  const api = openQueueApi(protocol, running.endpoint);
  const url = await api.createQueue(queue, { VisibilityTimeout: "600" });
  return { name, api, url, pid: running.pid };
}

export const cpu: WorkloadDef = {
  name: "cpu",
  title: "2. Server CPU per message (256 B, send + receive + delete)",
  wantsFreshProcess: false,
  heavy: true,
  // The subject's phases share the usual two phase budgets across the rounds; the ceiling's are quick.
  hardLimitMs: (b) => b.phaseMs * 4 + 120_000,
  async run({ system, running, budget, signal, prefix, startCeiling }) {
    const rounds = budget.quick ? 1 : ROUNDS_FULL;
    const perRound = Math.ceil(budget.cpuMessages / rounds);
    const phaseMs = budget.phaseMs / rounds;
    const ceiling = await startCeiling();
    const sides: Side[] = [];
    try {
      const subject = await openSide(system.name, running, system.protocol, `${prefix}-cpu`);
      sides.push(subject);
      const paired = await openSide("ceiling", ceiling, "json", `${prefix}-cpu`);
      sides.push(paired);
      await warmUp(subject.api, prefix, budget, signal);
      await warmUp(paired.api, prefix, budget, signal);

      const own: RoundCost[] = [];
      const ratios: Array<number | null> = [];
      const ceilingTotals: Array<number | null> = [];
      let cpuSeconds = 0;
      for (let round = 0; round < rounds; round++) {
        // Alternating which goes first keeps a steady drift of the machine from favouring either.
        const order = round % 2 === 0 ? [subject, paired] : [paired, subject];
        const got = new Map<Side, RoundCost>();
        for (const side of order) {
          const m = await pinned(side.pid, () => measure(side, perRound, budget, phaseMs, signal));
          got.set(side, m.cost);
          if (side === subject) cpuSeconds += m.cpuSeconds;
        }
        const mine = got.get(subject)!;
        const theirs = total(got.get(paired)!);
        own.push(mine);
        ceilingTotals.push(theirs);
        const ours = total(mine);
        ratios.push(ours !== null && theirs !== null && theirs > 0 ? ours / theirs : null);
      }

      const reduced = own.map((c) => reducedNote(c.sent) ?? reducedNote(c.drained)).find(Boolean);
      const metrics: Metric[] = [
        {
          key: "cpu.total",
          label: "server CPU per message (µs)",
          value: median(own.map(total)),
          unit: "µs/msg",
          better: "lower",
          reduced,
          detail: true,
        },
        {
          key: "cpu.send",
          label: "of which send (µs)",
          value: median(own.map((c) => c.send)),
          unit: "µs/msg",
          better: "lower",
          reduced,
          detail: true,
        },
        {
          key: "cpu.drain",
          label: "of which receive+delete (µs)",
          value: median(own.map((c) => c.drain)),
          unit: "µs/msg",
          better: "lower",
          reduced,
          detail: true,
        },
        {
          key: "cpu.ceiling",
          label: "paired no-op ceiling, same rounds (µs)",
          value: median(ceilingTotals),
          unit: "µs/msg",
          better: "none",
          detail: true,
        },
        {
          key: "cpu.ratio",
          label: "CPU per message / paired ceiling's (×)",
          value: median(ratios),
          unit: "x",
          better: "lower",
          reduced,
        },
      ];
      const notes = own.flatMap((c, i) => [...pumpNotes(`round ${i + 1} send`, c.sent), ...pumpNotes(`round ${i + 1} drain`, c.drained)]);
      const spread = ratios.filter((r): r is number => r !== null);
      if (spread.length > 1) {
        notes.push(`ratio to the paired ceiling per round: ${spread.map((r) => `${r.toFixed(2)}×`).join(", ")}`);
      }
      if (!canPin()) notes.push("server not pinned to a core of its own (no taskset, or one core): rounds vary more");
      // A quick run is rough by definition; a full run that is this short is worth saying.
      if (!budget.quick && cpuSeconds < 0.5) {
        notes.push(`only ${(cpuSeconds * 1000).toFixed(0)} ms of server CPU measured (10 ms ticks): rough`);
      }
      return { metrics, notes };
    } finally {
      for (const side of sides) {
        await cleanupQueues(side.api, [side.url]);
        side.api.close();
      }
      await ceiling.stop();
    }
  },
};
