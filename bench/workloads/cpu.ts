// Workload 2: server CPU per message. The same send-then-drain as the throughput workload (256 B), with
// the broker's user+sys CPU read from /proc around each phase. One message costs one share of the send
// phase plus one share of the drain phase.
import { openQueueApi } from "../clients.js";
import { CpuMeter } from "../proc.js";
import type { Metric, WorkloadDef } from "../types.js";
import { makeBody } from "../util.js";
import { cleanupQueues, drainQueue, fillQueue, pumpNotes, reducedNote, warmUp } from "./common.js";

export const cpu: WorkloadDef = {
  name: "cpu",
  title: "2. Server CPU per message (256 B, send + receive + delete)",
  wantsFreshProcess: false,
  heavy: true,
  hardLimitMs: (b) => b.phaseMs * 2 + 60_000,
  async run({ system, running, budget, signal, prefix }) {
    const api = openQueueApi(system.protocol, running.endpoint);
    const url = await api.createQueue(`${prefix}-cpu`, { VisibilityTimeout: "600" });
    try {
      await warmUp(api, prefix, budget, signal);
      const body = makeBody(256, "cpu");
      const sendMeter = new CpuMeter(running.pid);
      const sent = await fillQueue({
        api,
        url,
        total: budget.cpuMessages,
        workers: budget.workers,
        budgetMs: budget.phaseMs,
        signal,
        entry: (i) => ({ id: `e${i % 10}`, body }),
      });
      const sendCpu = sendMeter.elapsedCpuSeconds();
      const drainMeter = new CpuMeter(running.pid);
      const drained = await drainQueue({
        api,
        url,
        expected: sent.count,
        workers: budget.workers,
        budgetMs: budget.phaseMs,
        signal,
      });
      const drainCpu = drainMeter.elapsedCpuSeconds();
      const perSend = sent.count > 0 ? (sendCpu / sent.count) * 1e6 : null;
      const perDrain = drained.count > 0 ? (drainCpu / drained.count) * 1e6 : null;
      const reduced = reducedNote(sent) ?? reducedNote(drained);
      const metrics: Metric[] = [
        {
          key: "cpu.total",
          label: "server CPU per message (µs)",
          value: perSend !== null && perDrain !== null ? perSend + perDrain : null,
          unit: "µs/msg",
          better: "lower",
          reduced,
        },
        {
          key: "cpu.send",
          label: "of which send (µs)",
          value: perSend,
          unit: "µs/msg",
          better: "lower",
          reduced,
          detail: true,
        },
        {
          key: "cpu.drain",
          label: "of which receive+delete (µs)",
          value: perDrain,
          unit: "µs/msg",
          better: "lower",
          reduced,
          detail: true,
        },
      ];
      const notes = [...pumpNotes("send", sent), ...pumpNotes("drain", drained)];
      // A quick run is rough by definition; a full run that is this short is worth saying.
      if (!budget.quick && sendCpu + drainCpu < 0.5) {
        notes.push(`only ${((sendCpu + drainCpu) * 1000).toFixed(0)} ms of server CPU measured (10 ms ticks): rough`);
      }
      return { metrics, notes };
    } finally {
      await cleanupQueues(api, [url]);
      api.close();
    }
  },
};
