import type { ListShape, MapShape, Member, Shape, StructureShape } from "./shapes.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };

/**
 * Escapes element text (the only text we write; quotes need no escaping there, and some SDK parsers do not
 * decode &apos;). CR is written as a reference or XML parsers would turn it into LF.
 */
export function escapeXml(text: string): string {
  // Most text (every plain message body) has nothing to escape; four memchr scans find that out far
  // faster than the regular expression, which visits characters one at a time.
  if (text.indexOf("&") === -1 && text.indexOf("<") === -1 && text.indexOf(">") === -1 && text.indexOf("\r") === -1) {
    return text;
  }
  return text.replace(/[&<>\r]/g, (c) => ESCAPES[c]);
}

function scalar(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return escapeXml(String(value));
}

function element(name: string, shape: Shape, value: unknown): string {
  switch (shape.kind) {
    case "structure":
      return `<${name}>${structureBody(shape, value as Record<string, unknown>)}</${name}>`;
    case "list": {
      const items = value as unknown[];
      const member = shape.member as Shape;
      if (shape.flattened) return items.map((item) => element(name, member, item)).join("");
      return `<${name}>${items.map((item) => element("member", member, item)).join("")}</${name}>`;
    }
    case "map":
      return mapElement(name, shape, value as Record<string, unknown>);
    default:
      return `<${name}>${scalar(value)}</${name}>`;
  }
}

function mapElement(name: string, shape: MapShape, value: Record<string, unknown>): string {
  const valueShape = shape.value as Shape;
  const entries = Object.entries(value).map(
    ([k, v]) => `<${shape.keyName}>${escapeXml(k)}</${shape.keyName}>${element(shape.valueName, valueShape, v)}`,
  );
  if (shape.flattened) return entries.map((e) => `<${name}>${e}</${name}>`).join("");
  return `<${name}>${entries.map((e) => `<entry>${e}</entry>`).join("")}</${name}>`;
}

/** The children of a structure, in shape order, skipping absent members. */
export function structureBody(shape: StructureShape, value: Record<string, unknown>): string {
  let out = "";
  for (const [name, m] of Object.entries(shape.members as Record<string, Member>)) {
    const v = value[name];
    if (v === undefined || v === null) continue;
    out += element(m.wireName ?? name, m.shape as Shape, v);
  }
  return out;
}

export function isListShape(shape: Shape): shape is ListShape {
  return shape.kind === "list";
}

/** A Query-protocol success document. */
export function xmlResponse(
  action: string,
  namespace: string,
  output: StructureShape,
  value: Record<string, unknown>,
  requestId: string,
): string {
  const hasResult = Object.keys(output.members as Record<string, Member>).length > 0;
  const body = structureBody(output, value);
  const result = !hasResult ? "" : body === "" ? `<${action}Result/>` : `<${action}Result>${body}</${action}Result>`;
  return `<?xml version="1.0"?><${action}Response xmlns="${namespace}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function xmlError(namespace: string, type: string, code: string, message: string, requestId: string): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
