import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import https from "node:https";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** How a path answers Notifications (`attempt` counts them, from 1): a status, or "hang" to never answer. */
export type Behaviour = (request: Received, attempt: number) => number | "hang";

/**
 * A local HTTP endpoint for SNS deliveries. Every request is recorded; `behaviours` decide per path how it
 * answers (default 200). SubscriptionConfirmations to paths in `autoConfirm` are confirmed by visiting
 * their SubscribeURL, as a real subscriber would.
 */
export class TestEndpoint {
  readonly received: Received[] = [];
  readonly behaviours = new Map<string, Behaviour>();
  readonly autoConfirm = new Set<string>();
  private server!: Server;
  private attempts = new Map<string, number>();
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        const request: Received = { path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
        this.received.push(request);
        const type = req.headers["x-amz-sns-message-type"];
        const attempt = (this.attempts.get(path) ?? 0) + (type === "Notification" ? 1 : 0);
        this.attempts.set(path, attempt);
        if (type === "SubscriptionConfirmation" && this.autoConfirm.has(path)) {
          void fetch(JSON.parse(request.body).SubscribeURL as string).then((r) => r.text());
          res.writeHead(200).end();
          return;
        }
        const answer = type === "Notification" ? (this.behaviours.get(path)?.(request, attempt) ?? 200) : 200;
        if (answer === "hang") return;
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string, type?: string): Received[] {
    return this.received.filter((r) => r.path === path && (type === undefined || r.headers["x-amz-sns-message-type"] === type));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * An https.Agent that sends every request to a local plain-HTTP port: how a test "routes" a certificate
 * host (sns.<region>.amazonaws.com, which validators insist on) to the broker, like an /etc/hosts entry.
 */
export class RoutingAgent extends https.Agent {
  constructor(private readonly port: number) {
    super({ keepAlive: false });
  }

  override createConnection(): ReturnType<typeof connect> {
    return connect(this.port, "127.0.0.1");
  }
}
