/** The outcome of looking at (and maybe changing) a service's topology, printable as a dry run. */

export type TopologyMode = "ensure" | "verify" | "plan";

export interface PlanStep {
  readonly resource: "topic" | "queue" | "queue-policy" | "subscription" | "dependency";
  readonly name: string;
  /** In "ensure" mode what was done; in "verify" and "plan" what would be needed. */
  readonly change: "create" | "update" | "unchanged" | "missing";
  readonly details: readonly string[];
  /** In verify mode, whether the difference keeps the service from starting. */
  readonly blocking: boolean;
}

export interface TopologyPlan {
  readonly service: string;
  readonly mode: TopologyMode;
  readonly steps: readonly PlanStep[];
  /** False when a verify found a blocking difference. */
  readonly ok: boolean;
  /** Human-readable, one line per resource. */
  format(): string;
}

const MARK: Record<PlanStep["change"], string> = { create: "+", update: "~", unchanged: "=", missing: "!" };

export function makePlan(service: string, mode: TopologyMode, steps: readonly PlanStep[]): TopologyPlan {
  const ok = steps.every((step) => !step.blocking);
  return {
    service,
    mode,
    steps,
    ok,
    format() {
      const verb = mode === "ensure" ? "ensured" : mode === "verify" ? "verified" : "planned (dry run, nothing changed)";
      const lines = [`topology of service "${service}" ${verb}:`];
      const width = Math.max(0, ...steps.map((step) => step.resource.length));
      for (const step of steps) {
        const change = step.change === "unchanged" ? "ok" : step.change;
        lines.push(`  ${MARK[step.change]} ${change.padEnd(9)} ${step.resource.padEnd(width)}  ${step.name}${step.blocking && mode === "verify" ? "  (blocking)" : ""}`);
        for (const detail of step.details) lines.push(`      ${detail}`);
      }
      return lines.join("\n");
    },
  };
}

export class TopologyError extends Error {
  readonly plan: TopologyPlan;
  constructor(plan: TopologyPlan) {
    super(`topology of "${plan.service}" does not match what it needs:\n${plan.format()}`);
    this.name = "TopologyError";
    this.plan = plan;
  }
}
