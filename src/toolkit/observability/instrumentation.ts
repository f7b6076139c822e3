import type { Envelope } from "../envelope.js";
import { newSpanId, newTraceId } from "../ids.js";
import type { ActiveTrace } from "../trace-context.js";

export type MessagingSystem = "aws.sns" | "aws_sqs";

export interface ProducerRequest {
  readonly system: MessagingSystem;
  /** "publish" for one event, "create" for each event of a batch, "send" for commands. */
  readonly operation: "publish" | "create" | "send";
  readonly destination: string;
  readonly eventType: string;
  readonly eventId: string;
  readonly parent: ActiveTrace | undefined;
}

/** The span of one outgoing message; its ids become the envelope's traceId and spanId. */
export interface ProducerSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  end(outcome: { readonly messageId?: string; readonly error?: unknown }): void;
}

export interface BatchSpan {
  end(outcome: { readonly error?: unknown }): void;
}

export interface ConsumerRequest {
  readonly queue: string;
  readonly messageId: string;
  readonly receiveCount: number;
  readonly envelope: Envelope;
}

export interface ConsumerSpan {
  /** Handed to the trace context so spans started by the handler nest under this one. */
  readonly carrier: unknown;
  /** Runs the handler with this span active for code that reads the tracing backend directly. */
  run<T>(fn: () => T): T;
  end(outcome: { readonly outcome: string; readonly error?: unknown }): void;
}

/** The seam between the bus and a tracing backend; without one, ids are still minted and chained. */
export interface Instrumentation {
  startProducer(request: ProducerRequest): ProducerSpan;
  startBatch(request: { readonly system: MessagingSystem; readonly destination: string; readonly spans: readonly ProducerSpan[]; readonly parent: ActiveTrace | undefined }): BatchSpan;
  startConsumer(request: ConsumerRequest): ConsumerSpan;
}

export const noInstrumentation: Instrumentation = {
  startProducer({ parent }) {
    return { traceId: parent?.traceId ?? newTraceId(), spanId: newSpanId(), sampled: parent?.sampled ?? true, end() {} };
  },
  startBatch() {
    return { end() {} };
  },
  startConsumer() {
    return { carrier: undefined, run: (fn) => fn(), end() {} };
  },
};
