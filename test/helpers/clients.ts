import * as current from "@aws-sdk/client-sqs";
import * as legacy from "sqs-query-sdk";

/** Which wire protocol a client speaks: current SDKs use JSON, SDKs up to 3.445 use Query/XML. */
export type Protocol = "json" | "query";
export const PROTOCOLS: Protocol[] = ["json", "query"];

export type SqsSdk = typeof current;

/** The SDK module for a protocol; commands must come from the same module as the client. */
export function sqsSdk(protocol: Protocol): SqsSdk {
  return protocol === "json" ? current : (legacy as unknown as SqsSdk);
}

export function sqsClient(endpoint: string, protocol: Protocol = "json", accessKeyId = "test", region = "us-east-1") {
  const sdk = sqsSdk(protocol);
  return new sdk.SQSClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey: "test" }, maxAttempts: 1 });
}
