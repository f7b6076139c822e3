// The performance targets for Sluice (durable), judged only against numbers from the same run: ratios
// to the no-op ceiling and to the peers measured minutes apart on the same machine, never against
// numbers remembered from elsewhere.
import type { Metric, RunResults, SystemRecord, TargetResult } from "./types.js";
import { fmtCount, fmtRatio } from "./util.js";

const SUBJECT = "sluice";
const FULL_BACKLOG = 1_000_000;

/**
 * Metrics that grow with how far a workload got, each with the metric that says how far: a broker's RSS
 * after 2,210 messages says nothing about its RSS after a million, so they are compared only between runs
 * that got equally far, and the report names the pairs it did not compare.
 */
const RUN_SIZE: Record<string, string> = { "backlog.rss": "backlog.size" };

type Lookup = { value: number; metric: Metric } | { reason: string };

function lookup(results: RunResults, system: string, key: string): Lookup {
  const rec = results.systems.find((s) => s.name === system);
  if (!rec) return { reason: `${system} not in this run` };
  if (rec.startError) return { reason: `${system} ${rec.startError}` };
  const workload = key.split(".")[0];
  const owner = workloadOf(workload);
  const outcome = rec.outcomes[owner];
  if (!outcome) return { reason: `${system}: workload ${owner} not in this run` };
  if (outcome.status !== "ok") {
    return { reason: `${system}: ${owner} ${outcome.status}${outcome.error ? ` (${outcome.error})` : ""}` };
  }
  const metric = outcome.metrics.find((m) => m.key === key);
  if (!metric || metric.value === null) {
    return { reason: `${system}: no ${key}${metric?.missing ? ` (${metric.missing})` : ""}` };
  }
  return { value: metric.value, metric };
}

// Metric keys are prefixed by a short name of the workload that produced them.
function workloadOf(prefix: string): string {
  const map: Record<string, string> = { tp: "throughput", lat: "latency" };
  return map[prefix] ?? prefix;
}

function fmt(v: number, unit: string): string {
  if (unit === "msg/s") return `${fmtCount(v)} msg/s`;
  if (unit === "x") return fmtRatio(v);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${unit}`;
}

function ratioTarget(
  results: RunResults,
  id: string,
  description: string,
  key: string,
  reference: string,
  op: ">=" | "<=",
  factor: number,
): TargetResult {
  const a = lookup(results, SUBJECT, key);
  const b = lookup(results, reference, key);
  if ("reason" in a) return { id, description, status: "not measured", detail: a.reason };
  if ("reason" in b) return { id, description, status: "not measured", detail: b.reason };
  const ratio = a.value / b.value;
  const ok = op === ">=" ? ratio >= factor : ratio <= factor;
  return {
    id,
    description,
    status: ok ? "met" : "not met",
    actual: `${ratio.toFixed(2)}× (${fmt(a.value, a.metric.unit)} vs ${fmt(b.value, b.metric.unit)})`,
    detail: a.metric.reduced ?? b.metric.reduced,
  };
}

/**
 * A target judged on a ceiling measured beside Sluice (workloads/throughput.ts, workloads/cpu.ts), not on
 * the ceiling's own run minutes earlier: `keys.ratio` is Sluice over that paired ceiling; `keys.own` and
 * `keys.ceiling` are the two figures it came from, shown beside it.
 */
function pairedTarget(
  results: RunResults,
  id: string,
  description: string,
  keys: { ratio: string; own: string; ceiling: string },
  op: ">=" | "<=",
  factor: number,
  how: string,
): TargetResult {
  const ratio = lookup(results, SUBJECT, keys.ratio);
  if ("reason" in ratio) return { id, description, status: "not measured", detail: ratio.reason };
  const own = lookup(results, SUBJECT, keys.own);
  const paired = lookup(results, SUBJECT, keys.ceiling);
  const values = "value" in own && "value" in paired ? ` (${fmt(own.value, own.metric.unit)} vs ${fmt(paired.value, paired.metric.unit)})` : "";
  return {
    id,
    description,
    status: (op === ">=" ? ratio.value >= factor : ratio.value <= factor) ? "met" : "not met",
    actual: `${fmt(ratio.value, "x")}${values}`,
    detail: ratio.metric.reduced ?? how,
  };
}

const throughputKeys = (key: string) => ({ ratio: `${key}.ratio`, own: key, ceiling: `${key}.ceiling` });
const BESIDE = "against the paired ceiling run just before and after";

function absoluteTarget(
  results: RunResults,
  id: string,
  description: string,
  key: string,
  limit: number,
  caveat?: string,
): TargetResult {
  const a = lookup(results, SUBJECT, key);
  if ("reason" in a) return { id, description, status: "not measured", detail: a.reason };
  return {
    id,
    description,
    status: a.value <= limit ? "met" : "not met",
    actual: fmt(a.value, a.metric.unit),
    detail: [a.metric.reduced, caveat].filter(Boolean).join("; ") || undefined,
  };
}

function aheadOfPeers(results: RunResults): TargetResult {
  const id = "ahead-of-peers";
  const description = "Sluice (SQLite) ahead of every peer on every workload it can run";
  const subject = results.systems.find((s) => s.name === SUBJECT);
  const peers = results.systems.filter((s) => s.peer && !s.startError);
  if (!subject || subject.startError) {
    return { id, description, status: "not measured", detail: subject?.startError ?? `${SUBJECT} not in this run` };
  }
  if (peers.length === 0) return { id, description, status: "not measured", detail: "no peer ran" };
  let comparisons = 0;
  const behind: string[] = [];
  const notCompared: string[] = [];
  for (const [workload, outcome] of Object.entries(subject.outcomes)) {
    if (outcome.status !== "ok") continue;
    for (const m of outcome.metrics) {
      if (m.better === "none" || m.detail || m.value === null) continue;
      for (const peer of peers) {
        const p = valueOf(peer, workload, m.key);
        if (p === null) continue;
        const sizeKey = RUN_SIZE[m.key];
        if (sizeKey !== undefined) {
          const ours = valueOf(subject, workload, sizeKey);
          const theirs = valueOf(peer, workload, sizeKey);
          if (ours !== theirs) {
            const reached = `${peer.name}'s run reached ${fmtCount(theirs ?? 0)}, ${SUBJECT}'s ${fmtCount(ours ?? 0)}`;
            notCompared.push(`${m.key} vs ${peer.name} (${reached})`);
            continue;
          }
        }
        comparisons += 1;
        const ahead = m.better === "higher" ? m.value > p : m.value < p;
        if (!ahead) behind.push(`${m.key} vs ${peer.name} (${fmt(m.value, m.unit)} vs ${fmt(p, m.unit)})`);
      }
    }
  }
  if (comparisons === 0) {
    return { id, description, status: "not measured", detail: "no workload ran on both Sluice and a peer" };
  }
  const items = [...behind.map((b) => `behind on ${b}`), ...notCompared.map((n) => `not compared: ${n}`)];
  const skipped = notCompared.length > 0 ? ` (${notCompared.length} not comparable)` : "";
  return {
    id,
    description,
    status: behind.length === 0 ? "met" : "not met",
    actual: `${comparisons - behind.length} of ${comparisons} comparisons ahead${skipped}`,
    items: items.length > 0 ? items : undefined,
  };
}

function valueOf(rec: SystemRecord, workload: string, key: string): number | null {
  const o = rec.outcomes[workload];
  if (!o || o.status !== "ok") return null;
  return o.metrics.find((m) => m.key === key)?.value ?? null;
}

export function evaluateTargets(results: RunResults): TargetResult[] {
  const size = lookup(results, SUBJECT, "backlog.size");
  const backlogCaveat =
    "value" in size && size.value < FULL_BACKLOG
      ? `backlog was ${fmtCount(size.value)} messages, not ${fmtCount(FULL_BACKLOG)}: indicative only`
      : undefined;
  return [
    pairedTarget(results, "send-256", "256 B send throughput ≥ 0.9 × ceiling", throughputKeys("tp.256.send"), ">=", 0.9, BESIDE),
    pairedTarget(results, "drain-256", "256 B drain throughput ≥ 0.9 × ceiling", throughputKeys("tp.256.drain"), ">=", 0.9, BESIDE),
    pairedTarget(results, "send-64k", "64 KiB send throughput ≥ 0.9 × ceiling", throughputKeys("tp.64k.send"), ">=", 0.9, BESIDE),
    pairedTarget(results, "drain-64k", "64 KiB drain throughput ≥ 0.9 × ceiling", throughputKeys("tp.64k.drain"), ">=", 0.9, BESIDE),
    pairedTarget(
      results,
      "cpu-ceiling",
      "server CPU per message ≤ 1.5 × ceiling's",
      { ratio: "cpu.ratio", own: "cpu.total", ceiling: "cpu.ceiling" },
      "<=",
      1.5,
      "medians of rounds alternating with a paired ceiling",
    ),
    ratioTarget(results, "cpu-fauxqs", "server CPU per message ≤ 0.6 × fauxqs's", "cpu.ratio", "fauxqs", "<=", 0.6),
    absoluteTarget(results, "latency-p50", "Publish → receive p50 ≤ 1 ms", "lat.pub.p50", 1),
    absoluteTarget(results, "latency-p99", "Publish → receive p99 ≤ 5 ms", "lat.pub.p99", 5),
    absoluteTarget(results, "backlog-rss", "backlog RSS ≤ 300 MB", "backlog.rss", 300, backlogCaveat),
    absoluteTarget(
      results,
      "backlog-receive",
      "backlog receive p50 ≤ 1.5 × empty-queue p50",
      "backlog.ratio",
      1.5,
      backlogCaveat,
    ),
    absoluteTarget(results, "restart", "restart to ready ≤ 3 s", "backlog.restart", 3000, backlogCaveat),
    aheadOfPeers(results),
  ];
}
