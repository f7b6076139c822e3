import { DeleteQueueCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import { createClients, errorMessage, isQueueMissing, type AwsClients, type AwsConnectionOptions } from "./clients.js";
import { CommandSender, type SendOptions } from "./commands.js";
import { ConsumerLoop } from "./consumer/consumer.js";
import { DeadLetterQueue } from "./consumer/dead-letter.js";
import { declare, handleFor, shapeOf, type ConsumerHandle, type Declaration } from "./consumer/declaration.js";
import { resolveConsumerOptions, type ConsumerOptions, type Handler } from "./consumer/types.js";
import type { Envelope } from "./envelope.js";
import type { CommandDefinition, EventDefinition, EventDraft, EventOf, InputOf, MessageDefinition } from "./events.js";
import { newInstanceId } from "./ids.js";
import { memoryIdempotencyStore } from "./idempotency/memory.js";
import type { IdempotencyStore } from "./idempotency/store.js";
import { createNaming, assertWords, type Naming, type NamingOptions } from "./naming.js";
import { ActivityHub, type ActivityListener } from "./observability/activity.js";
import { noInstrumentation, type Instrumentation } from "./observability/instrumentation.js";
import { activityRecord, jsonLogger, silentLogger, type Logger } from "./observability/logger.js";
import { openTelemetryInstrumentation, type OpenTelemetryOptions } from "./observability/otel.js";
import { Publisher, type PublishOptions } from "./publisher.js";
import { onShutdownSignals } from "./shutdown.js";
import { listTopics } from "./topology/aws-state.js";
import { buildRequirements, type SplitRequirements } from "./topology/model.js";
import { offlineSteps } from "./topology/offline.js";
import { makePlan, TopologyError, type TopologyMode, type TopologyPlan } from "./topology/plan.js";
import { reconcile, type Resolved } from "./topology/reconcile.js";

export interface BusOptions extends AwsConnectionOptions {
  /** This service's name, lowercase words joined by "-": "users", "order-history". */
  readonly service: string;
  readonly naming?: NamingOptions;
  /**
   * "ensure" (default) creates what is missing at start and converges what drifted. "verify" only
   * checks, for production where infrastructure-as-code owns the resources; per-instance queues
   * are still created and deleted by the instance.
   */
  readonly topology?: "ensure" | "verify";
  /** Defaults for every consumer of this bus; each consumer's own options win. */
  readonly consumerDefaults?: ConsumerOptions;
  /** Whether the service has a domain-events topic of its own. Default true. */
  readonly ownTopic?: boolean;
  /** Services this one sends commands to; their command queues are checked at start. */
  readonly sendsCommandsTo?: readonly string[];
  readonly idempotency?: false | { readonly store?: IdempotencyStore; readonly retainSeconds?: number };
  /** Default "json": one JSON line per handled, retried and dead-lettered message on stdout. */
  readonly logger?: Logger | "json" | "silent";
  /** Spans following the OpenTelemetry messaging conventions; needs @opentelemetry/api installed. */
  readonly openTelemetry?: boolean | OpenTelemetryOptions;
  /** Drain on these signals, then exit. Default SIGTERM and SIGINT; false leaves signals alone. */
  readonly shutdownSignals?: readonly NodeJS.Signals[] | false;
  /** How long stop() waits for running handlers. Default 30. */
  readonly drainTimeoutSeconds?: number;
  /** Names this instance's per-instance queues. Default: 8 random hex digits. */
  readonly instanceId?: string;
}

export interface Bus {
  readonly service: string;
  readonly instanceId: string;
  readonly naming: Naming;
  /** Validates and publishes one event on this service's topic. */
  publish<D extends EventDefinition>(definition: D, data: InputOf<D["schema"]>, options?: PublishOptions): Promise<EventOf<D>>;
  /** Validates all, then publishes with PublishBatch: `bus.publishMany([A.of(a), B.of(b)])`. */
  publishMany(drafts: readonly EventDraft[], options?: Pick<PublishOptions, "occurredAt">): Promise<Envelope[]>;
  /** Sends a command to the FIFO command queue of the service that handles it. */
  send<D extends CommandDefinition>(definition: D, data: InputOf<D["schema"]>, options?: SendOptions): Promise<EventOf<D>>;
  /** One queue per use case, subscribed to the events listed, handled by one typed handler. */
  consume<const Ds extends readonly EventDefinition[]>(
    useCase: string,
    options: ConsumerOptions & { readonly events: Ds },
    handler: Handler<EventOf<Ds[number]>>,
  ): ConsumerHandle<EventDefinition>;
  /** The same, with one typed handler per event: `bus.consumer("x").on(A, h1).on(B, h2)`. */
  consumer(useCase: string, options?: ConsumerOptions): ConsumerHandle<EventDefinition>;
  /** Handles commands sent to this service, from its FIFO command queue. */
  commands(options?: ConsumerOptions): ConsumerHandle<CommandDefinition>;
  /** A dry run: what start() would create or change. `offline` skips AWS and lists everything. */
  plan(options?: { readonly offline?: boolean }): Promise<TopologyPlan>;
  /** Creates or verifies the topology, then starts every consumer. */
  start(): Promise<TopologyPlan>;
  /** Drains consumers, deletes per-instance queues, releases resources. Safe to call twice. */
  stop(): Promise<void>;
  /** The DLQ of a consumer declared on this bus. */
  deadLetters(useCase: string): DeadLetterQueue;
  /** Every publish, handle, retry and dead letter, as it happens. Returns an unsubscribe function. */
  observe(listener: ActivityListener): () => void;
}

const COMMANDS_USE_CASE = "async-commands";

export async function connectBus(options: BusOptions): Promise<Bus> {
  assertWords("service", options.service);
  const instrumentation = options.openTelemetry
    ? await openTelemetryInstrumentation(options.openTelemetry === true ? {} : options.openTelemetry)
    : noInstrumentation;
  return new EventBus(options, createClients(options), instrumentation);
}

class EventBus implements Bus {
  readonly service: string;
  readonly instanceId: string;
  readonly naming: Naming;
  readonly #options: BusOptions;
  readonly #clients: AwsClients;
  readonly #activity = new ActivityHub();
  readonly #logger: Logger;
  readonly #instrumentation: Instrumentation;
  readonly #declarations = new Map<string, Declaration>();
  readonly #idempotency: IdempotencyStore | undefined;
  readonly #ownsIdempotency: boolean;
  readonly #publisher: Publisher;
  readonly #sender: CommandSender;
  readonly #queueUrls = new Map<string, Promise<string>>();
  #topicArn: Promise<string> | undefined;
  #resolved: Resolved | undefined;
  #state: "idle" | "starting" | "running" | "stopped" = "idle";
  #stopping: Promise<void> | undefined;
  #removeSignals: (() => void) | undefined;

  constructor(options: BusOptions, clients: AwsClients, instrumentation: Instrumentation) {
    this.#options = options;
    this.#clients = clients;
    this.#instrumentation = instrumentation;
    this.service = options.service;
    this.instanceId = options.instanceId ?? newInstanceId();
    this.naming = createNaming(options.naming);
    this.#logger = options.logger === "silent" ? silentLogger : options.logger === "json" || !options.logger ? jsonLogger() : options.logger;
    this.#activity.subscribe((activity) => this.#logger.log(activityRecord(activity)));
    const idempotency = options.idempotency === false ? undefined : (options.idempotency ?? {});
    this.#idempotency = idempotency ? (idempotency.store ?? memoryIdempotencyStore()) : undefined;
    this.#ownsIdempotency = idempotency !== undefined && !idempotency.store;
    const base = { service: this.service, instrumentation, activity: this.#activity };
    this.#publisher = new Publisher({ ...base, sns: clients.sns, topicName: this.naming.topic(this.service), topicArn: () => this.#ownTopicArn() });
    this.#sender = new CommandSender({ ...base, sqs: clients.sqs, naming: this.naming, queueUrl: (name) => this.#queueUrl(name) });
  }

  async publish<D extends EventDefinition>(definition: D, data: InputOf<D["schema"]>, options?: PublishOptions): Promise<EventOf<D>> {
    return (await this.#publisher.publish(definition, data, options)) as EventOf<D>;
  }

  publishMany(drafts: readonly EventDraft[], options?: Pick<PublishOptions, "occurredAt">): Promise<Envelope[]> {
    return this.#publisher.publishMany(drafts, options);
  }

  async send<D extends CommandDefinition>(definition: D, data: InputOf<D["schema"]>, options?: SendOptions): Promise<EventOf<D>> {
    return (await this.#sender.send(definition, data, options)) as EventOf<D>;
  }

  consume<const Ds extends readonly EventDefinition[]>(
    useCase: string,
    options: ConsumerOptions & { readonly events: Ds },
    handler: Handler<EventOf<Ds[number]>>,
  ): ConsumerHandle<EventDefinition> {
    if (options.events.length === 0) throw new TypeError(`consumer ${useCase} lists no events`);
    const handle = this.consumer(useCase, options);
    // Each definition's handler receives only its own events, so the union handler fits them all.
    for (const definition of options.events) handle.on(definition, handler as Handler<EventOf<typeof definition>>);
    return handle;
  }

  consumer(useCase: string, options: ConsumerOptions = {}): ConsumerHandle<EventDefinition> {
    const resolved = resolveConsumerOptions({ ...this.#options.consumerDefaults, ...options });
    const queue = resolved.perInstance
      ? this.naming.perInstanceQueue(this.service, useCase, this.instanceId)
      : this.naming.consumerQueue(this.service, useCase);
    const deadLetterQueue = this.naming.deadLetterQueue(this.naming.consumerQueue(this.service, useCase));
    return this.#declare(declare(useCase, "event", queue, deadLetterQueue, resolved));
  }

  commands(options: ConsumerOptions = {}): ConsumerHandle<CommandDefinition> {
    const existing = this.#declarations.get(COMMANDS_USE_CASE);
    if (existing) throw new Error(`service ${this.service} already has a command consumer; add handlers to it with .on()`);
    const resolved = resolveConsumerOptions({ ...this.#options.consumerDefaults, ...options, perInstance: false });
    if (options.perInstance) throw new TypeError("commands are handled once per service, not per instance");
    const queue = this.naming.commandQueue(this.service);
    return this.#declare(declare(COMMANDS_USE_CASE, "command", queue, this.naming.deadLetterQueue(queue), resolved));
  }

  #declare<D extends MessageDefinition>(declaration: Declaration): ConsumerHandle<D> {
    if (this.#state !== "idle") throw new Error("declare consumers before bus.start()");
    if (this.#declarations.has(declaration.useCase)) throw new Error(`consumer "${declaration.useCase}" is already declared`);
    this.#declarations.set(declaration.useCase, declaration);
    const guard = (definition: MessageDefinition): void => {
      if (this.#state !== "idle") throw new Error("add handlers before bus.start()");
      if (definition.kind === "command" && definition.target !== this.service) {
        throw new TypeError(`${definition.name} is handled by "${definition.target}", not "${this.service}"`);
      }
    };
    return handleFor<D>(declaration, guard, () => this.deadLetters(declaration.useCase));
  }

  deadLetters(useCase: string): DeadLetterQueue {
    const declaration = this.#declarations.get(useCase);
    if (!declaration) throw new Error(`no consumer "${useCase}" on this bus`);
    // Instances of a per-instance consumer share its DLQ; a redrive goes to this instance's queue.
    return new DeadLetterQueue({
      sqs: this.#clients.sqs,
      name: declaration.deadLetterQueue,
      url: () => this.#queueUrl(declaration.deadLetterQueue),
      sourceName: declaration.queue,
      sourceUrl: () => this.#queueUrl(declaration.queue),
      fifo: declaration.kind === "command",
    });
  }

  observe(listener: ActivityListener): () => void {
    return this.#activity.subscribe(listener);
  }

  #requirements(): SplitRequirements {
    const consumers = [...this.#declarations.values()].map((declaration) => {
      if (declaration.registry.size === 0) throw new Error(`consumer "${declaration.useCase}" has no handlers`);
      return shapeOf(declaration, this.naming);
    });
    const ownTopic = this.#options.ownTopic === false ? undefined : this.naming.topic(this.service);
    const targets = (this.#options.sendsCommandsTo ?? []).map((service) => this.naming.commandQueue(service));
    return buildRequirements(ownTopic, consumers, targets);
  }

  async plan(options: { readonly offline?: boolean } = {}): Promise<TopologyPlan> {
    const requirements = this.#requirements();
    if (options.offline) return makePlan(this.service, "plan", offlineSteps(requirements));
    const shared = await reconcile(this.#clients, requirements.shared, "plan");
    const ephemeral = await reconcile(this.#clients, requirements.ephemeral, "plan", shared.resolved);
    return makePlan(this.service, "plan", [...shared.steps, ...ephemeral.steps]);
  }

  async start(): Promise<TopologyPlan> {
    if (this.#state !== "idle") throw new Error(`bus is ${this.#state}`);
    this.#state = "starting";
    try {
      const mode: TopologyMode = this.#options.topology ?? "ensure";
      const requirements = this.#requirements();
      const shared = await reconcile(this.#clients, requirements.shared, mode);
      const sharedPlan = makePlan(this.service, mode, shared.steps);
      if (!sharedPlan.ok) throw new TopologyError(sharedPlan);
      const ephemeral = await reconcile(this.#clients, requirements.ephemeral, "ensure", shared.resolved);
      this.#resolved = ephemeral.resolved;
      for (const step of [...shared.steps, ...ephemeral.steps]) {
        if (step.change !== "unchanged") this.#logger.log({ level: "info", msg: `topology: ${step.change} ${step.resource} ${step.name}`, service: this.service, details: step.details });
      }
      for (const declaration of this.#declarations.values()) this.#startConsumer(declaration, ephemeral.resolved);
      const signals = this.#options.shutdownSignals ?? ["SIGTERM", "SIGINT"];
      if (signals !== false && signals.length > 0) this.#removeSignals = onShutdownSignals(signals, () => this.stop());
      this.#state = "running";
      return makePlan(this.service, mode, [...shared.steps, ...ephemeral.steps]);
    } catch (error) {
      this.#state = "idle";
      throw error;
    }
  }

  #startConsumer(declaration: Declaration, resolved: Resolved): void {
    const queue = resolved.queues.get(declaration.queue);
    const deadLetter = resolved.queues.get(declaration.deadLetterQueue);
    if (!queue || !deadLetter) throw new Error(`queues of consumer "${declaration.useCase}" were not resolved`);
    const loop = new ConsumerLoop(this.service, declaration.useCase, declaration.options, declaration.registry);
    const override = declaration.options.idempotency;
    loop.start({
      sqs: this.#clients.sqs,
      queue: { name: queue.name, url: queue.url, fifo: queue.fifo },
      deadLetter: { sqs: this.#clients.sqs, url: deadLetter.url, fifo: deadLetter.fifo, sourceQueue: queue.name },
      visibilityTimeout: queue.visibilityTimeout,
      maxReceiveCount: queue.maxReceiveCount ?? declaration.options.maxReceiveCount,
      idempotency: override === false ? undefined : (override ?? this.#idempotency),
      retainMs: (this.#options.idempotency ? (this.#options.idempotency.retainSeconds ?? 86400) : 86400) * 1000,
      instrumentation: this.#instrumentation,
      activity: this.#activity,
      logger: this.#logger,
    });
    declaration.loop = loop;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#drain();
    return this.#stopping;
  }

  async #drain(): Promise<void> {
    this.#removeSignals?.();
    this.#state = "stopped";
    const timeoutMs = (this.#options.drainTimeoutSeconds ?? 30) * 1000;
    await Promise.all([...this.#declarations.values()].map((declaration) => declaration.loop?.stop(timeoutMs)));
    // Also after a start that failed half-way, which may have created per-instance queues already.
    await this.#removeEphemeral();
    if (this.#ownsIdempotency) await this.#idempotency?.close();
    if (this.#clients.owned) {
      this.#clients.sqs.destroy();
      this.#clients.sns.destroy();
    }
  }

  async #removeEphemeral(): Promise<void> {
    const resolved = this.#resolved;
    if (!resolved) return;
    for (const declaration of this.#declarations.values()) {
      if (!declaration.options.perInstance) continue;
      try {
        // Unsubscribe first: SNS would otherwise keep a subscription to a queue that is gone.
        for (const arn of resolved.subscriptions.get(declaration.queue) ?? []) {
          await this.#clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
        }
        const queue = resolved.queues.get(declaration.queue);
        if (queue) await this.#clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
        this.#logger.log({ level: "info", msg: `deleted per-instance queue ${declaration.queue}`, service: this.service });
      } catch (error) {
        this.#logger.log({ level: "warn", msg: `could not delete per-instance queue ${declaration.queue}`, service: this.service, error: errorMessage(error) });
      }
    }
  }

  #ownTopicArn(): Promise<string> {
    const name = this.naming.topic(this.service);
    const known = this.#resolved?.topics.get(name);
    if (known) return Promise.resolve(known);
    this.#topicArn ??= (async () => {
      if (this.#options.topology === "verify") {
        const arn = (await listTopics(this.#clients.sns)).get(name);
        if (!arn) throw new Error(`topic ${name} does not exist (topology mode "verify": it is created by infrastructure-as-code)`);
        return arn;
      }
      // CreateTopic is idempotent, so publishing works before (or without) start().
      const created = await this.#clients.sns.send(new CreateTopicCommand({ Name: name }));
      return created.TopicArn!;
    })();
    this.#topicArn.catch(() => (this.#topicArn = undefined));
    return this.#topicArn;
  }

  #queueUrl(name: string): Promise<string> {
    const known = this.#resolved?.queues.get(name)?.url;
    if (known) return Promise.resolve(known);
    let url = this.#queueUrls.get(name);
    if (!url) {
      url = this.#clients.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
        (result) => result.QueueUrl!,
        (error: unknown) => {
          this.#queueUrls.delete(name);
          if (isQueueMissing(error)) throw new Error(`queue ${name} does not exist; the service that owns it creates it when it starts`);
          throw error;
        },
      );
      this.#queueUrls.set(name, url);
    }
    return url;
  }
}
