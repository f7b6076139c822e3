// Probe: FIFO topic publishes while the five-minute deduplication window fills. Eight clients send
// PublishBatch(10) with fresh deduplication ids; the rate is printed for each sixth of the run, so a cost
// that grows with the entries in the window shows as a falling rate.
//
//   node --import tsx bench/probes/sns-fifo-window.ts [--messages 60000] [--memory]
import { randomUUID } from "node:crypto";
import { CreateTopicCommand, PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { numberArg, withSluice } from "./common.js";

const total = numberArg("messages", 60_000);
const slice = Math.ceil(total / 6 / 10) * 10;

await withSluice(async (broker, label) => {
  const sns = new SNSClient({ endpoint: broker.endpoint, region: "us-east-1", credentials: { accessKeyId: "probe", secretAccessKey: "probe" } });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "probe.fifo", Attributes: { FifoTopic: "true" } }));
  console.log(`${label}: FIFO topic, PublishBatch(10), 8 clients, ${total.toLocaleString("en-US")} messages`);
  let started = 0;
  let done = 0;
  let sliceStart = performance.now();
  const client = async (): Promise<void> => {
    while (started < total) {
      started += 10;
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: String(i), Message: "m", MessageGroupId: `g${i}`, MessageDeduplicationId: randomUUID() }));
      await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries }));
      done += 10;
      if (done % slice === 0 || done === total) {
        const at = performance.now();
        console.log(`  up to ${done.toLocaleString("en-US")}: ${Math.round((slice / (at - sliceStart)) * 1000).toLocaleString("en-US")} msg/s`);
        sliceStart = at;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  sns.destroy();
});
