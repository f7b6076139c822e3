/**
 * JSON responses that hold long message text are written as a list of parts, the long strings among them
 * as they are. JSON.stringify would escape every character of every body (about 1 ms for ten 64 KiB
 * bodies on the benchmark machine) and build one response string large enough to be allocated page by page.
 */
import { encodeJson, membersOf, shapeHolds } from "./json-decode.js";
import type { Shape, StructureShape } from "./shapes.js";
import type { WireBody } from "./wire.js";

/** Message text at least this long becomes a part of its own; shorter text is cheaper to copy. */
export const LONG_TEXT = 4096;

const textShapes = new WeakMap<Shape, boolean>();
const isText = (shape: Shape): boolean => shape.kind === "string" && shape.xmlChars === true;
const shapeHoldsText = (shape: Shape): boolean => shapeHolds(shape, isText, textShapes);

const textMemberLists = new WeakMap<StructureShape, ReadonlyArray<readonly [string, Shape]>>();

/** The members of a structure that can hold message text: the only ones a receive's check has to visit. */
function textMembers(shape: StructureShape): ReadonlyArray<readonly [string, Shape]> {
  let members = textMemberLists.get(shape);
  if (!members) {
    members = membersOf(shape)
      .map(([name, m]) => [name, m.shape as Shape] as const)
      .filter(([, memberShape]) => shapeHoldsText(memberShape));
    textMemberLists.set(shape, members);
  }
  return members;
}

/** Whether `value` holds long message text, looking only where `shape` can hold text. */
function holdsLongText(value: unknown, shape: Shape): boolean {
  if (value === null || value === undefined || !shapeHoldsText(shape)) return false;
  switch (shape.kind) {
    case "string":
      return typeof value === "string" && value.length >= LONG_TEXT;
    case "list":
      return Array.isArray(value) && value.some((item) => holdsLongText(item, shape.member as Shape));
    case "map":
      if (typeof value !== "object") return false;
      for (const key of Object.keys(value)) if (holdsLongText((value as Record<string, unknown>)[key], shape.value as Shape)) return true;
      return false;
    case "structure":
      if (typeof value !== "object") return false;
      for (const [name, memberShape] of textMembers(shape)) if (holdsLongText((value as Record<string, unknown>)[name], memberShape)) return true;
      return false;
    default:
      return false;
  }
}

/** Text that JSON.stringify would write between the quotes unchanged, given it holds only XML characters. */
function needsNoEscape(text: string): boolean {
  // One indexOf per character is a memchr each, far cheaper than escaping character by character.
  return (
    text.indexOf('"') === -1 &&
    text.indexOf("\\") === -1 &&
    text.indexOf("\n") === -1 &&
    text.indexOf("\r") === -1 &&
    text.indexOf("\t") === -1
  );
}

class PartsWriter {
  private readonly parts: string[] = [];
  private pending = "";

  text(json: string): void {
    this.pending += json;
  }

  longText(text: string): void {
    if (!needsNoEscape(text)) return this.text(JSON.stringify(text));
    this.parts.push(`${this.pending}"`, text);
    this.pending = '"';
  }

  finish(): string[] {
    this.parts.push(this.pending);
    return this.parts;
  }
}

function write(out: PartsWriter, value: unknown, shape: Shape): void {
  if (typeof value === "string" && value.length >= LONG_TEXT && isText(shape)) return out.longText(value);
  // Everything that cannot hold long text is written exactly as the one-string encoder writes it.
  if (value === null || typeof value !== "object" || !shapeHoldsText(shape)) return out.text(encodeJson(value, shape) ?? "null");
  if (Array.isArray(value)) {
    const member = (shape.kind === "list" ? shape.member : shape) as Shape;
    out.text("[");
    value.forEach((item, i) => {
      if (i > 0) out.text(",");
      // JSON.stringify writes a missing array item as null.
      if (item === undefined) out.text("null");
      else write(out, item, member);
    });
    return out.text("]");
  }
  const record = value as Record<string, unknown>;
  const members = shape.kind === "structure" ? (shape.members as Record<string, { shape: Shape }>) : undefined;
  out.text("{");
  let first = true;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item === undefined) continue;
    out.text(`${first ? "" : ","}${JSON.stringify(key)}:`);
    first = false;
    const itemShape = members ? members[key]?.shape : shape.kind === "map" ? (shape.value as Shape) : undefined;
    if (itemShape) write(out, item, itemShape);
    else out.text(encodeJson(item));
  }
  out.text("}");
}

/** `value` as JSON: one string, or parts when it holds long message text (see the file comment). */
export function encodeJsonBody(value: unknown, shape: StructureShape): WireBody {
  if (!holdsLongText(value, shape)) return encodeJson(value, shape);
  const out = new PartsWriter();
  write(out, value, shape);
  return out.finish();
}
