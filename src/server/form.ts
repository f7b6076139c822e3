/** Thrown when a form or query string is not valid percent-encoded UTF-8. */
export class MalformedFormError extends Error {}

/** Parses application/x-www-form-urlencoded text, refusing invalid percent-encoding or UTF-8. */
export function parseForm(text: string, into = new Map<string, string>()): Map<string, string> {
  if (text.length === 0) return into;
  for (const pair of text.split("&")) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf("=");
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    try {
      into.set(decodeURIComponent(rawKey.replace(/\+/g, " ")), decodeURIComponent(rawValue.replace(/\+/g, " ")));
    } catch {
      throw new MalformedFormError(`invalid encoding in parameter ${rawKey.slice(0, 64)}`);
    }
  }
  return into;
}
