import type { IncomingHttpHeaders } from "node:http";
import { callerFromAccessKey, type Caller } from "../core/identity.js";

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
const MAX_CACHED_CALLERS = 256;
const MAX_CACHED_SCOPE_LENGTH = 256;

// Clients sign every request with the same few credential scopes; the signature around the scope changes
// each time, so callers are remembered by the scope alone. A scope runs from `Credential=` to the next comma,
// which no match of CREDENTIAL can cross, so a scope that matches by itself gives what the whole header does.
// Callers are never changed by their users, so one object serves every request with that scope.
const byScope = new Map<string, Caller>();

function fromAuthorization(auth: string): Caller | undefined {
  const start = auth.indexOf("Credential=");
  if (start < 0) return undefined;
  const end = auth.indexOf(",", start);
  const scope = end < 0 ? auth.slice(start) : auth.slice(start, end);
  const known = byScope.get(scope);
  if (known) return known;
  const match = CREDENTIAL.exec(scope) ?? CREDENTIAL.exec(auth);
  if (!match) return undefined;
  const caller = callerFromAccessKey(match[1], match[2]);
  if (match.index === 0 && match.input === scope && scope.length <= MAX_CACHED_SCOPE_LENGTH) {
    if (byScope.size >= MAX_CACHED_CALLERS) byScope.clear();
    byScope.set(scope, caller);
  }
  return caller;
}

/** Account and region come from the SigV4 credential scope (header or presigned query). */
export function callerOf(headers: IncomingHttpHeaders, query: URLSearchParams | undefined): Caller {
  const auth = headers.authorization;
  const fromHeader = typeof auth === "string" ? fromAuthorization(auth) : undefined;
  if (fromHeader) return fromHeader;
  const credential = query?.get("X-Amz-Credential");
  if (credential) {
    const [key, , region] = credential.split("/");
    return callerFromAccessKey(key, region);
  }
  return callerFromAccessKey(undefined, undefined);
}
