import type { Envelope } from "../envelope.js";

/** Why a message went to a dead-letter queue. */
export type DeadLetterReason =
  | "malformed-message"
  | "unknown-type"
  | "unsupported-version"
  | "schema-validation"
  | "upcast-failed"
  | "max-receives-exceeded";

interface Delivery {
  readonly service: string;
  /** The consumer's use case ("async-commands" for the command consumer). */
  readonly consumer: string;
  readonly queue: string;
  readonly messageId: string;
  readonly receiveCount: number;
}

export interface PublishedActivity {
  readonly type: "published";
  readonly service: string;
  readonly envelope: Envelope;
  readonly destination: string;
  readonly messageId: string;
}

export interface SentActivity {
  readonly type: "sent";
  readonly service: string;
  readonly envelope: Envelope;
  readonly destination: string;
  readonly messageId: string;
  readonly groupId: string;
}

export interface HandledActivity extends Delivery {
  readonly type: "handled";
  readonly envelope: Envelope;
  readonly durationMs: number;
}

export interface RetriedActivity extends Delivery {
  readonly type: "retried";
  readonly envelope: Envelope;
  readonly delaySeconds: number;
  readonly error: unknown;
}

export interface DuplicateActivity extends Delivery {
  readonly type: "duplicate";
  readonly envelope: Envelope;
  /** "completed": already handled, acknowledged; "in-flight": being handled elsewhere, retried later. */
  readonly state: "completed" | "in-flight";
}

export interface DeadLetteredActivity extends Delivery {
  readonly type: "dead-lettered";
  /** Undefined when the body was not an envelope at all. */
  readonly envelope: Envelope | undefined;
  readonly body: string;
  readonly reason: DeadLetterReason;
  readonly detail: string;
  /**
   * "toolkit": sent to the DLQ at once with the reason in a message attribute.
   * "redrive-policy": the last allowed attempt failed; SQS moves it on its next receive.
   */
  readonly via: "toolkit" | "redrive-policy";
}

export interface HandedBackActivity {
  readonly type: "handed-back";
  readonly service: string;
  readonly consumer: string;
  readonly queue: string;
  readonly count: number;
}

/** Everything that happens to messages on a bus; what logs, spies and metrics are built from. */
export type BusActivity =
  | PublishedActivity
  | SentActivity
  | HandledActivity
  | RetriedActivity
  | DuplicateActivity
  | DeadLetteredActivity
  | HandedBackActivity;

export type ActivityListener = (activity: BusActivity) => void;

export class ActivityHub {
  readonly #listeners = new Set<ActivityListener>();

  subscribe(listener: ActivityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(activity: BusActivity): void {
    for (const listener of this.#listeners) {
      try {
        listener(activity);
      } catch {
        // An observer (a spy, a metrics exporter) must never change how a message is handled.
      }
    }
  }
}
