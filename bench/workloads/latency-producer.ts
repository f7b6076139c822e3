// The open-loop producer of the latency workload, run in a worker thread. One SDK call costs the client
// ~0.5 ms of CPU, so at 1,000 msg/s a producer sharing a thread with the consumers saturates it and the
// measurement becomes the harness's own queueing; in its own thread it measures the broker.
//
// Each body carries its send time (timeOrigin + now(), comparable across threads of one process).
import { parentPort, workerData } from "node:worker_threads";
import { openQueueApi, openTopicApi } from "../clients.js";
import type { WireProtocol } from "../types.js";
import { errorText, sleep, wallNow } from "../util.js";

export interface ProducerInput {
  kind: "publish" | "send";
  protocol: WireProtocol;
  endpoint: string;
  /** Topic ARN for publish, queue URL for send. */
  target: string;
  rate: number;
  total: number;
  /** Untimed calls first: this thread's SDK code starts cold. Consumers ignore their bodies. */
  warmupCalls: number;
}

export interface ProducerOutput {
  produced: number;
  skipped: number;
  errors: number;
  firstError?: string;
  offeredForMs: number;
}

// Past this many unanswered calls the producer is not offering the rate any more, it is queueing;
// skipping calls keeps the measurement about the broker rather than about our own backlog.
const MAX_IN_FLIGHT = 256;

async function produce(input: ProducerInput): Promise<ProducerOutput> {
  let call: (body: string) => Promise<void>;
  let close: () => void;
  if (input.kind === "publish") {
    const sns = openTopicApi(input.endpoint);
    call = (body) => sns.publish(input.target, body);
    close = () => sns.close();
  } else {
    const sqs = openQueueApi(input.protocol, input.endpoint);
    call = (body) => sqs.send(input.target, body);
    close = () => sqs.close();
  }
  let produced = 0;
  let skipped = 0;
  let errors = 0;
  let firstError: string | undefined;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  try {
    let warm = 0;
    // Bounded in time too: on a slow broker a few hundred calls could take a minute.
    const warmUntil = performance.now() + 2_000;
    const warmLoop = async (): Promise<void> => {
      while (warm < input.warmupCalls && performance.now() < warmUntil) {
        warm += 1;
        await call("warm-up");
      }
    };
    await Promise.all([warmLoop(), warmLoop(), warmLoop(), warmLoop()]);
    const start = performance.now();
    for (let seq = 0; seq < input.total; ) {
      const due = Math.min(input.total, Math.floor(((performance.now() - start) / 1000) * input.rate));
      for (; seq < due; seq += 1) {
        if (inFlight >= MAX_IN_FLIGHT) {
          skipped += 1;
          continue;
        }
        inFlight += 1;
        const p = call(`lat:${seq}:${wallNow()}`)
          .then(
            () => {
              produced += 1;
            },
            (err: unknown) => {
              errors += 1;
              firstError ??= errorText(err);
            },
          )
          .finally(() => {
            inFlight -= 1;
            pending.delete(p);
          });
        pending.add(p);
      }
      await sleep(1);
    }
    const offeredForMs = performance.now() - start;
    await Promise.all(pending);
    return { produced, skipped, errors, firstError, offeredForMs };
  } finally {
    close();
  }
}

if (parentPort) {
  const port = parentPort;
  produce((workerData as { input: ProducerInput }).input).then(
    (out) => port.postMessage(out),
    (err: unknown) => {
      const out: ProducerOutput = { produced: 0, skipped: 0, errors: 1, firstError: errorText(err), offeredForMs: 0 };
      port.postMessage(out);
    },
  );
}
