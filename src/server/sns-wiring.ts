/**
 * SNS inside the broker: the service on the SQS core's store and clock, its Query endpoint, the signing
 * certificate route and the HTTP/S delivery worker. startBroker() calls this once per broker.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../core/clock.js";
import { SnsError } from "../core/errors.js";
import type { SnsLinks } from "../core/sns/envelope.js";
import { SnsService } from "../core/sns/sns-service.js";
import type { SqsService } from "../core/sqs/sqs-service.js";
import { certPath, certRoute } from "../delivery/cert-route.js";
import { createPoster } from "../delivery/http-post.js";
import { DEFAULT_WORKER_OPTIONS, HttpDeliveryWorker } from "../delivery/http-worker.js";
import { createMessageSigner } from "../delivery/signer.js";
import { loadOrCreateSigningMaterial } from "../delivery/signing-key.js";
import { handleSnsQuery, isSnsAction, snsQueryError } from "../protocol/sns/query-protocol.js";
import { SnsMemoryStore } from "../store/sns-memory-store.js";
import { SnsSqliteStore } from "../store/sns-sqlite-store.js";
import type { Store } from "../store/types.js";
import { SqliteStore } from "../store/sqlite-store.js";
import { callerOf } from "./caller.js";
import type { QueryService } from "./http-server.js";

export const SNS_API_VERSION = "2010-03-31";

export interface SnsOptions {
  /** Base URL clients and endpoints reach the broker at; default: the origin each request came in on. */
  publicUrl?: string;
  /** Base of SigningCertURL when it must differ from publicUrl (validators that only trust some hosts). */
  signingCertBaseUrl?: string;
  /** Time an HTTP/S endpoint has to answer (default 15 s, as AWS). */
  httpTimeoutMs?: number;
  /** HTTP/S deliveries in flight at once (default 32), and per subscription (default 4). */
  httpConcurrency?: number;
  httpConcurrencyPerSubscription?: number;
}

export interface SnsRuntime {
  sns: SnsService;
  queryService: QueryService;
  extraRoute: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
  worker: HttpDeliveryWorker;
}

/** Actions SQS also has: without a Version parameter these stay SQS's. */
const SHARED_WITH_SQS = new Set(["AddPermission", "RemovePermission"]);

const trimSlash = (url: string) => url.replace(/\/+$/, "");

export async function createSnsRuntime(
  sqs: SqsService,
  store: Store,
  clock: Clock,
  dataDir: string | undefined,
  options: SnsOptions,
): Promise<SnsRuntime> {
  const durable = store instanceof SqliteStore;
  const snsStore = durable ? new SnsSqliteStore(store) : new SnsMemoryStore();
  const material = await loadOrCreateSigningMaterial(durable ? dataDir : undefined);
  const sns = new SnsService(sqs, store, snsStore, clock, createMessageSigner(material));
  const worker = new HttpDeliveryWorker(snsStore, clock, createPoster(), sns, {
    concurrency: options.httpConcurrency ?? DEFAULT_WORKER_OPTIONS.concurrency,
    perSubscription: options.httpConcurrencyPerSubscription ?? DEFAULT_WORKER_OPTIONS.perSubscription,
    timeoutMs: options.httpTimeoutMs ?? DEFAULT_WORKER_OPTIONS.timeoutMs,
  });
  sns.onDeliveries(() => worker.wake());
  // Built off the start path; a failure is reported by the certificate route when someone asks for it.
  material.certificate().catch(() => undefined);

  const path = certPath(material);
  const linksFor = (origin: string): SnsLinks => {
    const base = trimSlash(options.publicUrl ?? origin);
    return { base, certUrl: `${trimSlash(options.signingCertBaseUrl ?? base)}${path}` };
  };

  const queryService: QueryService = {
    handles: (action) => isSnsAction(action) && !SHARED_WITH_SQS.has(action),
    handle(params, req, origin, requestId) {
      // The SDKs post to "/": only a presigned request has a query string worth parsing.
      const target = req.url ?? "/";
      const query = target.includes("?") ? new URL(target, origin).searchParams : undefined;
      const trace = req.headers["x-amzn-trace-id"];
      return handleSnsQuery(
        params,
        {
          sns,
          caller: callerOf(req.headers, query),
          links: linksFor(origin),
          authenticated: typeof req.headers.authorization === "string" || query?.has("X-Amz-Signature") === true,
          traceHeader: typeof trace === "string" ? trace : undefined,
        },
        requestId,
      );
    },
    error: (code, message, requestId) => snsQueryError(new SnsError(code, message), requestId),
  };
  return { sns, queryService, extraRoute: certRoute(material), worker };
}
