import { invalidParameter } from "./errors.js";

/** The text each protocol receives: one body for all, or per-protocol bodies from MessageStructure=json. */
export interface MessageContent {
  forProtocol(protocol: string): string;
  /** The body the topic-level FIFO content dedup hashes. */
  readonly original: string;
}

/**
 * MessageStructure=json: the message is a JSON object of protocol → text. Keys whose value is not a
 * string are ignored, and a string "default" is required; a protocol key overrides it.
 */
export function parseMessageStructure(message: string, structure: string | undefined): MessageContent {
  if (structure === undefined || structure === "") return { forProtocol: () => message, original: message };
  if (structure !== "json") throw invalidParameter("MessageStructure");
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter("Message Structure - JSON message body failed to parse");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter("Message Structure - JSON message body failed to parse");
  }
  const bodies = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) if (typeof value === "string") bodies.set(key, value);
  const fallback = bodies.get("default");
  if (fallback === undefined) throw invalidParameter("Message Structure - No default entry in JSON message body");
  return { forProtocol: (protocol) => bodies.get(protocol) ?? fallback, original: message };
}
