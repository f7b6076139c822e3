/**
 * A ledger handler has a bug for large amounts: that payment fails maxReceiveCount times and SQS
 * moves it to the consumer's DLQ. A malformed message goes there at once, with the reason attached.
 * The DLQ is inspected, the handler fixed, and the payment redriven.
 */
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { jsonLogger } from "../src/toolkit/index.js";
import { spyOn } from "../src/toolkit/testing/index.js";
import { connect, detail, PaymentCaptured, runIfMain, step, type Example } from "./shared.js";

export const title = "A poison message lands in the DLQ, is inspected, and is redriven once fixed";

export const run: Example = async (broker) => {
  const payments = await connect(broker, { service: "payments" });
  // This service logs as it would in production: one JSON line per outcome.
  const ledger = await connect(broker, { service: "ledger", logger: jsonLogger({ write: (line) => detail(line.trimEnd()) }) });
  const spy = spyOn(ledger);
  let fixed = false;

  const consumer = ledger.consume(
    "record-payment",
    { events: [PaymentCaptured], maxReceiveCount: 3, backoff: { initialSeconds: 0 } },
    async (event) => {
      if (!fixed && event.data.amount > 1000) throw new RangeError(`amount ${event.data.amount} overflows the ledger column`);
    },
  );
  await ledger.start();

  step("payments publishes a normal payment and a large one; the large one hits the bug");
  await payments.publish(PaymentCaptured, { orderId: "o-1", userId: "u-1", amount: 20 });
  const big = await payments.publish(PaymentCaptured, { orderId: "o-2", userId: "u-2", amount: 5000 });
  await spy.waitForDeadLettered({ reason: "max-receives-exceeded" });
  step("after 3 failed receives SQS moves it to the DLQ (the toolkit only made it visible again)");

  step("someone sends a message that is not an envelope straight to the queue");
  const sqs = new SQSClient({ endpoint: broker.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: consumer.queue }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "<order id=3/>" }));
  await spy.waitForDeadLettered({ reason: "malformed-message" });
  sqs.destroy();

  const dlq = consumer.deadLetters();
  let letters = await dlq.inspect();
  for (let tries = 0; letters.length < 2 && tries < 10; tries += 1) letters = await dlq.inspect();
  step(`inspecting ${dlq.name}: ${letters.length} dead letters`);
  for (const letter of letters) {
    detail(`${letter.envelope ? `${letter.envelope.type} ${letter.envelope.eventId}` : JSON.stringify(letter.body)} — reason: ${letter.reason ?? "failed maxReceiveCount times (see logs)"}${letter.detail ? ` (${letter.detail})` : ""}`);
  }

  step("the handler is fixed and deployed; redrive only the letters that are envelopes");
  fixed = true;
  const { moved } = await dlq.redrive({ filter: (letter) => letter.envelope !== undefined });
  detail(`moved ${moved} back to ${consumer.queue}`);
  await spy.waitForHandled(PaymentCaptured, { where: (event) => event.eventId === big.eventId });
  step(`payment ${big.eventId} handled; ${await dlq.count()} letter left in the DLQ (the malformed one, for a human)`);

  await Promise.all([payments.stop(), ledger.stop()]);
};

await runIfMain(import.meta.url, title, run);
