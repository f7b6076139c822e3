// Turning a run into something to read (the table, footnotes and targets) and something to keep (JSON).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Metric, Outcome, RunResults, SystemRecord, TargetResult } from "./types.js";
import { fmtCount, fmtRatio } from "./util.js";

function fmtValue(v: number, unit: string): string {
  if (unit === "msg/s" || unit === "messages") return fmtCount(v);
  if (unit === "x") return fmtRatio(v);
  if (v >= 100) return fmtCount(v);
  return v.toFixed(v < 10 ? 2 : 1);
}

function statusCell(o: Outcome): string {
  switch (o.status) {
    case "unsupported":
      return "unsupported";
    case "failed":
      return "FAILED";
    case "timeout":
      return "TIMEOUT";
    case "skipped":
      return "skipped";
    case "ok":
      return "—";
  }
}

function cell(rec: SystemRecord, workload: string, key: string | undefined): string {
  if (rec.startError) return "no start";
  const o = rec.outcomes[workload];
  if (!o) return "";
  if (o.status !== "ok" || key === undefined) return statusCell(o);
  const m = o.metrics.find((x) => x.key === key);
  if (!m) return "—";
  if (m.value === null) return m.missing ?? "—";
  return fmtValue(m.value, m.unit) + (m.reduced ? "*" : "");
}

interface Row {
  label: string;
  cells: string[];
  heading?: boolean;
}

export function renderTable(results: RunResults): string {
  const systems = results.systems;
  const rows: Row[] = [];
  // Titles carry the spec's numbering; the run order differs (the backlog runs last).
  const ordered = [...results.workloads].sort((a, b) => parseInt(a.title, 10) - parseInt(b.title, 10));
  for (const wl of ordered) {
    rows.push({ label: wl.title, cells: systems.map(() => ""), heading: true });
    // Rows are the union of what any system reported, in the order first seen.
    const metrics: Metric[] = [];
    for (const rec of systems) {
      for (const m of rec.outcomes[wl.name]?.metrics ?? []) {
        if (!metrics.some((x) => x.key === m.key)) metrics.push(m);
      }
    }
    if (metrics.length === 0) {
      rows.push({ label: "  (no results)", cells: systems.map((s) => cell(s, wl.name, undefined)) });
      continue;
    }
    for (const m of metrics) {
      rows.push({ label: `  ${m.label.trim()}`, cells: systems.map((s) => cell(s, wl.name, m.key)) });
    }
  }
  const header = ["", ...systems.map((s) => s.name)];
  const labelWidth = Math.max(...rows.map((r) => r.label.length), 10);
  const widths = systems.map((s, i) => Math.max(s.name.length, ...rows.map((r) => r.cells[i].length)));
  const line = (label: string, cells: string[]): string =>
    [label.padEnd(labelWidth), ...cells.map((c, i) => c.padStart(widths[i]))].join("  ").trimEnd();
  const out = [line(header[0], header.slice(1)), "-".repeat(labelWidth + widths.reduce((a, w) => a + w + 2, 0))];
  for (const r of rows) out.push(r.heading ? r.label : line(r.label, r.cells));
  return out.join("\n");
}

export function renderFootnotes(results: RunResults): string {
  const systemsLines: string[] = [];
  // Metrics cut short by the same phase share one line, with the metrics it concerns.
  const reduced = new Map<string, string[]>();
  const failures: string[] = [];
  const notes: string[] = [];
  for (const rec of results.systems) {
    const wire = rec.protocol === "json" ? "SQS JSON" : "SQS Query";
    const state = rec.startError ?? `ready in ${fmtCount(rec.startupMs ?? 0)} ms (${wire})`;
    systemsLines.push(`  ${rec.name.padEnd(14)} ${rec.label}: ${state}`);
    for (const [wl, o] of Object.entries(rec.outcomes)) {
      const where = `${rec.name} / ${wl}`;
      if (o.status === "failed" || o.status === "timeout") failures.push(`  ${where}: ${o.error ?? o.status}`);
      if (o.status === "unsupported" || o.status === "skipped") {
        notes.push(`  ${where}: ${o.status}${o.error ? ` (${o.error})` : ""}`);
      }
      for (const m of o.metrics) {
        if (!m.reduced) continue;
        const line = `  ${where}: ${m.reduced}`;
        reduced.set(line, [...(reduced.get(line) ?? []), m.label.replace(/ \(.*\)$/, "").trim()]);
      }
      for (const n of o.notes) notes.push(`  ${where}: ${n}`);
    }
  }
  const parts = ["Systems:", ...systemsLines];
  if (reduced.size > 0) {
    parts.push("", "* smaller run (the system used up its time budget):");
    for (const [line, labels] of reduced) parts.push(`${line} (${labels.join("; ")})`);
  }
  if (failures.length > 0) parts.push("", "Failures:", ...failures);
  if (notes.length > 0) parts.push("", "Notes:", ...notes);
  return parts.join("\n");
}

export function renderTargets(targets: TargetResult[], quick: boolean): string {
  const width = Math.max(...targets.map((t) => t.description.length));
  const caveat = quick ? "; a quick run's sizes make these indicative only" : "";
  const lines = [`Targets (Sluice with SQLite, ratios from this run${caveat}):`];
  for (const t of targets) {
    const mark = t.status === "met" ? "met" : t.status === "not met" ? "NOT MET" : "not measured";
    const said = [t.actual, t.detail && `(${t.detail})`].filter(Boolean).join(" ");
    lines.push(`  ${t.description.padEnd(width)}  ${mark.padEnd(12)}  ${said}`.trimEnd());
    for (const item of t.items ?? []) lines.push(`    - ${item}`);
  }
  return lines.join("\n");
}

export function writeJson(file: string, results: RunResults, targets: TargetResult[]): string {
  const abs = path.resolve(file);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, JSON.stringify({ ...results, targets }, null, 2) + "\n");
  return abs;
}
