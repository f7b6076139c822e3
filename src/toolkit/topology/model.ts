/** What a service needs to exist, derived from what it publishes, consumes and sends. */

export interface SubscriptionRequirement {
  readonly topic: string;
  readonly eventTypes: readonly string[];
}

export interface QueueRequirement {
  readonly name: string;
  readonly role: "consumer" | "dead-letter" | "commands" | "per-instance";
  readonly fifo: boolean;
  readonly visibilityTimeout?: number;
  readonly retentionSeconds?: number;
  readonly deadLetter?: { readonly queue: string; readonly maxReceiveCount: number };
  readonly subscriptions: readonly SubscriptionRequirement[];
}

export interface TopicRequirement {
  readonly name: string;
  /** True for the service's own domain-events topic; false for topics it only subscribes to. */
  readonly own: boolean;
}

export interface TopologyRequirements {
  readonly topics: readonly TopicRequirement[];
  readonly queues: readonly QueueRequirement[];
  /** Queues owned by other services that this one sends to (their command queues). */
  readonly dependencies: readonly string[];
}

export interface ConsumerShape {
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly fifo: boolean;
  readonly perInstance: boolean;
  readonly commands: boolean;
  readonly visibilityTimeout: number;
  readonly maxReceiveCount: number;
  readonly subscriptions: readonly SubscriptionRequirement[];
}

/** Dead letters stay long enough to be looked at after a weekend; the maximum SQS allows. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

export interface SplitRequirements {
  /** Lives beyond any one process: created (or verified) at start. */
  readonly shared: TopologyRequirements;
  /** Belongs to this instance: created at start and deleted at shutdown, whatever the mode. */
  readonly ephemeral: TopologyRequirements;
}

export function buildRequirements(
  ownTopic: string | undefined,
  consumers: readonly ConsumerShape[],
  commandQueuesSentTo: readonly string[],
): SplitRequirements {
  const topics = new Map<string, TopicRequirement>();
  if (ownTopic) topics.set(ownTopic, { name: ownTopic, own: true });
  const shared: QueueRequirement[] = [];
  const ephemeral: QueueRequirement[] = [];
  const deadLetters = new Map<string, QueueRequirement>();
  for (const consumer of consumers) {
    for (const subscription of consumer.subscriptions) {
      if (!topics.has(subscription.topic)) topics.set(subscription.topic, { name: subscription.topic, own: false });
    }
    if (!deadLetters.has(consumer.deadLetterQueue)) {
      deadLetters.set(consumer.deadLetterQueue, {
        name: consumer.deadLetterQueue,
        role: "dead-letter",
        fifo: consumer.fifo,
        retentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
        subscriptions: [],
      });
    }
    const queue: QueueRequirement = {
      name: consumer.queue,
      role: consumer.perInstance ? "per-instance" : consumer.commands ? "commands" : "consumer",
      fifo: consumer.fifo,
      visibilityTimeout: consumer.visibilityTimeout,
      deadLetter: { queue: consumer.deadLetterQueue, maxReceiveCount: consumer.maxReceiveCount },
      subscriptions: consumer.subscriptions,
    };
    (consumer.perInstance ? ephemeral : shared).push(queue);
  }
  const ownQueues = new Set(consumers.map((consumer) => consumer.queue));
  return {
    shared: {
      topics: [...topics.values()],
      // Dead-letter queues first: a source queue's redrive policy needs its DLQ's ARN.
      queues: [...deadLetters.values(), ...shared],
      dependencies: [...new Set(commandQueuesSentTo)].filter((name) => !ownQueues.has(name)),
    },
    ephemeral: { topics: [], queues: ephemeral, dependencies: [] },
  };
}

export function describeQueue(queue: QueueRequirement): string[] {
  const details: string[] = [];
  if (queue.fifo) details.push("FIFO");
  if (queue.visibilityTimeout !== undefined) details.push(`visibility ${queue.visibilityTimeout}s`);
  if (queue.retentionSeconds !== undefined) details.push(`retention ${Math.round(queue.retentionSeconds / 86400)}d`);
  if (queue.deadLetter) details.push(`dead letters to ${queue.deadLetter.queue} after ${queue.deadLetter.maxReceiveCount} receives`);
  if (queue.role === "per-instance") details.push("per instance: deleted on shutdown");
  return details.length > 0 ? [details.join(", ")] : [];
}

export function policyDetails(queue: QueueRequirement): string[] {
  return [`allow SNS delivery from ${[...new Set(queue.subscriptions.map((subscription) => subscription.topic))].join(", ")}`];
}
