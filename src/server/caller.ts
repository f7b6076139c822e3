import type { IncomingHttpHeaders } from "node:http";
import { callerFromAccessKey, type Caller } from "../core/identity.js";

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** Account and region come from the SigV4 credential scope (header or presigned query). */
export function callerOf(headers: IncomingHttpHeaders, query: URLSearchParams | undefined): Caller {
  const auth = headers.authorization;
  const match = typeof auth === "string" ? CREDENTIAL.exec(auth) : null;
  if (match) return callerFromAccessKey(match[1], match[2]);
  const credential = query?.get("X-Amz-Credential");
  if (credential) {
    const [key, , region] = credential.split("/");
    return callerFromAccessKey(key, region);
  }
  return callerFromAccessKey(undefined, undefined);
}
