import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  path: string;
  contentType: string;
  /** X-Amz-Target of a JSON-protocol request. */
  target?: string;
  /** Action and Version of a Query-protocol request (form body or query string). */
  action?: string;
  version?: string;
}

export interface RecordingProxy {
  endpoint: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A transparent HTTP proxy in front of a broker that notes which wire protocol each request used. Clients
 * are pointed at it so a test can tell what a client really sent, not what its version number suggests.
 * The Host header passes through unchanged, so the queue URLs the broker hands out lead back here.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers["content-type"] ?? "");
      const url = new URL(req.url ?? "/", "http://proxy");
      const form = contentType.startsWith("application/x-www-form-urlencoded")
        ? new URLSearchParams(body.toString("utf8"))
        : url.searchParams;
      const target = req.headers["x-amz-target"];
      requests.push({
        method: req.method ?? "",
        path: url.pathname,
        contentType,
        target: typeof target === "string" ? target : undefined,
        action: form.get("Action") ?? undefined,
        version: form.get("Version") ?? undefined,
      });
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", (error) => res.destroy(error));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The protocol each recorded request used: "json", "query", or a description of anything else. */
export function protocolsSeen(requests: Recorded[]): Set<string> {
  return new Set(
    requests.map((r) => {
      if (r.target?.startsWith("AmazonSQS.") && r.contentType.startsWith("application/x-amz-json-1.0")) return "json";
      if (r.action && r.version === "2012-11-05") return "query";
      return `other(${r.method} ${r.contentType} ${r.target ?? r.action ?? ""})`;
    }),
  );
}
