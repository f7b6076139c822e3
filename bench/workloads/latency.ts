// Workload 4: end-to-end latency at a fixed offered rate. An open-loop producer (its own thread, see
// latency-producer.ts) issues one message per millisecond (1,000 msg/s) whatever the broker does; a
// consumer keeps long polls parked (WaitTimeSeconds 20). Latency runs from just before the producer's call
// to the arrival of the ReceiveMessage response carrying the message. Measured for SNS Publish → subscribed
// queue (the target) and, so that systems without SNS have a number too, for SQS SendMessage.
//
// On two cores the client is most of the load: one SDK call costs it ~0.5 ms of CPU. The consumer therefore
// deletes what it received in batches of up to 10 (as sqs-consumer's batch mode does) rather than one
// DeleteMessageBatch per receive, which had the harness's own CPU queueing dominate every system's figure.
import { Worker } from "node:worker_threads";
import { openQueueApi, openTopicApi, unwrapSns, type QueueApi } from "../clients.js";
import type { Budget, Metric, SystemDef, WorkloadDef } from "../types.js";
import { errorText, fmtCount, manyListeners, now, percentile, sleep, wallNow } from "../util.js";
import { cleanupQueues } from "./common.js";
import type { ProducerInput, ProducerOutput } from "./latency-producer.js";

/** Long polls kept parked at once, so a message never waits for the consumer to come back. */
const POLLERS = 2;
/** Receipt handles wait at most this long for a full batch of 10 before they are deleted. */
const DELETE_FLUSH_MS = 20;
const PRODUCER_URL = new URL("./latency-producer.ts", import.meta.url).href;
const WORKER_BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

interface Probe {
  p50: number | null;
  p99: number | null;
  notes: string[];
}

function runProducer(input: ProducerInput, signal: AbortSignal): Promise<ProducerOutput> {
  return new Promise((resolve, reject) => {
    // Loader hooks from `--import tsx` do not reach worker threads, so the worker registers tsx itself
    // before loading the TypeScript entry (as bin/sluice.js does for the broker).
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      workerData: { tsxApi: import.meta.resolve("tsx/esm/api"), entry: PRODUCER_URL, input },
    });
    const onAbort = (): void => {
      void worker.terminate();
      reject(signal.reason ?? new Error("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (out: ProducerOutput) => {
      signal.removeEventListener("abort", onAbort);
      void worker.terminate();
      resolve(out);
    });
    worker.once("error", (err) => {
      signal.removeEventListener("abort", onAbort);
      reject(err);
    });
  });
}

async function probe(opts: {
  sqs: QueueApi;
  url: string;
  input: ProducerInput;
  budget: Budget;
  signal: AbortSignal;
  what: string;
}): Promise<Probe> {
  const { sqs, url, budget, signal, input } = opts;
  const seen = new Set<number>();
  const latencies: number[] = [];
  let consumerErrors = 0;
  let firstError: unknown;

  const deletes = new Set<Promise<void>>();
  const stop = new AbortController();
  const consumerSignal = manyListeners(AbortSignal.any([signal, stop.signal]));
  let handles: string[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  const flushDeletes = (): void => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    while (handles.length > 0) {
      const batch = handles.slice(0, 10);
      handles = handles.slice(10);
      // Deleting in the background keeps the long polls parked, which is what the latency is about.
      const d = sqs
        .deleteBatch(url, batch, consumerSignal)
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => deletes.delete(d));
      deletes.add(d);
    }
  };
  const consume = async (): Promise<void> => {
    while (!consumerSignal.aborted) {
      try {
        const msgs = await sqs.receive(url, { max: 10, waitSeconds: 20 }, consumerSignal);
        const at = wallNow();
        for (const m of msgs) {
          const [, seqText, sentText] = unwrapSns(m.body).split(":");
          const seq = Number(seqText);
          // Warm-up bodies carry no sequence number.
          if (!Number.isFinite(seq) || seen.has(seq)) continue;
          seen.add(seq);
          latencies.push(at - Number(sentText));
        }
        for (const m of msgs) handles.push(m.receiptHandle);
        if (handles.length >= 10) flushDeletes();
        else if (handles.length > 0) flushTimer ??= setTimeout(flushDeletes, DELETE_FLUSH_MS);
      } catch (err) {
        if (consumerSignal.aborted) return;
        consumerErrors += 1;
        firstError ??= err;
        await sleep(10, consumerSignal);
      }
    }
  };
  const consumers = Array.from({ length: POLLERS }, () => consume());
  try {
    // Let the long polls park before the clock starts.
    await sleep(100, signal);
    const out = await runProducer(input, signal);
    // Whatever has not arrived a few seconds after the last send is reported as missing.
    const graceEnd = now() + (budget.quick ? 2_000 : 5_000);
    while (seen.size < out.produced && now() < graceEnd && !signal.aborted) await sleep(20);
    flushDeletes();
    await Promise.all(deletes);

    const notes: string[] = [];
    const offered = ((input.total - out.skipped) / out.offeredForMs) * 1000;
    if (out.skipped > 0) {
      notes.push(`${opts.what}: could not sustain ${fmtCount(input.rate)} msg/s (${fmtCount(offered)} msg/s offered)`);
    }
    if (seen.size < out.produced) {
      notes.push(`${opts.what}: ${fmtCount(out.produced - seen.size)} messages never arrived`);
    }
    const errors = out.errors + consumerErrors;
    if (errors > 0) notes.push(`${opts.what}: ${errors} request errors (${out.firstError ?? errorText(firstError)})`);
    if (out.produced === 0 || errors > input.total / 10) {
      throw new Error(`${opts.what}: ${errors} request errors; first: ${out.firstError ?? errorText(firstError)}`);
    }
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), notes };
  } finally {
    clearTimeout(flushTimer);
    stop.abort();
    await Promise.all(consumers);
  }
}

function metricsFor(kind: "pub" | "send", label: string, result: Probe | string): Metric[] {
  const missing = typeof result === "string" ? result : undefined;
  const p = typeof result === "string" ? undefined : result;
  return [
    { key: `lat.${kind}.p50`, label: `${label} p50 (ms)`, value: p?.p50 ?? null, unit: "ms", better: "lower", missing },
    { key: `lat.${kind}.p99`, label: `${label} p99 (ms)`, value: p?.p99 ?? null, unit: "ms", better: "lower", missing },
  ];
}

function producerInput(
  system: SystemDef,
  endpoint: string,
  budget: Budget,
  kind: ProducerInput["kind"],
  target: string,
): ProducerInput {
  return {
    kind,
    protocol: system.protocol,
    endpoint,
    target,
    rate: budget.latencyRate,
    total: Math.round(budget.latencyRate * budget.latencySeconds),
    warmupCalls: budget.quick ? 100 : 500,
  };
}

async function publishProbe(system: SystemDef, endpoint: string, budget: Budget, signal: AbortSignal, prefix: string) {
  const sqs = openQueueApi(system.protocol, endpoint);
  const sns = openTopicApi(endpoint);
  let topicArn: string | undefined;
  let url: string | undefined;
  try {
    url = await sqs.createQueue(`${prefix}-lat-pub`);
    topicArn = await sns.createTopic(`${prefix}-lat`);
    await sns.subscribeQueue(topicArn, await sqs.queueArn(url), false);
    const input = producerInput(system, endpoint, budget, "publish", topicArn);
    return await probe({ sqs, url, input, budget, signal, what: "Publish" });
  } finally {
    if (topicArn) await sns.deleteTopic(topicArn).catch(() => undefined);
    if (url) await cleanupQueues(sqs, [url]);
    sqs.close();
    sns.close();
  }
}

async function sendProbe(system: SystemDef, endpoint: string, budget: Budget, signal: AbortSignal, prefix: string) {
  const sqs = openQueueApi(system.protocol, endpoint);
  const url = await sqs.createQueue(`${prefix}-lat-send`);
  try {
    const input = producerInput(system, endpoint, budget, "send", url);
    return await probe({ sqs, url, input, budget, signal, what: "SendMessage" });
  } finally {
    await cleanupQueues(sqs, [url]);
    sqs.close();
  }
}

export const latency: WorkloadDef = {
  name: "latency",
  title: "4. Latency at 1,000 msg/s (long-polling consumer)",
  wantsFreshProcess: false,
  heavy: true,
  hardLimitMs: (b) => b.latencySeconds * 2_000 + 90_000,
  async run({ system, running, budget, signal, prefix }) {
    const pub = system.supportsSns
      ? await publishProbe(system, running.endpoint, budget, signal, prefix)
      : "unsupported";
    const send = await sendProbe(system, running.endpoint, budget, signal, prefix);
    return {
      metrics: [...metricsFor("pub", "Publish → receive", pub), ...metricsFor("send", "SendMessage → receive", send)],
      notes: [...(typeof pub === "string" ? [] : pub.notes), ...send.notes],
    };
  },
};
