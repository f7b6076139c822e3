import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { SqsError } from "../core/errors.js";
import type { SqsService } from "../core/sqs/sqs-service.js";
import type { SqsContext } from "../protocol/sqs/actions.js";
import { handleSqsJson, sqsJsonError } from "../protocol/sqs/json-protocol.js";
import { handleSqsQuery, sqsQueryError } from "../protocol/sqs/query-protocol.js";
import { logUnexpected, type WireBody, type WireResponse } from "../protocol/wire.js";
import { callerOf } from "./caller.js";
import { MalformedFormError, parseForm } from "./form.js";
import { BodyTooLargeError, readBody } from "./read-body.js";

// One decoder for every request: decoding without `stream` keeps no state between calls.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Far above any valid request (1 MiB of payload, escaped or percent-encoded), far below harm. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024 + 65536;

export interface Services {
  sqs: SqsService;
  /** Other Query-protocol services (SNS) by API version; tried when Version names them. */
  queryServices?: Map<string, QueryService>;
  /** Tried for every request except POST / (the API endpoint); true when it answered the request. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
  /** Defers a response until the writes made for it are durable (the store's group commit). */
  afterCommit?: (fn: (failure?: Error) => void) => void;
}

export interface QueryService {
  handles(action: string): boolean;
  handle(params: Map<string, string>, req: IncomingMessage, origin: string, requestId: string): Promise<WireResponse>;
  error(code: "MalformedQueryString" | "RequestEntityTooLarge", message: string, requestId: string): WireResponse;
}

function bodyLength(body: WireBody): number {
  if (typeof body === "string") return Buffer.byteLength(body);
  let length = 0;
  for (const part of body) length += Buffer.byteLength(part);
  return length;
}

function write(res: ServerResponse, response: WireResponse, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  const { body } = response;
  const headers: Record<string, string | number> = {
    "Content-Type": response.contentType,
    "Content-Length": bodyLength(body),
    "x-amzn-RequestId": requestId,
  };
  // Only error responses carry more headers; a loop instead of a spread keeps the object's shape for the rest.
  if (response.headers) for (const name of Object.keys(response.headers)) headers[name] = response.headers[name];
  res.writeHead(response.status, headers);
  if (typeof body === "string") return void res.end(body);
  // Corked, the parts leave together in one writev when end() flushes them, instead of one write each.
  res.cork();
  for (const part of body) res.write(part);
  res.end();
}

/** A response goes out only once what it acknowledges is committed; a failed commit turns it into an error. */
function respond(services: Services, res: ServerResponse, response: WireResponse, requestId: string): void {
  if (!services.afterCommit) return write(res, response, requestId);
  services.afterCommit((failure) => {
    if (!failure) return write(res, response, requestId);
    logUnexpected(failure, "commit");
    const error = new SqsError("InternalFailure", "The request could not be committed.");
    write(res, response.contentType.includes("json") ? sqsJsonError(error) : sqsQueryError(error, requestId), requestId);
  });
}

/** A queue URL path `/<12-digit account>/<name>` implies the QueueUrl parameter. */
function pathQueueUrl(origin: string, pathname: string): string | undefined {
  return /^\/\d{12}\/[^/]+\/?$/.test(pathname) ? `${origin}${pathname.replace(/\/$/, "")}` : undefined;
}

export function createBrokerServer(services: Services): Server {
  return createServer((req, res) => {
    const requestId = randomUUID();
    handle(services, req, res, requestId).catch((error: unknown) => {
      // A client that hung up mid-request (or was cut off at shutdown) is not a broker fault: nobody is left to answer.
      if (req.destroyed && (error as NodeJS.ErrnoException).code === "ECONNRESET") return;
      logUnexpected(error, "request");
      write(res, sqsQueryError(new SqsError("InternalFailure", "Internal failure."), requestId), requestId);
    });
  });
}

async function handle(services: Services, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const host = req.headers.host ?? "127.0.0.1";
  const origin = `http://${host}`;
  // POST / is the API endpoint itself, where the SDKs send every call: no path or query to parse, and no
  // extra route can live there without hiding the API. Parsing a URL per request showed in the profile.
  const url = req.method === "POST" && req.url === "/" ? undefined : new URL(req.url ?? "/", origin);
  if (url) {
    if (req.method === "GET" && url.pathname === "/health") {
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"ok"}');
      return;
    }
    if (services.extraRoutes?.(req, res, url)) return;
  }

  const target = req.headers["x-amz-target"];
  const isJson = typeof target === "string";
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    const tooLarge = new SqsError("RequestEntityTooLarge", `Request body must be at most ${MAX_BODY_BYTES} bytes.`);
    res.setHeader("Connection", "close");
    write(res, isJson ? sqsJsonError(tooLarge) : sqsQueryError(tooLarge, requestId), requestId);
    res.on("finish", () => req.destroy());
    return;
  }

  const ctx: SqsContext = {
    caller: callerOf(req.headers, url?.searchParams),
    origin,
    traceHeader: typeof req.headers["x-amzn-trace-id"] === "string" ? req.headers["x-amzn-trace-id"] : undefined,
    sqs: services.sqs,
  };
  const impliedQueue = url ? pathQueueUrl(origin, url.pathname) : undefined;
  if (isJson) {
    respond(services, res, await handleSqsJson(target, body, ctx, impliedQueue), requestId);
    return;
  }

  let params: Map<string, string>;
  try {
    params = parseForm(url ? url.search.slice(1) : "");
    if (body.length > 0) parseForm(utf8.decode(body), params);
  } catch (error) {
    if (!(error instanceof MalformedFormError) && !(error instanceof TypeError)) throw error;
    write(res, sqsQueryError(new SqsError("MalformedQueryString", "The request body is not valid form-encoded UTF-8."), requestId), requestId);
    return;
  }
  const action = params.get("Action") ?? "";
  const version = params.get("Version");
  for (const [apiVersion, service] of services.queryServices ?? []) {
    if (version === apiVersion || (version === undefined && service.handles(action) && !impliedQueue)) {
      respond(services, res, await service.handle(params, req, origin, requestId), requestId);
      return;
    }
  }
  respond(services, res, await handleSqsQuery(params, ctx, requestId, impliedQueue), requestId);
}
