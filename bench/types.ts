// Shared shapes between the runner, the systems, the workloads and the report.

export type WireProtocol = "json" | "query";

/** A started broker process. */
export interface RunningSystem {
  readonly endpoint: string;
  readonly pid: number;
  /** Milliseconds from spawn to the readiness probe answering. */
  readonly startupMs: number;
  stop(): Promise<void>;
  /**
   * Stop and start again on the same storage; resolves with the new process and the time from
   * spawn to ready. Only systems with durable storage offer it.
   */
  restart?(): Promise<RunningSystem>;
}

export interface SystemDef {
  readonly name: string;
  readonly label: string;
  /** Which SQS client talks to it: the JSON-protocol SDK or the old Query-protocol SDK. */
  readonly protocol: WireProtocol;
  readonly supportsSns: boolean;
  readonly supportsFifo: boolean;
  readonly durable: boolean;
  /** The real competitors Sluice must beat (not the ceiling, not Sluice's own variants). */
  readonly peer: boolean;
  /** So slow that a quick run skips its heavy workloads to stay a smoke run. */
  readonly slow?: boolean;
  start(opts: StartOptions): Promise<RunningSystem>;
}

export interface StartOptions {
  readyTimeoutMs: number;
  /** Where a system may keep data and logs; removed at the end of the run. */
  workDir: string;
}

export type Better = "higher" | "lower" | "none";

export interface Metric {
  key: string;
  label: string;
  value: number | null;
  unit: string;
  better: Better;
  /** Set when the system ran out of its time budget and this number comes from a smaller run. */
  reduced?: string;
  /** Why value is null, shown in the table instead of a number (e.g. "unsupported"). */
  missing?: string;
  /** A breakdown or a baseline shown for context, not a result of its own in peer comparisons. */
  detail?: boolean;
}

export type OutcomeStatus = "ok" | "failed" | "unsupported" | "skipped" | "timeout";

export interface Outcome {
  status: OutcomeStatus;
  error?: string;
  metrics: Metric[];
  notes: string[];
  durationMs: number;
}

export interface Budget {
  quick: boolean;
  /** Wall-clock allowance for one timed phase of a workload. */
  phaseMs: number;
  /** Sending/draining concurrency (the spec fixes it at 16). */
  workers: number;
  tpMessages256: number;
  tpMessages64k: number;
  cpuMessages: number;
  fanoutPublishes: number;
  fanoutQueues: number;
  latencyRate: number;
  latencySeconds: number;
  backlogMessages: number;
  backlogFillMs: number;
  backlogSamples: number;
  fifoMessages: number;
}

export interface WorkloadContext {
  system: SystemDef;
  /** The current process; backlog replaces it when it restarts a durable system. */
  running: RunningSystem;
  replaceRunning(next: RunningSystem): void;
  budget: Budget;
  signal: AbortSignal;
  /** Unique per run so queues of different workloads never collide on a reused broker. */
  prefix: string;
  /** Starts a fresh no-op ceiling beside the system, for measurements paired round by round; the caller stops it. */
  startCeiling(): Promise<RunningSystem>;
}

export interface WorkloadDef {
  readonly name: string;
  readonly title: string;
  /** Returns a reason when the workload cannot run on this system (reported as 'unsupported'). */
  unsupported?(system: SystemDef): string | undefined;
  /** Whether the workload restarts or fills the broker so much that it wants a fresh process. */
  readonly wantsFreshProcess: boolean;
  /** Skipped for slow systems in a quick run. */
  readonly heavy?: boolean;
  /** Beyond this the workload is aborted and reported as timed out. */
  hardLimitMs(budget: Budget): number;
  run(ctx: WorkloadContext): Promise<{ metrics: Metric[]; notes: string[] }>;
}

export class UnsupportedError extends Error {}

export interface SystemRecord {
  name: string;
  label: string;
  protocol: WireProtocol;
  peer: boolean;
  durable: boolean;
  /** Time to ready of the first start; null when it never started. */
  startupMs: number | null;
  startError?: string;
  outcomes: Record<string, Outcome>;
}

export interface RunResults {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  quick: boolean;
  argv: string[];
  machine: { cpus: number; cpuModel: string; memoryMB: number; node: string; platform: string };
  budget: Budget;
  workloads: { name: string; title: string }[];
  systems: SystemRecord[];
}

export type TargetStatus = "met" | "not met" | "not measured";

export interface TargetResult {
  id: string;
  description: string;
  status: TargetStatus;
  actual?: string;
  detail?: string;
  /** One line each in the report (e.g. where Sluice is behind a peer). */
  items?: string[];
}
