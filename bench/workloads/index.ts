// The workloads in the order they run and appear in the table. The backlog goes last because it wants
// a fresh broker and leaves a full one behind.
import type { WorkloadDef } from "../types.js";
import { backlog } from "./backlog.js";
import { cpu } from "./cpu.js";
import { fanout } from "./fanout.js";
import { fifo } from "./fifo.js";
import { latency } from "./latency.js";
import { throughput } from "./throughput.js";

export const allWorkloads: readonly WorkloadDef[] = [throughput, cpu, fanout, latency, fifo, backlog];
