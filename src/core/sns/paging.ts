import { invalidParameter } from "./errors.js";

/** SNS listings return 100 items per page. */
export const PAGE_SIZE = 100;

/**
 * Pages a list ordered by an increasing key. The NextToken is opaque to clients: the key of the last item
 * returned, so items created or deleted between pages neither repeat nor shift the listing.
 */
export function pageByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => number,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  let after = 0;
  if (nextToken !== undefined && nextToken !== "") {
    const text = /^[A-Za-z0-9_-]+$/.test(nextToken) ? Buffer.from(nextToken, "base64url").toString("utf8") : "";
    if (!/^\d{1,15}$/.test(text)) throw invalidParameter("NextToken");
    after = Number(text);
  }
  const rest = items.filter((item) => keyOf(item) > after);
  const page = rest.slice(0, PAGE_SIZE);
  const more = rest.length > PAGE_SIZE;
  return {
    items: page,
    nextToken: more ? Buffer.from(String(keyOf(page[page.length - 1])), "utf8").toString("base64url") : undefined,
  };
}
