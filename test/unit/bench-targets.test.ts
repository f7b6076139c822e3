import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateTargets } from "../../bench/targets.js";
import type { Metric, RunResults, SystemRecord } from "../../bench/types.js";
import { fmtRatio } from "../../bench/util.js";

function system(name: string, peer: boolean, backlog: Array<[string, number, Metric["better"]]>): SystemRecord {
  const units: Record<string, string> = { "backlog.size": "messages", "backlog.rss": "MB", "backlog.fill": "msg/s" };
  const metrics: Metric[] = backlog.map(([key, value, better]) => ({ key, label: key, value, unit: units[key], better }));
  return {
    name,
    label: name,
    protocol: "json",
    peer,
    durable: !peer,
    startupMs: 1,
    outcomes: { backlog: { status: "ok", metrics, notes: [], durationMs: 1 } },
  };
}

function run(systems: SystemRecord[]): RunResults {
  const machine = { cpus: 2, cpuModel: "", memoryMB: 0, node: "", platform: "" };
  const budget = {} as RunResults["budget"];
  return { startedAt: "", finishedAt: "", durationMs: 0, quick: false, argv: [], machine, budget, workloads: [], systems };
}

const ahead = (results: RunResults) => evaluateTargets(results).find((t) => t.id === "ahead-of-peers");

describe("bench targets: ahead of every peer", () => {
  it("compares RSS only with a peer whose backlog got as far, and names the pair it skips", () => {
    const sluice = system("sluice", false, [["backlog.size", 1_000_000, "none"], ["backlog.rss", 198, "lower"], ["backlog.fill", 11_000, "higher"]]);
    const moto = system("moto", true, [["backlog.size", 2_210, "none"], ["backlog.rss", 81, "lower"], ["backlog.fill", 32, "higher"]]);
    const fauxqs = system("fauxqs", true, [["backlog.size", 1_000_000, "none"], ["backlog.rss", 1_402, "lower"], ["backlog.fill", 12_000, "higher"]]);
    const target = ahead(run([sluice, moto, fauxqs]));
    assert.equal(target?.status, "not met");
    assert.equal(target?.actual, "2 of 3 comparisons ahead (1 not comparable)");
    assert.deepEqual(target?.items, [
      "behind on backlog.fill vs fauxqs (11,000 msg/s vs 12,000 msg/s)",
      "not compared: backlog.rss vs moto (moto's run reached 2,210, sluice's 1,000,000)",
    ]);
  });

  it("still counts RSS as behind when the peer's backlog got as far", () => {
    const sluice = system("sluice", false, [["backlog.size", 1_000_000, "none"], ["backlog.rss", 198, "lower"]]);
    const peer = system("lean", true, [["backlog.size", 1_000_000, "none"], ["backlog.rss", 150, "lower"]]);
    const target = ahead(run([sluice, peer]));
    assert.equal(target?.actual, "0 of 1 comparisons ahead");
    assert.deepEqual(target?.items, ["behind on backlog.rss vs lean (198.0 MB vs 150.0 MB)"]);
  });
});

function cpuSystem(name: string, peer: boolean, total: number, ceiling: number): SystemRecord {
  const metric = (key: string, value: number, unit: string, better: Metric["better"]): Metric => ({ key, label: key, value, unit, better });
  const metrics = [
    metric("cpu.total", total, "µs/msg", "lower"),
    metric("cpu.ceiling", ceiling, "µs/msg", "none"),
    metric("cpu.ratio", total / ceiling, "x", "lower"),
  ];
  metrics[0].detail = true;
  metrics[1].detail = true;
  return { ...system(name, peer, []), outcomes: { cpu: { status: "ok", metrics, notes: [], durationMs: 1 } } };
}

describe("bench targets: CPU per message", () => {
  const target = (results: RunResults, id: string) => evaluateTargets(results).find((t) => t.id === id);

  it("judges the ceiling ratio on the ceiling paired with Sluice, not on the ceiling's own run", () => {
    // The ceiling's own run read 30 µs (a quiet minute); Sluice's paired ceiling read 40 µs beside it.
    const results = run([cpuSystem("noop", false, 30, 30), cpuSystem("sluice", false, 56, 40)]);
    const t = target(results, "cpu-ceiling");
    assert.equal(t?.status, "met");
    assert.equal(t?.actual, "1.40× (56.0 µs/msg vs 40.0 µs/msg)");
    assert.equal(t?.detail, "medians of rounds alternating with a paired ceiling");
  });

  it("compares with fauxqs as a ratio of the two paired ratios, and ranks peers on it", () => {
    // Absolute figures favour Sluice (a slower minute for fauxqs); normalised, fauxqs is ahead.
    const results = run([cpuSystem("sluice", false, 60, 36), cpuSystem("fauxqs", true, 66, 44)]);
    const t = target(results, "cpu-fauxqs");
    assert.equal(t?.status, "not met");
    assert.equal(t?.actual, "1.11× (1.67× vs 1.50×)");
    assert.deepEqual(ahead(results)?.items, ["behind on cpu.ratio vs fauxqs (1.67× vs 1.50×)"]);
  });
});

function throughputSystem(name: string, peer: boolean, send: number, ceiling: number): SystemRecord {
  const metrics: Metric[] = [
    { key: "tp.256.send", label: "send", value: send, unit: "msg/s", better: "higher", detail: true },
    { key: "tp.256.send.ceiling", label: "ceiling", value: ceiling, unit: "msg/s", better: "none", detail: true },
    { key: "tp.256.send.ratio", label: "ratio", value: send / ceiling, unit: "x", better: "higher" },
  ];
  return { ...system(name, peer, []), outcomes: { throughput: { status: "ok", metrics, notes: [], durationMs: 1 } } };
}

describe("bench targets: throughput", () => {
  it("judges send against the ceiling run beside Sluice, not against the ceiling's own run", () => {
    // The ceiling's own run met a quiet minute (20,000 msg/s); beside Sluice it read 14,000.
    const results = run([throughputSystem("noop", false, 20_000, 20_000), throughputSystem("sluice", false, 13_300, 14_000)]);
    const t = evaluateTargets(results).find((x) => x.id === "send-256");
    assert.equal(t?.status, "met");
    assert.equal(t?.actual, "0.95× (13,300 msg/s vs 14,000 msg/s)");
    assert.equal(t?.detail, "against the paired ceiling run just before and after");
  });

  it("ranks peers on the paired ratio, not on the absolute rates of different minutes", () => {
    const results = run([throughputSystem("sluice", false, 13_000, 14_000), throughputSystem("fauxqs", true, 15_000, 15_500)]);
    assert.deepEqual(ahead(results)?.items, ["behind on tp.256.send.ratio vs fauxqs (0.93× vs 0.97×)"]);
  });
});

describe("bench ratios as printed", () => {
  it("keep two decimals, and two significant digits where two decimals would read 0.00", () => {
    assert.equal(fmtRatio(1.639), "1.64×");
    assert.equal(fmtRatio(0.0047), "0.0047×");
    assert.equal(fmtRatio(0.08), "0.080×");
    assert.equal(fmtRatio(0), "0.00×");
  });
});
