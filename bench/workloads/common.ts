// The two loops most workloads are made of: fill a queue with SendMessageBatch(10) from N workers, and
// drain it with ReceiveMessage(10) + DeleteMessageBatch from N workers. Both stop at a count or at the
// phase deadline, whichever comes first, and say which.
import type { OutEntry, QueueApi } from "../clients.js";
import type { Budget, Metric } from "../types.js";
import { fmtCount, makeBody, now, runPool } from "../util.js";

export interface PumpResult {
  target: number;
  count: number;
  elapsedMs: number;
  /** The deadline cut the phase short. */
  reduced: boolean;
  failedEntries: number;
  firstFailure?: string;
  requestErrors: number;
  budgetMs: number;
}

export async function fillQueue(opts: {
  api: QueueApi;
  url: string;
  total: number;
  workers: number;
  budgetMs: number;
  signal: AbortSignal;
  entry: (index: number) => OutEntry;
}): Promise<PumpResult> {
  const start = now();
  let next = 0;
  let count = 0;
  let failedEntries = 0;
  let firstFailure: string | undefined;
  let last = start;
  const pool = await runPool({
    workers: opts.workers,
    deadline: start + opts.budgetMs,
    signal: opts.signal,
    step: async () => {
      if (next >= opts.total) return false;
      const entries: OutEntry[] = [];
      while (entries.length < 10 && next < opts.total) entries.push(opts.entry(next++));
      try {
        const r = await opts.api.sendBatch(opts.url, entries, opts.signal);
        count += r.ok;
        failedEntries += r.failed;
        firstFailure ??= r.firstFailure;
      } catch (err) {
        // The broker may or may not have stored these; they are not counted as sent either way.
        failedEntries += entries.length;
        throw err;
      }
      last = now();
      return true;
    },
  });
  return {
    target: opts.total,
    count,
    elapsedMs: last - start,
    reduced: pool.timedOut && next < opts.total,
    failedEntries,
    firstFailure,
    requestErrors: pool.errors,
    budgetMs: opts.budgetMs,
  };
}

export async function drainQueue(opts: {
  api: QueueApi;
  url: string;
  expected: number;
  workers: number;
  budgetMs: number;
  signal: AbortSignal;
  onBodies?: (bodies: string[], at: number) => void;
}): Promise<PumpResult> {
  const start = now();
  let count = 0;
  let failedEntries = 0;
  let firstFailure: string | undefined;
  let last = start;
  const pool = await runPool({
    workers: opts.workers,
    deadline: start + opts.budgetMs,
    signal: opts.signal,
    step: async () => {
      if (count >= opts.expected) return false;
      // A short long-poll keeps idle workers from spinning once the queue is nearly empty.
      const msgs = await opts.api.receive(opts.url, { max: 10, waitSeconds: 1 }, opts.signal);
      if (msgs.length === 0) return true;
      opts.onBodies?.(
        msgs.map((m) => m.body),
        now(),
      );
      const r = await opts.api.deleteBatch(
        opts.url,
        msgs.map((m) => m.receiptHandle),
        opts.signal,
      );
      count += r.ok;
      failedEntries += r.failed;
      firstFailure ??= r.firstFailure;
      last = now();
      return true;
    },
  });
  return {
    target: opts.expected,
    count,
    elapsedMs: last - start,
    reduced: count < opts.expected,
    failedEntries,
    firstFailure,
    requestErrors: pool.errors,
    budgetMs: opts.budgetMs,
  };
}

export interface SendThenDrain {
  sent: PumpResult;
  drained: PumpResult;
}

/**
 * Fills `url` with `total` messages of `bodyBytes`, then drains what was sent: the pair of phases the
 * throughput and CPU workloads measure. `betweenPhases` runs when the send phase ends and the drain has
 * not begun, for a reading that must split the two.
 */
export async function sendThenDrain(opts: {
  api: QueueApi;
  url: string;
  bodyBytes: number;
  total: number;
  workers: number;
  phaseMs: number;
  signal: AbortSignal;
  betweenPhases?: () => void;
}): Promise<SendThenDrain> {
  const { api, url, workers, signal } = opts;
  const body = makeBody(opts.bodyBytes, "tp");
  const sent = await fillQueue({
    api,
    url,
    total: opts.total,
    workers,
    budgetMs: opts.phaseMs,
    signal,
    entry: (i) => ({ id: `e${i % 10}`, body }),
  });
  opts.betweenPhases?.();
  const drained = await drainQueue({ api, url, expected: sent.count, workers, budgetMs: opts.phaseMs, signal });
  return { sent, drained };
}

export function rate(p: PumpResult): number | null {
  return p.count > 0 && p.elapsedMs > 0 ? (p.count / p.elapsedMs) * 1000 : null;
}

export function reducedNote(p: PumpResult): string | undefined {
  if (!p.reduced) return undefined;
  return `smaller run: ${fmtCount(p.count)} of ${fmtCount(p.target)} messages in the ${p.budgetMs / 1000} s budget`;
}

/** A messages/s metric for a pump phase, marked when the budget cut it short. */
export function rateMetric(key: string, label: string, p: PumpResult): Metric {
  return { key, label, value: rate(p), unit: "msg/s", better: "higher", reduced: reducedNote(p) };
}

/** Failures that did not stop the phase but belong in the report. */
export function pumpNotes(label: string, p: PumpResult): string[] {
  const notes: string[] = [];
  if (p.failedEntries > 0) {
    notes.push(`${label}: ${p.failedEntries} entries failed (${p.firstFailure ?? "request error"})`);
  }
  if (p.requestErrors > 0) notes.push(`${label}: ${p.requestErrors} request errors tolerated`);
  return notes;
}

/** Deletes queues best-effort: cleanup must never turn a measured result into a failure. */
export async function cleanupQueues(api: QueueApi, urls: readonly string[]): Promise<void> {
  await Promise.all(urls.map((u) => api.deleteQueue(u).catch(() => undefined)));
}

/**
 * An untimed send-and-drain on a scratch queue, so the timed phases measure steady state rather than
 * the JIT compiling the SDK (in the harness) and the request path (in the broker).
 */
export async function warmUp(api: QueueApi, prefix: string, budget: Budget, signal: AbortSignal): Promise<void> {
  const url = await api.createQueue(`${prefix}-warm`, { VisibilityTimeout: "600" });
  try {
    const total = budget.quick ? 300 : 5_000;
    await sendThenDrain({ api, url, bodyBytes: 256, total, workers: budget.workers, phaseMs: budget.phaseMs / 4, signal });
  } finally {
    await cleanupQueues(api, [url]);
  }
}
