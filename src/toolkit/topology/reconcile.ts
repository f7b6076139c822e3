import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SetSubscriptionAttributesCommand, SubscribeCommand, type SNSClient } from "@aws-sdk/client-sns";
import { findQueue, findSubscription, listTopics } from "./aws-state.js";
import { describeQueue as describe, policyDetails, type QueueRequirement, type TopologyRequirements } from "./model.js";
import type { PlanStep, TopologyMode } from "./plan.js";
import {
  filterPolicy,
  mergedQueuePolicy,
  parseRedrivePolicy,
  policyAllowsTopics,
  redrivePolicy,
  sameFilterPolicy,
} from "./policies.js";

export interface ResolvedQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** As the queue has it; in verify mode infrastructure-as-code may have chosen differently. */
  readonly visibilityTimeout: number;
  readonly maxReceiveCount: number | undefined;
}

export interface Resolved {
  /** Topic name → ARN. */
  readonly topics: Map<string, string>;
  readonly queues: Map<string, ResolvedQueue>;
  /** Queue name → subscription ARNs feeding it. */
  readonly subscriptions: Map<string, string[]>;
}

export interface ReconcileResult {
  readonly steps: PlanStep[];
  readonly resolved: Resolved;
}

interface Run {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly mode: TopologyMode;
  readonly steps: PlanStep[];
  readonly resolved: Resolved;
}

const apply = (run: Run): boolean => run.mode === "ensure";

function step(run: Run, entry: PlanStep): void {
  run.steps.push(entry);
}

/**
 * Walks the requirements in dependency order (topics, dead-letter queues, queues, policies,
 * subscriptions). In "ensure" mode it creates what is missing and converges what drifted, so
 * running it twice changes nothing; in "verify" and "plan" it only reads.
 */
export async function reconcile(
  clients: { readonly sqs: SQSClient; readonly sns: SNSClient },
  requirements: TopologyRequirements,
  mode: TopologyMode,
  known?: Resolved,
): Promise<ReconcileResult> {
  const run: Run = {
    ...clients,
    mode,
    steps: [],
    resolved: {
      topics: new Map(known?.topics),
      queues: new Map(known?.queues),
      subscriptions: new Map(),
    },
  };
  await reconcileTopics(run, requirements);
  for (const queue of requirements.queues) await reconcileQueue(run, queue);
  for (const queue of requirements.queues) await reconcileSubscriptions(run, queue);
  for (const name of requirements.dependencies) await checkDependency(run, name);
  return { steps: run.steps, resolved: run.resolved };
}

async function reconcileTopics(run: Run, requirements: TopologyRequirements): Promise<void> {
  const wanted = requirements.topics.filter((topic) => !run.resolved.topics.has(topic.name));
  if (wanted.length === 0) return;
  const existing = await listTopics(run.sns);
  for (const topic of wanted) {
    const arn = existing.get(topic.name);
    const owner = topic.own ? "own domain events" : "subscribed to";
    if (arn) {
      run.resolved.topics.set(topic.name, arn);
      step(run, { resource: "topic", name: topic.name, change: "unchanged", details: [], blocking: false });
    } else if (apply(run)) {
      const created = await run.sns.send(new CreateTopicCommand({ Name: topic.name }));
      if (created.TopicArn) run.resolved.topics.set(topic.name, created.TopicArn);
      step(run, { resource: "topic", name: topic.name, change: "create", details: [owner], blocking: false });
    } else {
      step(run, { resource: "topic", name: topic.name, change: run.mode === "verify" ? "missing" : "create", details: [owner], blocking: true });
    }
  }
}

function desiredAttributes(queue: QueueRequirement, deadLetterArn: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (queue.visibilityTimeout !== undefined) attributes["VisibilityTimeout"] = String(queue.visibilityTimeout);
  if (queue.retentionSeconds !== undefined) attributes["MessageRetentionPeriod"] = String(queue.retentionSeconds);
  if (queue.deadLetter && deadLetterArn) {
    attributes["RedrivePolicy"] = redrivePolicy({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: queue.deadLetter.maxReceiveCount });
  }
  return attributes;
}

function resolveQueue(run: Run, name: string, url: string, attributes: Readonly<Record<string, string>>): void {
  run.resolved.queues.set(name, {
    name,
    url,
    arn: attributes["QueueArn"] ?? "",
    fifo: attributes["FifoQueue"] === "true",
    visibilityTimeout: Number(attributes["VisibilityTimeout"] ?? 30),
    maxReceiveCount: parseRedrivePolicy(attributes["RedrivePolicy"])?.maxReceiveCount,
  });
}

async function reconcileQueue(run: Run, queue: QueueRequirement): Promise<void> {
  const deadLetterArn = queue.deadLetter ? run.resolved.queues.get(queue.deadLetter.queue)?.arn : undefined;
  const desired = desiredAttributes(queue, deadLetterArn);
  const existing = await findQueue(run.sqs, queue.name);
  if (!existing) {
    if (!apply(run)) {
      step(run, { resource: "queue", name: queue.name, change: run.mode === "verify" ? "missing" : "create", details: describe(queue), blocking: true });
      if (queue.subscriptions.length > 0) {
        step(run, { resource: "queue-policy", name: queue.name, change: run.mode === "verify" ? "missing" : "create", details: policyDetails(queue), blocking: true });
      }
      return;
    }
    const created = await run.sqs.send(
      new CreateQueueCommand({ QueueName: queue.name, Attributes: { ...desired, ...(queue.fifo ? { FifoQueue: "true" } : {}) } }),
    );
    const url = created.QueueUrl!;
    const attributes = (await run.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ?? {};
    resolveQueue(run, queue.name, url, attributes);
    step(run, { resource: "queue", name: queue.name, change: "create", details: describe(queue), blocking: false });
    await reconcilePolicy(run, queue, url, attributes, true);
    return;
  }
  const actual = existing.attributes;
  if ((actual["FifoQueue"] === "true") !== queue.fifo) {
    // SQS cannot turn a queue into or out of FIFO; only a new name fixes it.
    const detail = `exists but is ${queue.fifo ? "not " : ""}a FIFO queue; delete or rename it`;
    if (apply(run)) throw new Error(`queue ${queue.name} ${detail}`);
    step(run, { resource: "queue", name: queue.name, change: "update", details: [detail], blocking: true });
    return;
  }
  const changes: Record<string, string> = {};
  const details: string[] = [];
  let blocking = false;
  for (const key of ["VisibilityTimeout", "MessageRetentionPeriod"] as const) {
    const want = desired[key];
    if (want !== undefined && Number(actual[key]) !== Number(want)) {
      changes[key] = want;
      details.push(`${key} ${actual[key] ?? "unset"} → ${want}`);
    }
  }
  if (queue.deadLetter) {
    const current = parseRedrivePolicy(actual["RedrivePolicy"]);
    const want = desired["RedrivePolicy"];
    if (!current || (deadLetterArn !== undefined && current.deadLetterTargetArn !== deadLetterArn)) {
      blocking = true;
      if (want) changes["RedrivePolicy"] = want;
      details.push(`RedrivePolicy ${current ? `targets ${current.deadLetterTargetArn}` : "unset"} → ${queue.deadLetter.queue}`);
    } else if (current.maxReceiveCount !== queue.deadLetter.maxReceiveCount) {
      if (want) changes["RedrivePolicy"] = want;
      details.push(`maxReceiveCount ${current.maxReceiveCount} → ${queue.deadLetter.maxReceiveCount}`);
    }
  }
  let attributes = actual;
  if (Object.keys(changes).length > 0 && apply(run)) {
    await run.sqs.send(new SetQueueAttributesCommand({ QueueUrl: existing.url, Attributes: changes }));
    attributes = { ...actual, ...changes };
  }
  resolveQueue(run, queue.name, existing.url, attributes);
  const changed = Object.keys(changes).length > 0 || (blocking && !apply(run));
  step(run, {
    resource: "queue",
    name: queue.name,
    change: changed ? "update" : "unchanged",
    details: changed ? details : [],
    blocking: blocking && !apply(run),
  });
  await reconcilePolicy(run, queue, existing.url, attributes, false);
}

async function reconcilePolicy(
  run: Run,
  queue: QueueRequirement,
  url: string,
  attributes: Readonly<Record<string, string>>,
  created: boolean,
): Promise<void> {
  if (queue.subscriptions.length === 0) return;
  const topicArns = queue.subscriptions.map((subscription) => run.resolved.topics.get(subscription.topic));
  const known = topicArns.filter((arn): arn is string => arn !== undefined);
  if (known.length === topicArns.length && policyAllowsTopics(attributes["Policy"], known)) {
    step(run, { resource: "queue-policy", name: queue.name, change: "unchanged", details: [], blocking: false });
    return;
  }
  if (apply(run)) {
    const arn = attributes["QueueArn"] ?? "";
    const policy = mergedQueuePolicy(attributes["Policy"], arn, known);
    await run.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: policy } }));
    step(run, { resource: "queue-policy", name: queue.name, change: created ? "create" : "update", details: policyDetails(queue), blocking: false });
    return;
  }
  step(run, { resource: "queue-policy", name: queue.name, change: attributes["Policy"] ? "update" : "create", details: policyDetails(queue), blocking: true });
}

async function reconcileSubscriptions(run: Run, queue: QueueRequirement): Promise<void> {
  const arns: string[] = [];
  run.resolved.subscriptions.set(queue.name, arns);
  for (const subscription of queue.subscriptions) {
    const name = `${subscription.topic} → ${queue.name}`;
    const filter = filterPolicy(subscription.eventTypes);
    const wanted = [`filter ${filter}`, "raw message delivery"];
    const topicArn = run.resolved.topics.get(subscription.topic);
    const queueArn = run.resolved.queues.get(queue.name)?.arn;
    const existing = topicArn && queueArn ? await findSubscription(run.sns, topicArn, queueArn) : undefined;
    if (!existing) {
      if (apply(run) && topicArn && queueArn) {
        const created = await run.sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: "sqs",
            Endpoint: queueArn,
            ReturnSubscriptionArn: true,
            Attributes: { RawMessageDelivery: "true", FilterPolicyScope: "MessageAttributes", FilterPolicy: filter },
          }),
        );
        if (created.SubscriptionArn) arns.push(created.SubscriptionArn);
        step(run, { resource: "subscription", name, change: "create", details: wanted, blocking: false });
      } else {
        step(run, { resource: "subscription", name, change: run.mode === "verify" ? "missing" : "create", details: wanted, blocking: true });
      }
      continue;
    }
    arns.push(existing.arn);
    const changes: Array<[string, string, string, boolean]> = [];
    if (!sameFilterPolicy(existing.attributes["FilterPolicy"], subscription.eventTypes)) {
      changes.push(["FilterPolicy", filter, `filter ${existing.attributes["FilterPolicy"] ?? "unset"} → ${filter}`, true]);
    }
    const scope = existing.attributes["FilterPolicyScope"];
    if (scope !== undefined && scope !== "MessageAttributes") {
      changes.push(["FilterPolicyScope", "MessageAttributes", `filter scope ${scope} → MessageAttributes`, true]);
    }
    if (existing.attributes["RawMessageDelivery"] !== "true") {
      // Not blocking: consumers unwrap SNS notifications too, raw delivery just saves the bytes.
      changes.push(["RawMessageDelivery", "true", "raw message delivery off → on", false]);
    }
    if (changes.length > 0 && apply(run)) {
      // Scope before policy: a MessageBody-scoped policy would otherwise be checked against bodies.
      for (const [attribute, value] of changes.sort((a, b) => Number(b[0] === "FilterPolicyScope") - Number(a[0] === "FilterPolicyScope"))) {
        await run.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing.arn, AttributeName: attribute, AttributeValue: value }));
      }
    }
    step(run, {
      resource: "subscription",
      name,
      change: changes.length > 0 ? "update" : "unchanged",
      details: changes.map((change) => change[2]),
      blocking: !apply(run) && changes.some((change) => change[3]),
    });
  }
}

async function checkDependency(run: Run, name: string): Promise<void> {
  const existing = await findQueue(run.sqs, name);
  if (existing) {
    resolveQueue(run, name, existing.url, existing.attributes);
    step(run, { resource: "dependency", name, change: "unchanged", details: ["sent to; owned by another service"], blocking: false });
  } else {
    step(run, {
      resource: "dependency",
      name,
      change: "missing",
      details: ["sent to; owned by another service, which creates it when it starts"],
      blocking: run.mode === "verify",
    });
  }
}
