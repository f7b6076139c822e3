import type { EventOf, MessageDefinition } from "../events.js";
import type { Naming } from "../naming.js";
import type { ConsumerShape, SubscriptionRequirement } from "../topology/model.js";
import type { ConsumerLoop } from "./consumer.js";
import type { DeadLetterQueue } from "./dead-letter.js";
import { HandlerRegistry } from "./registry.js";
import type { ErasedHandler, Handler, ResolvedConsumerOptions } from "./types.js";

/** A consumer as declared: its queue, its handlers, and once started, its loop. */
export interface ConsumerHandle<D extends MessageDefinition> {
  /** The use case, e.g. "send-email-on-user-registered" ("async-commands" for commands). */
  readonly useCase: string;
  readonly queue: string;
  readonly deadLetterQueue: string;
  /** Adds a typed handler for one message definition (and the older versions it upcasts). */
  on<T extends D>(definition: T, handler: Handler<EventOf<T>>): this;
  /** The consumer's DLQ, to inspect and redrive. */
  deadLetters(): DeadLetterQueue;
}

export interface Declaration {
  readonly useCase: string;
  readonly kind: "event" | "command";
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly options: ResolvedConsumerOptions;
  readonly registry: HandlerRegistry;
  loop: ConsumerLoop | undefined;
}

export function declare(
  useCase: string,
  kind: "event" | "command",
  queue: string,
  deadLetterQueue: string,
  options: ResolvedConsumerOptions,
): Declaration {
  return { useCase, kind, queue, deadLetterQueue, options, registry: new HandlerRegistry(kind), loop: undefined };
}

export function handleFor<D extends MessageDefinition>(
  declaration: Declaration,
  guard: (definition: MessageDefinition) => void,
  deadLetters: () => DeadLetterQueue,
): ConsumerHandle<D> {
  const handle: ConsumerHandle<D> = {
    useCase: declaration.useCase,
    queue: declaration.queue,
    deadLetterQueue: declaration.deadLetterQueue,
    on(definition, handler) {
      guard(definition);
      // Erasure is safe: the registry only calls a handler with data its own definition produced.
      declaration.registry.add(definition, handler as unknown as ErasedHandler);
      return handle;
    },
    deadLetters,
  };
  return handle;
}

/** Topics and event types a consumer subscribes to: one topic per owning service. */
export function subscriptionsOf(declaration: Declaration, naming: Naming): SubscriptionRequirement[] {
  if (declaration.kind === "command") return [];
  const byTopic = new Map<string, Set<string>>();
  for (const definition of declaration.registry.definitions()) {
    if (definition.kind !== "event") continue;
    const topic = naming.topic(definition.source);
    byTopic.set(topic, (byTopic.get(topic) ?? new Set()).add(definition.name));
  }
  return [...byTopic].map(([topic, types]) => ({ topic, eventTypes: [...types].sort() }));
}

export function shapeOf(declaration: Declaration, naming: Naming): ConsumerShape {
  return {
    queue: declaration.queue,
    deadLetterQueue: declaration.deadLetterQueue,
    fifo: declaration.kind === "command",
    perInstance: declaration.options.perInstance,
    commands: declaration.kind === "command",
    visibilityTimeout: declaration.options.visibilityTimeout,
    maxReceiveCount: declaration.options.maxReceiveCount,
    subscriptions: subscriptionsOf(declaration, naming),
  };
}
