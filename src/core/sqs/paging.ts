import { SqsError } from "../errors.js";

/** Opaque NextToken for name-ordered listings: the last name returned. */
export function encodeNextToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName })).toString("base64url");
}

export function decodeNextToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw new SqsError("InvalidParameterValueException", "Invalid NextToken value.");
}

export function page<T extends { name: string }>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  maxAllowed = 1000,
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > maxAllowed)) {
    throw new SqsError(
      "InvalidParameterValueException",
      `Value ${maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and ${maxAllowed}.`,
    );
  }
  let start = 0;
  if (nextToken !== undefined && nextToken !== "") {
    const after = decodeNextToken(nextToken);
    start = items.findIndex((i) => i.name > after);
    if (start < 0) start = items.length;
  }
  const limit = maxResults ?? maxAllowed;
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  // AWS only pages when the caller asked for a page size.
  return { items: slice, nextToken: more && maxResults !== undefined ? encodeNextToken(slice[slice.length - 1].name) : undefined };
}
