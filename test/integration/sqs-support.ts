/**
 * Shared fixtures for the SQS integration suite: a broker per describe block, SDK error assertions that
 * know how each protocol's SDK exposes an error, and raw fetch() helpers for wire-level checks.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { QueueAttributeName } from "@aws-sdk/client-sqs";
import { startTestBroker, type StoreKind, type TestBroker } from "../helpers/broker.js";
import { sqsClient, sqsSdk, type Protocol, type SqsSdk } from "../helpers/clients.js";

// The AWS SDK warns once per process about Node 20; it is noise in test output.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

export type Client = ReturnType<typeof sqsClient>;

export interface Fixture {
  broker: TestBroker;
  sdk: SqsSdk;
  client: Client;
  protocol: Protocol;
  store: StoreKind;
  /** A client for the same broker with another identity; destroyed with the fixture. */
  clientFor(accessKeyId: string, region?: string, endpoint?: string): Client;
}

/** Starts a broker and a client in the enclosing describe block and stops both after it. */
export function useBroker(protocol: Protocol, store: StoreKind = "memory"): Fixture {
  const extra: Client[] = [];
  const fixture = { protocol, store, sdk: sqsSdk(protocol) } as Fixture;
  fixture.clientFor = (accessKeyId, region = "us-east-1", endpoint = fixture.broker.endpoint) => {
    const client = sqsClient(endpoint, protocol, accessKeyId, region);
    extra.push(client);
    return client;
  };
  before(async () => {
    fixture.broker = await startTestBroker(store);
    fixture.client = sqsClient(fixture.broker.endpoint, protocol);
  });
  after(async () => {
    fixture.client?.destroy();
    for (const client of extra) client.destroy();
    await fixture.broker?.stop();
  });
  return fixture;
}

/**
 * Attribute names as the SDK types them. The SDK's types list queue attribute names only, but the
 * (older) AttributeNames member of ReceiveMessage also takes system attribute names, and the tests send
 * unknown names on purpose.
 */
export function names(...list: string[]): QueueAttributeName[] {
  return list as QueueAttributeName[];
}

/** A queue attribute map as the SDK types it (see `names`). */
export function attributes(map: Record<string, string>): Partial<Record<QueueAttributeName, string>> {
  return map as Partial<Record<QueueAttributeName, string>>;
}

let counter = 0;
/** A queue name unique within the process (queues are never shared between tests). */
export function uniqueName(prefix = "q"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function createQueue(f: Fixture, attrs?: Record<string, string>, client: Client = f.client): Promise<string> {
  const out = await client.send(new f.sdk.CreateQueueCommand({ QueueName: uniqueName(), Attributes: attrs && attributes(attrs) }));
  assert.ok(out.QueueUrl);
  return out.QueueUrl;
}

export async function queueCounts(f: Fixture, queueUrl: string): Promise<[number, number, number]> {
  const out = await f.client.send(
    new f.sdk.GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  const a = out.Attributes ?? {};
  return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible), Number(a.ApproximateNumberOfMessagesDelayed)];
}

export interface ExpectedError {
  /** The error's name as the SDK reports it (JSON: the shape from __type; Query: the modelled shape or the code). */
  name: string;
  /** The legacy code: JSON's x-amzn-query-error, Query's <Code>. */
  code: string;
  status: number;
  message?: string | RegExp;
}

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  Error?: { Code?: string; Message?: string };
  $metadata?: { httpStatusCode?: number };
}

/**
 * Asserts that an SDK call fails as AWS would fail it. The Query SDK (3.445) drops the message of modelled
 * errors that have no members ("UnknownError") but keeps the parsed <Error> element, so both are read.
 */
export async function rejectsWith(f: Pick<Fixture, "protocol">, call: Promise<unknown>, expected: ExpectedError): Promise<void> {
  let caught: SdkError | undefined;
  try {
    await call;
  } catch (error) {
    caught = error as SdkError;
  }
  assert.ok(caught, `expected ${expected.name} but the call succeeded`);
  const code = caught.Code ?? caught.Error?.Code;
  const message = caught.message === "UnknownError" ? caught.Error?.Message : caught.message;
  // The Query SDK names an error after its modelled shape only where its (older) model lists that error for
  // the operation; elsewhere the name is the wire code. Either way the wire carried the same <Code>.
  const name = f.protocol === "query" && caught.name === expected.code ? expected.name : caught.name;
  const got = { name, code, status: caught.$metadata?.httpStatusCode };
  assert.deepEqual(got, { name: expected.name, code: expected.code, status: expected.status }, `error was: ${String(message)}`);
  if (typeof expected.message === "string") assert.equal(message, expected.message);
  else if (expected.message) assert.match(message ?? "", expected.message);
}

export function nonExistentQueue(protocol: Protocol): ExpectedError {
  return {
    name: "QueueDoesNotExist",
    code: "AWS.SimpleQueueService.NonExistentQueue",
    status: 400,
    message: protocol === "json" ? "The specified queue does not exist." : "The specified queue does not exist for this wsdl version.",
  };
}

export function invalidParameterValue(message: string | RegExp): ExpectedError {
  return { name: "InvalidParameterValue", code: "InvalidParameterValue", status: 400, message };
}

export function missingParameter(parameter: string): ExpectedError {
  return { name: "MissingParameter", code: "MissingParameter", status: 400, message: `The request must contain the parameter ${parameter}.` };
}

// ---- raw wire helpers -------------------------------------------------------------------------------

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface RawOptions {
  accessKeyId?: string;
  region?: string;
  headers?: Record<string, string>;
  path?: string;
}

/** An Authorization header carrying a credential scope (the broker runs with auth off; only the scope counts). */
export function authorization(accessKeyId = "test", region = "us-east-1"): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
}

async function raw(endpoint: string, init: RequestInit, options: RawOptions): Promise<RawResponse> {
  const response = await fetch(`${endpoint}${options.path ?? "/"}`, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** An AWS JSON 1.0 request; `body` is serialised unless it is already a string or bytes. */
export function jsonRequest(endpoint: string, action: string, body: unknown, options: RawOptions = {}): Promise<RawResponse> {
  const payload = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  return raw(
    endpoint,
    {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": `AmazonSQS.${action}`,
        Authorization: authorization(options.accessKeyId, options.region),
        ...options.headers,
      },
      body: payload,
    },
    options,
  );
}

/** A Query request; parameters are form-encoded unless given as a ready body. */
export function queryRequest(
  endpoint: string,
  params: Record<string, string> | string | Uint8Array,
  options: RawOptions = {},
): Promise<RawResponse> {
  const body =
    typeof params === "string" || params instanceof Uint8Array ? params : new URLSearchParams({ Version: "2012-11-05", ...params }).toString();
  return raw(
    endpoint,
    {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: authorization(options.accessKeyId, options.region),
        ...options.headers,
      },
      body,
    },
    options,
  );
}

export interface XmlError {
  type: string;
  code: string;
  message: string;
}

/** Reads `<ErrorResponse><Error>…` and checks the document's outline on the way. */
export function parseXmlError(text: string): XmlError {
  assert.match(text, /^<\?xml[^>]*\?>\s*<ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/">/);
  assert.match(text, /<Detail\/>/);
  assert.match(text, /<RequestId>[^<]+<\/RequestId>\s*<\/ErrorResponse>\s*$/);
  const pick = (tag: string) => unescapeXml(new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1] ?? "");
  return { type: pick("Type"), code: pick("Code"), message: pick("Message") };
}

export function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#xD;/g, "\r")
    .replace(/&amp;/g, "&");
}

/** Checks a JSON error response: status, __type, message and the x-amzn-query-error header. */
export function assertJsonError(
  response: RawResponse,
  expected: { status: number; type: string; queryError?: string; message?: string | RegExp },
): void {
  assert.equal(response.status, expected.status, response.text);
  assert.equal(response.headers.get("content-type"), "application/x-amz-json-1.0");
  const body = JSON.parse(response.text) as { __type?: string; message?: string };
  assert.equal(body.__type, expected.type);
  if (typeof expected.message === "string") assert.equal(body.message, expected.message);
  else if (expected.message) assert.match(body.message ?? "", expected.message);
  if (expected.queryError !== undefined) assert.equal(response.headers.get("x-amzn-query-error"), expected.queryError);
  assert.doesNotMatch(response.text, /\bat .+\.(ts|js):\d+/, "no stack trace");
}

export function assertQueryError(response: RawResponse, expected: { status: number; code: string; type?: string; message?: string | RegExp }): void {
  assert.equal(response.status, expected.status, response.text);
  assert.equal(response.headers.get("content-type"), "text/xml");
  const error = parseXmlError(response.text);
  assert.equal(error.code, expected.code);
  assert.equal(error.type, expected.type ?? "Sender");
  if (typeof expected.message === "string") assert.equal(error.message, expected.message);
  else if (expected.message) assert.match(error.message, expected.message);
  assert.doesNotMatch(response.text, /\bat .+\.(ts|js):\d+/, "no stack trace");
}

/** Resolves with how long `promise` took, in milliseconds. */
export async function timed<T>(promise: Promise<T>, started = performance.now()): Promise<{ value: T; ms: number }> {
  const value = await promise;
  return { value, ms: performance.now() - started };
}

export { sleep };
