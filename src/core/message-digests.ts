import * as crypto from "node:crypto";
import { createHash } from "node:crypto";

/** The attribute value shape shared by SQS message attributes and system attributes. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

// The one-shot hash (Node 20.12+) skips building a Hash object: about half the cost of a body's MD5.
const oneShot = typeof crypto.hash === "function" ? crypto.hash : undefined;

export function md5Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot("md5", data, "hex") : createHash("md5").update(data).digest("hex");
}

function lengthPrefixed(hash: ReturnType<typeof createHash>, bytes: Uint8Array): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length);
  hash.update(bytes);
}

/**
 * MD5OfMessageAttributes as the SDKs verify it: names sorted; per attribute the length-prefixed name, the
 * length-prefixed DataType, a transport byte (1 string, 2 binary) and the length-prefixed value.
 */
export function md5OfAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const value = attributes[name];
    lengthPrefixed(hash, Buffer.from(name, "utf8"));
    lengthPrefixed(hash, Buffer.from(value.DataType, "utf8"));
    if (value.BinaryValue !== undefined && value.DataType.startsWith("Binary")) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(hash, value.BinaryValue);
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(hash, Buffer.from(value.StringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}
