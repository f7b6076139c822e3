import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, isQueueMissing } from "../clients.js";
import type { IdempotencyStore } from "../idempotency/store.js";
import type { ActivityHub } from "../observability/activity.js";
import type { Instrumentation } from "../observability/instrumentation.js";
import type { Logger } from "../observability/logger.js";
import { Acker } from "./acker.js";
import { backoffSchedule } from "./backoff.js";
import { RECEIVE_SYSTEM_ATTRIBUTES, type DeadLetterTarget } from "./dead-letter.js";
import { Heartbeat } from "./heartbeat.js";
import { Slots } from "./limiter.js";
import { processMessage, type Outcome, type ProcessDeps } from "./process.js";
import type { HandlerRegistry } from "./registry.js";
import type { ResolvedConsumerOptions } from "./types.js";

/** What only exists once the topology is in place. */
export interface ConsumerRuntime {
  readonly sqs: SQSClient;
  readonly queue: { readonly name: string; readonly url: string; readonly fifo: boolean };
  readonly deadLetter: DeadLetterTarget;
  /** As the queue has them, which in verify mode may differ from what the code asked for. */
  readonly visibilityTimeout: number;
  readonly maxReceiveCount: number;
  readonly idempotency: IdempotencyStore | undefined;
  readonly retainMs: number;
  readonly instrumentation: Instrumentation;
  readonly activity: ActivityHub;
  readonly logger: Logger;
}

/**
 * Runs one consumer: long polls feed a pool of handler slots. Polling and handling are decoupled:
 * with concurrency above 10 several polls run side by side, each asking only for as many messages
 * as there are free slots.
 */
export class ConsumerLoop {
  readonly #service: string;
  readonly #name: string;
  readonly #options: ResolvedConsumerOptions;
  readonly #registry: HandlerRegistry;
  readonly #stopping = new AbortController();
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  #pollers: Promise<void>[] = [];
  #slots: Slots;
  #runtime: ConsumerRuntime | undefined;
  #deps: ProcessDeps | undefined;
  #acker: Acker | undefined;

  constructor(service: string, name: string, options: ResolvedConsumerOptions, registry: HandlerRegistry) {
    this.#service = service;
    this.#name = name;
    this.#options = options;
    this.#registry = registry;
    this.#slots = new Slots(options.concurrency);
    // Every waiting poller and every message's heartbeat listens on these; hundreds is normal.
    setMaxListeners(0, this.#stopping.signal, this.#abort.signal);
  }

  get running(): boolean {
    return this.#runtime !== undefined && !this.#stopping.signal.aborted;
  }

  start(runtime: ConsumerRuntime): void {
    if (this.#runtime) throw new Error(`consumer ${this.#name} already started`);
    this.#runtime = runtime;
    this.#acker = new Acker(runtime.sqs, runtime.queue.url);
    this.#deps = {
      service: this.#service,
      consumer: this.#name,
      sqs: runtime.sqs,
      queue: runtime.queue,
      deadLetter: runtime.deadLetter,
      visibilityTimeout: runtime.visibilityTimeout,
      maxReceiveCount: runtime.maxReceiveCount,
      registry: this.#registry,
      idempotency: runtime.idempotency,
      retainMs: runtime.retainMs,
      backoff: backoffSchedule(this.#options.backoff),
      instrumentation: runtime.instrumentation,
      activity: runtime.activity,
      logger: runtime.logger,
      acker: this.#acker,
      abort: this.#abort.signal,
    };
    const pollers = Math.ceil(this.#options.concurrency / 10);
    this.#pollers = Array.from({ length: pollers }, () => this.#poll());
  }

  /**
   * Drains: stops receiving, lets polls in progress return and hands back what they bring, lets
   * running handlers finish (up to `timeoutMs`), then flushes acknowledgements.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.#runtime) return;
    this.#stopping.abort();
    const drained = (async () => {
      await Promise.all(this.#pollers);
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    })();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), timeoutMs)));
    const result = await Promise.race([drained.then(() => "drained" as const), expired]);
    clearTimeout(timer);
    if (result === "expired") {
      this.#abort.abort();
      this.#runtime.logger.log({
        level: "warn",
        msg: `drain timed out after ${timeoutMs}ms with ${this.#inFlight.size} message(s) in flight; they reappear after their visibility timeout`,
        service: this.#service,
        consumer: this.#name,
      });
    }
    await this.#acker?.flush();
  }

  async #poll(): Promise<void> {
    const runtime = this.#runtime!;
    const signal = this.#stopping.signal;
    let errorDelay = 0;
    while (!signal.aborted) {
      const wanted = await this.#slots.acquireUpTo(10, signal);
      if (wanted === 0) break;
      let messages: Message[];
      try {
        const result = await runtime.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: runtime.queue.url,
            MaxNumberOfMessages: wanted,
            WaitTimeSeconds: this.#options.waitTimeSeconds,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: [...RECEIVE_SYSTEM_ATTRIBUTES],
          }),
        );
        messages = result.Messages ?? [];
        errorDelay = 0;
      } catch (error) {
        this.#slots.release(wanted);
        if (signal.aborted) break;
        errorDelay = Math.min(30_000, Math.max(250, errorDelay * 2));
        runtime.logger.log({
          level: isQueueMissing(error) ? "error" : "warn",
          msg: `receive failed; retrying in ${errorDelay}ms`,
          service: this.#service,
          consumer: this.#name,
          queue: runtime.queue.name,
          error: errorMessage(error),
        });
        await sleep(errorDelay, undefined, { signal }).catch(() => undefined);
        continue;
      }
      this.#slots.release(wanted - messages.length);
      if (signal.aborted) {
        await this.#handBack(messages);
        this.#slots.release(messages.length);
        break;
      }
      this.#dispatch(messages);
    }
  }

  #dispatch(messages: Message[]): void {
    if (messages.length === 0) return;
    if (!this.#runtime!.queue.fifo) {
      for (const message of messages) this.#track(this.#run(message, this.#startHeartbeat(message)));
      return;
    }
    // FIFO: a batch may hold several messages of one group, in order. They run one after another;
    // different groups run side by side.
    const groups = new Map<string, Message[]>();
    for (const message of messages) {
      const group = message.Attributes?.["MessageGroupId"] ?? "";
      groups.set(group, [...(groups.get(group) ?? []), message]);
    }
    for (const group of groups.values()) this.#track(this.#runGroup(group));
  }

  async #runGroup(group: Message[]): Promise<void> {
    const heartbeats = group.map((message) => this.#startHeartbeat(message));
    for (let index = 0; index < group.length; index += 1) {
      const outcome = this.#stopping.signal.aborted ? "stopped" : await this.#run(group[index]!, heartbeats[index]!);
      if (outcome !== "settled") {
        // Whatever follows a message that did not settle must wait for it: hand it back, and SQS
        // keeps the group blocked until the earlier message is done.
        const rest = group.slice(outcome === "stopped" ? index : index + 1);
        await Promise.all(heartbeats.slice(group.length - rest.length).map((heartbeat) => heartbeat.stop()));
        await this.#handBack(rest);
        this.#slots.release(rest.length);
        return;
      }
    }
  }

  #startHeartbeat(message: Message): Heartbeat {
    const runtime = this.#runtime!;
    // Checked against the queue's actual timeout: in verify mode it may be shorter than the code assumed.
    const chosen = this.#options.heartbeatSeconds;
    const interval = (chosen !== undefined && chosen < runtime.visibilityTimeout ? chosen : runtime.visibilityTimeout / 3) * 1000;
    const heartbeat = new Heartbeat({
      sqs: runtime.sqs,
      queueUrl: runtime.queue.url,
      receiptHandle: message.ReceiptHandle ?? "",
      visibilityTimeout: runtime.visibilityTimeout,
      intervalMs: Math.max(200, interval),
      signal: this.#abort.signal,
      onError: (error) =>
        runtime.logger.log({ level: "warn", msg: "visibility heartbeat failed", service: this.#service, consumer: this.#name, messageId: message.MessageId, error: errorMessage(error) }),
    }).start();
    return heartbeat;
  }

  async #run(message: Message, heartbeat: Heartbeat): Promise<Outcome> {
    try {
      return await processMessage(this.#deps!, message, heartbeat);
    } catch (error) {
      // processMessage handles handler errors itself; this is a store or broker failure around it.
      this.#runtime!.logger.log({ level: "error", msg: "message processing failed", service: this.#service, consumer: this.#name, messageId: message.MessageId, error: errorMessage(error) });
      return "pending";
    } finally {
      await heartbeat.stop();
      this.#slots.release(1);
    }
  }

  #track(work: Promise<unknown>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #handBack(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    const runtime = this.#runtime!;
    for (let index = 0; index < messages.length; index += 10) {
      const chunk = messages.slice(index, index + 10);
      try {
        await runtime.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: runtime.queue.url,
            Entries: chunk.map((message, offset) => ({ Id: String(offset), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        );
      } catch (error) {
        runtime.logger.log({ level: "warn", msg: "could not hand back messages; they reappear after their visibility timeout", service: this.#service, consumer: this.#name, error: errorMessage(error) });
      }
    }
    runtime.activity.emit({ type: "handed-back", service: this.#service, consumer: this.#name, queue: runtime.queue.name, count: messages.length });
  }
}
