import { describeQueue, policyDetails, type SplitRequirements } from "./model.js";
import type { PlanStep } from "./plan.js";
import { filterPolicy } from "./policies.js";

/** The plan for an empty account, computed without calling AWS (e.g. in CI, without credentials). */
export function offlineSteps(requirements: SplitRequirements): PlanStep[] {
  const steps: PlanStep[] = [];
  for (const part of [requirements.shared, requirements.ephemeral]) {
    for (const topic of part.topics) {
      steps.push({ resource: "topic", name: topic.name, change: "create", details: [topic.own ? "own domain events" : "subscribed to"], blocking: false });
    }
    for (const queue of part.queues) {
      steps.push({ resource: "queue", name: queue.name, change: "create", details: describeQueue(queue), blocking: false });
      if (queue.subscriptions.length > 0) {
        steps.push({ resource: "queue-policy", name: queue.name, change: "create", details: policyDetails(queue), blocking: false });
      }
    }
    for (const queue of part.queues) {
      for (const subscription of queue.subscriptions) {
        steps.push({
          resource: "subscription",
          name: `${subscription.topic} → ${queue.name}`,
          change: "create",
          details: [`filter ${filterPolicy(subscription.eventTypes)}`, "raw message delivery"],
          blocking: false,
        });
      }
    }
    for (const name of part.dependencies) {
      steps.push({ resource: "dependency", name, change: "unchanged", details: ["sent to; owned by another service"], blocking: false });
    }
  }
  return steps;
}
