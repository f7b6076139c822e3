import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface PostOutcome {
  /** The endpoint's HTTP status, when it answered. */
  status?: number;
  /** Why there is no status: connection failure, timeout, abort. */
  error?: string;
}

export interface Poster {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<PostOutcome>;
  /** Closes pooled connections. */
  close(): void;
}

/**
 * POSTs the way SNS does (its User-Agent and Accept-Encoding), never following redirects. The whole
 * exchange up to the response status must fit in `timeoutMs`; the response body is drained and ignored.
 */
export function createPoster(): Poster {
  // Own agents, so closing the worker closes its sockets and nothing keeps the process alive.
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 64 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };
  return {
    post(url, headers, body, timeoutMs, signal) {
      return new Promise((resolve) => {
        let settled = false;
        let timer: NodeJS.Timeout | undefined;
        const finish = (outcome: PostOutcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          resolve(outcome);
        };
        let req: ClientRequest;
        try {
          const target = new URL(url);
          const secure = target.protocol === "https:";
          const payload = Buffer.from(body, "utf8");
          req = (secure ? httpsRequest : httpRequest)(target, {
            method: "POST",
            agent: secure ? agents.https : agents.http,
            headers: {
              ...headers,
              "Content-Length": String(payload.length),
              "User-Agent": "Amazon Simple Notification Service Agent",
              "Accept-Encoding": "gzip,deflate",
            },
          });
          req.on("response", (res) => {
            res.resume();
            res.on("error", () => undefined);
            finish({ status: res.statusCode });
          });
          req.on("error", (error) => finish({ error: error.message }));
          req.end(payload);
        } catch (error) {
          resolve({ error: (error as Error).message });
          return;
        }
        timer = setTimeout(() => {
          req.destroy(new Error(`no response within ${timeoutMs} ms`));
          finish({ error: `no response within ${timeoutMs} ms` });
        }, timeoutMs);
        timer.unref();
        const onAbort = () => {
          req.destroy(new Error("aborted"));
          finish({ error: "aborted" });
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
