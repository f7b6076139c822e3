// Workload 3: SNS fan-out. 16 publishers Publish to a topic with 10 subscribed queues (default,
// enveloped delivery); one consumer per queue receives and deletes. Deliveries/s counts messages that
// reached a consumer, from the first Publish to the last delivery.
import { openQueueApi, openTopicApi } from "../clients.js";
import type { Metric, WorkloadDef } from "../types.js";
import { fmtCount, makeBody, manyListeners, now, runPool } from "../util.js";
import { cleanupQueues } from "./common.js";

export const fanout: WorkloadDef = {
  name: "fanout",
  title: "3. SNS fan-out (Publish to a topic with 10 queues)",
  wantsFreshProcess: false,
  unsupported: (s) => (s.supportsSns ? undefined : "no SNS"),
  hardLimitMs: (b) => b.phaseMs * 2 + 60_000,
  async run({ system, running, budget, signal, prefix }) {
    const sqs = openQueueApi(system.protocol, running.endpoint);
    const sns = openTopicApi(running.endpoint);
    const urls: string[] = [];
    let topicArn: string | undefined;
    try {
      topicArn = await sns.createTopic(`${prefix}-fan`);
      for (let i = 0; i < budget.fanoutQueues; i += 1) {
        const url = await sqs.createQueue(`${prefix}-fan-${i}`, { VisibilityTimeout: "600" });
        urls.push(url);
        await sns.subscribeQueue(topicArn, await sqs.queueArn(url), false);
      }
      const arn = topicArn;
      const body = makeBody(256, "fan");
      const start = now();
      let issued = 0;
      let published = 0;
      let publishDone = false;
      let delivered = 0;
      let lastDelivery = start;
      let lastPublish = start;

      const publishers = runPool({
        workers: budget.workers,
        deadline: start + budget.phaseMs,
        signal,
        step: async () => {
          if (issued >= budget.fanoutPublishes) return false;
          issued += 1;
          await sns.publish(arn, body, signal);
          published += 1;
          lastPublish = now();
          return true;
        },
      }).finally(() => {
        publishDone = true;
      });

      // Consumers get their own budget on top, so a broker that queues deliveries behind publishes is
      // measured on when it delivers, not cut off when publishing stops.
      const stopConsumers = new AbortController();
      const consumerSignal = manyListeners(AbortSignal.any([signal, stopConsumers.signal]));
      const consumers = runPool({
        workers: urls.length,
        deadline: start + budget.phaseMs * 2,
        signal: consumerSignal,
        step: async (w) => {
          if (publishDone && delivered >= published * urls.length) return false;
          const msgs = await sqs.receive(urls[w], { max: 10, waitSeconds: 1 }, consumerSignal);
          if (msgs.length === 0) return true;
          const r = await sqs.deleteBatch(
            urls[w],
            msgs.map((m) => m.receiptHandle),
            signal,
          );
          delivered += r.ok;
          lastDelivery = now();
          return true;
        },
      });
      const pub = await publishers.catch(async (err: unknown) => {
        stopConsumers.abort();
        await consumers.catch(() => undefined);
        throw err;
      });
      await consumers;

      const expected = published * urls.length;
      const reduced =
        pub.timedOut && published < budget.fanoutPublishes
          ? `smaller run: ${fmtCount(published)} of ${fmtCount(budget.fanoutPublishes)} publishes` +
            ` in the ${budget.phaseMs / 1000} s budget`
          : undefined;
      const metrics: Metric[] = [
        {
          key: "fanout.deliveries",
          label: "deliveries/s (10 queues)",
          value: delivered > 0 ? (delivered / (lastDelivery - start)) * 1000 : null,
          unit: "msg/s",
          better: "higher",
          reduced,
        },
        {
          key: "fanout.publish",
          label: "publishes/s",
          value: published > 0 ? (published / (lastPublish - start)) * 1000 : null,
          unit: "msg/s",
          better: "higher",
          reduced,
        },
      ];
      const notes: string[] = [];
      if (delivered < expected) {
        notes.push(`only ${fmtCount(delivered)} of ${fmtCount(expected)} deliveries arrived within the budget`);
      }
      return { metrics, notes };
    } finally {
      if (topicArn) await sns.deleteTopic(topicArn).catch(() => undefined);
      await cleanupQueues(sqs, urls);
      sqs.close();
      sns.close();
    }
  },
};
