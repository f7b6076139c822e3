import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

export interface HalfSent {
  /** Writes the rest of the body; resolves with the status and the parsed JSON answer. */
  finish(): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Settles when the broker answers or drops the connection, without sending the rest. */
  outcome: Promise<{ status: number; body: Record<string, unknown> } | Error>;
  /** Hangs up without sending the rest. */
  abort(): void;
}

/**
 * An SQS JSON request with only half its body on the wire: the broker has accepted it and cannot answer
 * yet, which is what "a request in flight" looks like from the outside.
 */
export async function halfSentRequest(endpoint: string, action: string, input: Record<string, unknown>): Promise<HalfSent> {
  const payload = Buffer.from(JSON.stringify(input));
  const url = new URL(endpoint);
  const req = request({
    host: url.hostname,
    port: url.port,
    method: "POST",
    path: "/",
    agent: false,
    headers: {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": `AmazonSQS.${action}`,
      "Content-Length": payload.length,
      Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`,
    },
  });
  const response = new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    req.on("error", reject);
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      res.on("error", reject);
    });
  });
  const outcome = response.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const half = Math.floor(payload.length / 2);
  await new Promise<void>((resolve, reject) => req.write(payload.subarray(0, half), (error) => (error ? reject(error) : resolve())));
  // The bytes must have reached the broker before the test goes on, or the request would not be in flight.
  await sleep(200);
  return {
    outcome,
    abort: () => req.destroy(),
    finish: () => {
      req.end(payload.subarray(half));
      return response;
    },
  };
}
