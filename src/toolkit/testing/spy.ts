import type { Bus } from "../bus.js";
import type { Envelope } from "../envelope.js";
import type { EventOf, MessageDefinition } from "../events.js";
import type {
  BusActivity,
  DeadLetterReason,
  DeadLetteredActivity,
  HandledActivity,
  PublishedActivity,
  SentActivity,
} from "../observability/activity.js";
import { orderTrace, type TraceEntry } from "./trace.js";

export interface WaitOptions {
  /** Default 10 000. */
  readonly timeoutMs?: number;
}

export interface MessageWaitOptions<E> extends WaitOptions {
  readonly where?: (event: E) => boolean;
  /** Only count handling by this consumer (use case). */
  readonly consumer?: string;
}

export interface DeadLetterWaitOptions extends WaitOptions {
  readonly consumer?: string;
  readonly reason?: DeadLetterReason;
  readonly type?: string;
}

type Typed<A, E> = Omit<A, "envelope"> & { readonly envelope: E };

/** Records what happens on one or more buses and waits for it, instead of sleeping in tests. */
export interface Spy {
  readonly activities: readonly BusActivity[];
  published(type?: string): Envelope[];
  handled(type?: string, consumer?: string): HandledActivity[];
  deadLettered(consumer?: string): DeadLetteredActivity[];
  waitForPublished<D extends MessageDefinition>(definition: D, options?: MessageWaitOptions<EventOf<D>>): Promise<EventOf<D>>;
  waitForHandled<D extends MessageDefinition>(definition: D, options?: MessageWaitOptions<EventOf<D>>): Promise<Typed<HandledActivity, EventOf<D>>>;
  waitForDeadLettered(options?: DeadLetterWaitOptions): Promise<DeadLetteredActivity>;
  /** Waits until `condition` holds over what was recorded so far. */
  waitUntil(condition: (spy: Spy) => boolean, options?: WaitOptions & { readonly description?: string }): Promise<void>;
  /** Every message of a trace in causal order, each with its depth in the causation tree. */
  trace(traceId: string): TraceEntry[];
  /** Stops recording. */
  stop(): void;
}

export function spyOn(...buses: Bus[]): Spy {
  const activities: BusActivity[] = [];
  const waiters = new Set<() => void>();
  const unsubscribes = buses.map((bus) =>
    bus.observe((activity) => {
      activities.push(activity);
      for (const wake of [...waiters]) wake();
    }),
  );

  const summary = (): string => {
    const counts = new Map<string, number>();
    for (const activity of activities) {
      const label = "envelope" in activity && activity.envelope ? `${activity.type} ${activity.envelope.type}` : activity.type;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    return [...counts].map(([label, count]) => `${label} ×${count}`).join(", ") || "nothing";
  };

  const find = <T>(pick: () => T | undefined, description: string, timeoutMs = 10_000): Promise<T> => {
    const found = pick();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs}ms waiting for ${description}; saw: ${summary()}`));
      }, timeoutMs);
      const wake = (): void => {
        const value = pick();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(value);
      };
      waiters.add(wake);
    });
  };

  const messages = (): Array<PublishedActivity | SentActivity> =>
    activities.filter((activity): activity is PublishedActivity | SentActivity => activity.type === "published" || activity.type === "sent");

  const spy: Spy = {
    activities,
    published: (type) => messages().map((activity) => activity.envelope).filter((envelope) => !type || envelope.type === type),
    handled: (type, consumer) =>
      activities.filter(
        (activity): activity is HandledActivity =>
          activity.type === "handled" && (!type || activity.envelope.type === type) && (!consumer || activity.consumer === consumer),
      ),
    deadLettered: (consumer) =>
      activities.filter((activity): activity is DeadLetteredActivity => activity.type === "dead-lettered" && (!consumer || activity.consumer === consumer)),
    waitForPublished: (definition, options = {}) =>
      find(
        () =>
          messages()
            .map((activity) => activity.envelope as EventOf<typeof definition>)
            .find((envelope) => envelope.type === definition.name && (!options.where || options.where(envelope))),
        `${definition.name} to be published`,
        options.timeoutMs,
      ),
    waitForHandled: (definition, options = {}) =>
      find(
        () =>
          spy
            .handled(definition.name, options.consumer)
            .map((activity) => activity as Typed<HandledActivity, EventOf<typeof definition>>)
            .find((activity) => !options.where || options.where(activity.envelope)),
        `${definition.name} to be handled${options.consumer ? ` by ${options.consumer}` : ""}`,
        options.timeoutMs,
      ),
    waitForDeadLettered: (options = {}) =>
      find(
        () =>
          spy
            .deadLettered(options.consumer)
            .find((activity) => (!options.reason || activity.reason === options.reason) && (!options.type || activity.envelope?.type === options.type)),
        `a dead letter${options.reason ? ` (${options.reason})` : ""}`,
        options.timeoutMs,
      ),
    waitUntil: async (condition, options = {}) => {
      await find(() => (condition(spy) ? true : undefined), options.description ?? "condition", options.timeoutMs);
    },
    trace: (traceId) => orderTrace(messages().map((activity) => activity.envelope).filter((envelope) => envelope.traceId === traceId)),
    stop: () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
  };
  return spy;
}
