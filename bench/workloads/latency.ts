// Workload 4: end-to-end latency at a fixed offered rate. An open-loop producer issues one message per
// millisecond (1,000 msg/s) whatever the broker does; four consumers long-poll (WaitTimeSeconds 20).
// Latency runs from the start of the producer's call to the arrival of the ReceiveMessage response that
// carries the message. Measured for SNS Publish → subscribed queue (the target) and, so that systems
// without SNS have a number too, for SQS SendMessage → the same kind of queue.
import { openQueueApi, openTopicApi, unwrapSns, type QueueApi } from "../clients.js";
import type { Budget, Metric, SystemDef, WorkloadDef } from "../types.js";
import { fmtCount, manyListeners, now, percentile, sleep } from "../util.js";
import { cleanupQueues } from "./common.js";

const CONSUMERS = 4;
// Past this many unanswered calls the producer is not offering the rate any more, it is queueing;
// skipping calls keeps the measurement about the broker rather than about our backlog.
const MAX_IN_FLIGHT = 256;

interface Probe {
  p50: number | null;
  p99: number | null;
  notes: string[];
}

async function probe(opts: {
  sqs: QueueApi;
  url: string;
  produce: (body: string) => Promise<void>;
  budget: Budget;
  signal: AbortSignal;
  what: string;
}): Promise<Probe> {
  const { sqs, url, budget, signal } = opts;
  const total = Math.round(budget.latencyRate * budget.latencySeconds);
  // JIT warm-up and the first connections are not what this measures.
  const warmup = Math.floor(total / 10);
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let received = 0;
  let errors = 0;
  let firstError: unknown;
  let skipped = 0;
  let inFlight = 0;

  const stop = new AbortController();
  const consumerSignal = manyListeners(AbortSignal.any([signal, stop.signal]));
  const consume = async (): Promise<void> => {
    while (!consumerSignal.aborted) {
      try {
        const msgs = await sqs.receive(url, { max: 10, waitSeconds: 20 }, consumerSignal);
        const at = now();
        for (const m of msgs) {
          const seq = Number(unwrapSns(m.body).split(":")[1]);
          const t0 = sentAt.get(seq);
          if (t0 === undefined) continue;
          sentAt.delete(seq);
          received += 1;
          if (seq >= warmup) latencies.push(at - t0);
        }
        if (msgs.length > 0) {
          await sqs.deleteBatch(
            url,
            msgs.map((m) => m.receiptHandle),
            consumerSignal,
          );
        }
      } catch (err) {
        if (consumerSignal.aborted) return;
        errors += 1;
        firstError ??= err;
        await sleep(10, consumerSignal);
      }
    }
  };
  const consumers = Array.from({ length: CONSUMERS }, () => consume());
  // Let the long polls park before the clock starts.
  await sleep(100, signal);

  const start = now();
  const pending = new Set<Promise<void>>();
  for (let seq = 0; seq < total && !signal.aborted; ) {
    const due = Math.min(total, Math.floor(((now() - start) / 1000) * budget.latencyRate));
    for (; seq < due; seq += 1) {
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped += 1;
        continue;
      }
      const id = seq;
      inFlight += 1;
      sentAt.set(id, now());
      const p = opts
        .produce(`lat:${id}:`)
        .catch((err: unknown) => {
          sentAt.delete(id);
          errors += 1;
          firstError ??= err;
        })
        .finally(() => {
          inFlight -= 1;
          pending.delete(p);
        });
      pending.add(p);
    }
    await sleep(1);
  }
  const offeredFor = now() - start;
  await Promise.all(pending);
  // Whatever has not arrived a couple of seconds after the last send is reported as missing.
  const graceEnd = now() + (budget.quick ? 2_000 : 5_000);
  while (sentAt.size > 0 && now() < graceEnd && !signal.aborted) await sleep(20);
  stop.abort();
  await Promise.all(consumers);

  const notes: string[] = [];
  const achieved = ((total - skipped) / offeredFor) * 1000;
  if (skipped > 0) {
    notes.push(`${opts.what}: could not sustain ${fmtCount(budget.latencyRate)} msg/s (${fmtCount(achieved)} msg/s offered)`);
  }
  if (sentAt.size > 0) notes.push(`${opts.what}: ${fmtCount(sentAt.size)} messages never arrived`);
  if (errors > 0) notes.push(`${opts.what}: ${errors} request errors (${String(firstError).slice(0, 120)})`);
  if (errors > total / 10) throw new Error(`${opts.what}: ${errors} request errors; first: ${String(firstError)}`);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), notes };
}

function metricsFor(kind: "pub" | "send", label: string, result: Probe | string): Metric[] {
  const missing = typeof result === "string" ? result : undefined;
  const p = typeof result === "string" ? undefined : result;
  return [
    { key: `lat.${kind}.p50`, label: `${label} p50 (ms)`, value: p?.p50 ?? null, unit: "ms", better: "lower", missing },
    { key: `lat.${kind}.p99`, label: `${label} p99 (ms)`, value: p?.p99 ?? null, unit: "ms", better: "lower", missing },
  ];
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
    const arn = topicArn;
    return await probe({ sqs, url, budget, signal, what: "Publish", produce: (b) => sns.publish(arn, b, signal) });
  } finally {
    if (topicArn) await sns.deleteTopic(topicArn).catch(() => undefined);
    if (url) await cleanupQueues(sqs, [url]);
    sqs.close();
    sns.close();
  }
}

async function sendProbe(system: SystemDef, endpoint: string, budget: Budget, signal: AbortSignal, prefix: string) {
  // Producer and consumers use separate clients (and so connection pools), as separate services would.
  const producer = openQueueApi(system.protocol, endpoint);
  const sqs = openQueueApi(system.protocol, endpoint);
  const url = await sqs.createQueue(`${prefix}-lat-send`);
  try {
    return await probe({ sqs, url, budget, signal, what: "SendMessage", produce: (b) => producer.send(url, b, signal) });
  } finally {
    await cleanupQueues(sqs, [url]);
    sqs.close();
    producer.close();
  }
}

export const latency: WorkloadDef = {
  name: "latency",
  title: "4. Latency at 1,000 msg/s (long-polling consumer)",
  wantsFreshProcess: false,
  hardLimitMs: (b) => b.latencySeconds * 2_000 + 60_000,
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
