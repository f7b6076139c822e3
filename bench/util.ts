// Small helpers shared by the workloads: timing, percentiles and bounded worker pools.
import { setMaxListeners } from "node:events";
import { setTimeout as sleepMs } from "node:timers/promises";

export const now = (): number => performance.now();

/** Milliseconds comparable across the worker threads of one process (each has its own timeOrigin). */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * Every in-flight SDK request listens on the run's abort signal; with 16+ workers that is more than
 * Node's leak-warning threshold of 10, by design.
 */
export function manyListeners(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepMs(ms, undefined, { signal }).catch(() => undefined);
}

/** Nearest-rank percentile; p in 0..100. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const name = err.name && err.name !== "Error" ? `${err.name}: ` : "";
    return `${name}${err.message}`.replace(/\s+/g, " ").slice(0, 300);
  }
  return String(err).slice(0, 300);
}

/**
 * Runs `workers` loops until each returns false, the deadline passes or the signal aborts. The
 * deadline only stops new requests: what is in flight completes, so every message the broker
 * acknowledged is counted. A few transient request errors are tolerated (a real client retries); a
 * steady stream of them means the system cannot run the workload, and the phase fails with the first.
 */
export async function runPool(opts: {
  workers: number;
  deadline: number;
  signal: AbortSignal;
  step: (worker: number) => Promise<boolean>;
  maxErrors?: number;
}): Promise<{ timedOut: boolean; errors: number }> {
  const maxErrors = opts.maxErrors ?? 10;
  let errors = 0;
  let firstError: unknown;
  let timedOut = false;
  let failed = false;
  const loop = async (w: number): Promise<void> => {
    while (!opts.signal.aborted && !failed) {
      if (now() >= opts.deadline) {
        timedOut = true;
        return;
      }
      try {
        if (!(await opts.step(w))) return;
      } catch (err) {
        if (opts.signal.aborted) return;
        errors += 1;
        firstError ??= err;
        if (errors > maxErrors) failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, (_, w) => loop(w)));
  if (opts.signal.aborted) throw opts.signal.reason ?? new Error("aborted");
  if (failed) throw new Error(`${errors} request errors; first: ${errorText(firstError)}`);
  return { timedOut, errors };
}

/** A body of exactly `bytes` UTF-8 bytes, tagged so a receiver can tell messages apart. */
export function makeBody(bytes: number, tag: string): string {
  if (tag.length >= bytes) return tag.slice(0, bytes);
  return tag + "x".repeat(bytes - tag.length);
}

export function fmtCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A ratio with two decimals, or two significant digits when it is that small (a budget-cut run's 0.0047×). */
export function fmtRatio(v: number): string {
  return `${v > 0 && v < 0.1 ? v.toPrecision(2) : v.toFixed(2)}×`;
}
