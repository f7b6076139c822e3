// Probe: HTTP subscriptions with a backlog of deliveries. By default one subscription whose endpoint answers
// in 50 ms: the worker sends at most four at a time to one subscription, so it is busy throughout, and a
// broker that walks the busy backlog on every lease spends its CPU on that instead of on delivering. With
// `--subscriptions 50 --answer-ms 0`, many endpoints that answer at once. Prints deliveries and the broker's
// CPU (from /proc) per two-second window.
//
//   node --import tsx bench/probes/http-backlog.ts [--messages 30000] [--subscriptions 1] [--answer-ms 50] [--memory]
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTopicCommand, PublishBatchCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { cpuSeconds } from "../proc.js";
import { sleep } from "../util.js";
import { numberArg, withSluice } from "./common.js";

const total = numberArg("messages", 30_000);
const subscriptions = numberArg("subscriptions", 1);
const answerMs = numberArg("answer-ms", 50);

await withSluice(async (broker, label) => {
  let delivered = 0;
  let confirm: () => void = () => undefined;
  const confirmed = new Promise<void>((resolve) => (confirm = resolve));
  let confirmations = 0;
  const endpoint = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const message = JSON.parse(body) as { Type: string; SubscribeURL?: string };
      if (message.Type === "SubscriptionConfirmation" && message.SubscribeURL) {
        void fetch(message.SubscribeURL).then(() => {
          confirmations += 1;
          if (confirmations === subscriptions) confirm();
        });
        res.end();
        return;
      }
      delivered += 1;
      if (answerMs > 0) setTimeout(() => res.end("ok"), answerMs);
      else res.end("ok");
    });
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => endpoint.once("listening", resolve));
  const sns = new SNSClient({ endpoint: broker.endpoint, region: "us-east-1", credentials: { accessKeyId: "probe", secretAccessKey: "probe" } });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "probe" }));
  const { port } = endpoint.address() as AddressInfo;
  for (let i = 0; i < subscriptions; i++) {
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `http://127.0.0.1:${port}/${i}` }));
  }
  await confirmed;
  for (let i = 0; i < total / subscriptions; i += 10) {
    const entries = Array.from({ length: 10 }, (_, j) => ({ Id: String(j), Message: `m${i + j}` }));
    await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries }));
  }
  const endpoints = subscriptions === 1 ? "one endpoint" : `${subscriptions} endpoints`;
  console.log(`${label}: ${total.toLocaleString("en-US")} deliveries queued for ${endpoints} answering in ${answerMs} ms (at most 4 at a time each)`);
  for (let window = 0; window < 5; window++) {
    const [d0, c0] = [delivered, cpuSeconds(broker.pid)];
    await sleep(2_000);
    const [d, c] = [delivered - d0, cpuSeconds(broker.pid) - c0];
    console.log(`  ${d} delivered in 2 s, broker CPU ${Math.round(c * 1000)} ms (${d > 0 ? ((c * 1000) / d).toFixed(2) : "–"} ms per delivery)`);
  }
  sns.destroy();
  endpoint.closeAllConnections();
  endpoint.close();
});
