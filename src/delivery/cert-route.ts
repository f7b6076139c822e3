import type { IncomingMessage, ServerResponse } from "node:http";
import type { SigningMaterial } from "./signing-key.js";

/** The path SigningCertURL points at, named like AWS's certificate files. */
export function certPath(material: SigningMaterial): string {
  return `/SimpleNotificationService-${material.certId}.pem`;
}

/** Serves the signing certificate to message validators; answers false for every other request. */
export function certRoute(material: SigningMaterial): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const path = certPath(material);
  return (req, res, url) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || url.pathname !== path) return false;
    material.certificate().then(
      (pem) => {
        const body = Buffer.from(pem, "utf8");
        res.writeHead(200, { "Content-Type": "application/x-x509-ca-cert", "Content-Length": body.length });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: unknown) => {
        process.stderr.write(`sluice: cannot make the SNS signing certificate: ${(error as Error).message}\n`);
        res.writeHead(500).end();
      },
    );
    return true;
  };
}
