import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";

export interface AwsConnectionOptions {
  /**
   * Where SQS and SNS live. Leave unset to let the AWS SDK decide: it honours `AWS_ENDPOINT_URL`
   * (pointing at Sluice locally) and otherwise talks to AWS.
   */
  readonly endpoint?: string;
  /** Defaults to the SDK's own resolution; "us-east-1" when an endpoint is set and nothing else says. */
  readonly region?: string;
  readonly credentials?: SQSClientConfig["credentials"];
  /** Bring your own clients (custom retry, proxies, X-Ray…); endpoint/region/credentials are then ignored. */
  readonly clients?: { readonly sqs: SQSClient; readonly sns: SNSClient };
}

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  /** True when the clients were made here and should be destroyed with the bus. */
  readonly owned: boolean;
}

export function createClients(options: AwsConnectionOptions): AwsClients {
  if (options.clients) return { ...options.clients, owned: false };
  const endpoint = options.endpoint;
  const endpointFromEnv = process.env["AWS_ENDPOINT_URL"] ?? process.env["AWS_ENDPOINT_URL_SQS"];
  const regionFromEnv = process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"];
  // A local broker does not care about regions, but the SDK refuses to start without one.
  const region = options.region ?? regionFromEnv ?? (endpoint ?? endpointFromEnv ? "us-east-1" : undefined);
  const config = {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  return { sqs: new SQSClient(config), sns: new SNSClient(config), owned: true };
}

/** SQS error names differ between the JSON and the Query protocol and between brokers. */
export function isQueueMissing(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const code = (error as { Code?: unknown } | null)?.Code;
  return [name, code].some(
    (value) => value === "QueueDoesNotExist" || value === "AWS.SimpleQueueService.NonExistentQueue" || value === "NonExistentQueue",
  );
}

export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "NotFoundException" || name === "NotFound" || isQueueMissing(error);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
