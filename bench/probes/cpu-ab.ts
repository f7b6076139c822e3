// Probe: which of two checkouts of Sluice costs less CPU per message. The cpu workload's ratio to a no-op
// ceiling moves by a fifth between runs on a shared machine; a change worth a tenth needs the two versions
// measured side by side. Both brokers run at once, each measured in turn on the last core (the client on
// the others), rounds alternating which goes first, as the cpu workload pairs a system with its ceiling.
//
// By default the two brokers are warmed with 3,000 messages and measured warm. With `--fresh N` they are
// started afresh N times and each time measured as the cpu workload measures a system: warmed with its
// 5,000 messages, then `--rounds` rounds (5 unless given), which includes what a new process still spends
// on getting up to speed.
//
//   git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/node_modules
//   node --import tsx bench/probes/cpu-ab.ts --a /tmp/before --b . [--rounds 15] [--fresh 8] [--messages 6000] [--body-bytes 256] [--memory]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openQueueApi, type QueueApi } from "../clients.js";
import { fullBudget } from "../config.js";
import { pinned } from "../pinning.js";
import { CpuMeter } from "../proc.js";
import { sluiceSystem } from "../systems/sluice.js";
import type { RunningSystem } from "../types.js";
import { percentile } from "../util.js";
import { sendThenDrain, warmUp } from "../workloads/common.js";
import { numberArg, stringArg } from "./common.js";

interface Side {
  name: string;
  broker: RunningSystem;
  api: QueueApi;
  url: string;
}

const fresh = numberArg("fresh", 0);
const rounds = numberArg("rounds", fresh > 0 ? 5 : 15);
const messages = numberArg("messages", 6_000);
const bodyBytes = numberArg("body-bytes", 256);
const trees = { a: path.resolve(stringArg("a", ".")), b: path.resolve(stringArg("b", ".")) };
const workDir = mkdtempSync(path.join(tmpdir(), "sluice-cpu-ab-"));
const signal = new AbortController().signal;
const med = (values: number[]) => percentile(values, 50) ?? Number.NaN;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

async function startSides(brokers: RunningSystem[]): Promise<Side[]> {
  const sides: Side[] = [];
  for (const [name, tree] of Object.entries(trees)) {
    const system = sluiceSystem(`sluice-${name}`, `Sluice (${tree})`, process.argv.includes("--memory"), tree);
    const broker = await system.start({ readyTimeoutMs: 30_000, workDir });
    brokers.push(broker);
    const api = openQueueApi("json", broker.endpoint);
    const url = await api.createQueue(`ab-${name}`, { VisibilityTimeout: "600" });
    sides.push({ name, broker, api, url });
  }
  return sides;
}

function once(side: Side, total: number): Promise<number> {
  return pinned(side.broker.pid, async () => {
    const meter = new CpuMeter(side.broker.pid);
    const { sent, drained } = await sendThenDrain({ ...side, bodyBytes, total, workers: 16, phaseMs: 60_000, signal });
    if (drained.count < sent.count) throw new Error(`${side.name}: drained ${drained.count} of ${sent.count}`);
    return (meter.elapsedCpuSeconds() / sent.count) * 1e6;
  });
}

/** `count` rounds alternating which side goes first (starting with `first`); each side's µs/msg per round. */
async function measureRounds(sides: Side[], count: number, first: number, label: string): Promise<number[][]> {
  const costs: number[][] = [[], []];
  for (let round = 0; round < count; round++) {
    const order = (round + first) % 2 === 0 ? [0, 1] : [1, 0];
    const got: number[] = [];
    for (const i of order) got[i] = await once(sides[i], messages);
    costs[0].push(got[0]);
    costs[1].push(got[1]);
    console.log(`${label}round ${round + 1}: a ${got[0].toFixed(1)} µs/msg, b ${got[1].toFixed(1)} µs/msg, b/a ${(got[1] / got[0]).toFixed(2)}`);
  }
  return costs;
}

const brokers: RunningSystem[] = [];
try {
  console.log(`a = ${trees.a}\nb = ${trees.b}`);
  if (fresh === 0) {
    const sides = await startSides(brokers);
    for (const side of sides) await once(side, Math.min(3_000, messages));
    const costs = await measureRounds(sides, rounds, 0, "");
    const ratios = costs[0].map((a, i) => costs[1][i] / a);
    console.log(`broker CPU per message (send + receive + delete, ${bodyBytes} B), medians: a ${med(costs[0]).toFixed(1)} µs, b ${med(costs[1]).toFixed(1)} µs`);
    console.log(`b / a per round: median ${med(ratios).toFixed(3)}, range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`);
  } else {
    const ratios: number[] = [];
    for (let start = 0; start < fresh; start++) {
      const sides = await startSides(brokers);
      for (const side of sides) await warmUp(side.api, `ab-${side.name}`, fullBudget, signal);
      const costs = await measureRounds(sides, rounds, start, `start ${start + 1}, `);
      ratios.push(sum(costs[1]) / sum(costs[0]));
      console.log(`start ${start + 1}: b / a over its ${rounds} rounds ${ratios[start].toFixed(3)}`);
      for (const broker of brokers.splice(0)) await broker.stop();
    }
    console.log(`b / a of fresh brokers' CPU over their first ${rounds} rounds after warm-up: median ${med(ratios).toFixed(3)}, range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} (${fresh} starts)`);
  }
} finally {
  for (const broker of brokers) await broker.stop();
  rmSync(workDir, { recursive: true, force: true });
}
