import type { Member, Shape, StructureShape } from "./shapes.js";

export class JsonShapeError extends Error {}

/** A structure's members as a list, worked out once per shape: decoding runs on every request. */
const memberLists = new WeakMap<StructureShape, ReadonlyArray<readonly [string, Member]>>();

export function membersOf(shape: StructureShape): ReadonlyArray<readonly [string, Member]> {
  let members = memberLists.get(shape);
  if (!members) {
    members = Object.entries(shape.members as Record<string, Member>);
    memberLists.set(shape, members);
  }
  return members;
}

// A value's path only ever appears in an error message, so it is put together from the parent's path and
// the key when an error (or a nested value) needs it, not for every member of every request.
function pathOf(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

function check(value: unknown, shape: Shape, parent: string, key: string | number): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.kind) {
    case "string":
      if (typeof value !== "string") throw new JsonShapeError(`Expected a string for ${pathOf(parent, key)}`);
      return value;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new JsonShapeError(`STRING_VALUE can not be converted to an Integer for ${pathOf(parent, key)}`);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw new JsonShapeError(`Expected a boolean for ${pathOf(parent, key)}`);
      return value;
    case "blob":
      if (typeof value !== "string") throw new JsonShapeError(`Expected base64 text for ${pathOf(parent, key)}`);
      return Buffer.from(value, "base64");
    case "list": {
      const path = pathOf(parent, key);
      if (!Array.isArray(value)) throw new JsonShapeError(`Expected a list for ${path}`);
      // A null item carries nothing; dropping it keeps handlers from ever seeing holes in a list.
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        const item = check(value[i], shape.member as Shape, path, i);
        if (item !== undefined) out.push(item);
      }
      return out;
    }
    case "map": {
      const path = pathOf(parent, key);
      if (typeof value !== "object" || Array.isArray(value)) throw new JsonShapeError(`Expected a map for ${path}`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const item = check(v, shape.value as Shape, path, k);
        if (item !== undefined) out[k] = item;
      }
      return out;
    }
    case "structure":
      if (typeof value !== "object" || Array.isArray(value)) {
        throw new JsonShapeError(`Expected an object for ${pathOf(parent, key)}`);
      }
      return checkStructure(value as Record<string, unknown>, shape, pathOf(parent, key));
  }
}

function checkStructure(value: Record<string, unknown>, shape: StructureShape, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of membersOf(shape)) {
    const v = check(value[name], m.shape as Shape, path, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Checks a parsed JSON body against an action's input shape; unknown members are ignored, as AWS does. */
export function decodeJson(value: unknown, shape: StructureShape): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new JsonShapeError("Start of structure or map found where not expected.");
  }
  return checkStructure(value as Record<string, unknown>, shape, "");
}

/**
 * Whether values of `shape` can hold, anywhere, a leaf for which `leaf` is true; worked out once per shape
 * and question (`known` is the question's cache).
 */
export function shapeHolds(shape: Shape, leaf: (shape: Shape) => boolean, known: WeakMap<Shape, boolean>): boolean {
  let holds = known.get(shape);
  if (holds === undefined) {
    // Shapes are trees (no cycles), so the recursion ends.
    if (shape.kind === "list") holds = shapeHolds(shape.member as Shape, leaf, known);
    else if (shape.kind === "map") holds = shapeHolds(shape.value as Shape, leaf, known);
    else if (shape.kind === "structure") holds = membersOf(shape).some(([, m]) => shapeHolds(m.shape as Shape, leaf, known));
    else holds = leaf(shape);
    known.set(shape, holds);
  }
  return holds;
}

const blobShapes = new WeakMap<Shape, boolean>();
const isBlob = (shape: Shape): boolean => shape.kind === "blob";
const shapeHoldsBlob = (shape: Shape): boolean => shapeHolds(shape, isBlob, blobShapes);

function holdsBinary(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (value instanceof Uint8Array) return true;
  if (Array.isArray(value)) return value.some(holdsBinary);
  for (const key of Object.keys(value)) if (holdsBinary((value as Record<string, unknown>)[key])) return true;
  return false;
}

function base64Blobs(this: Record<string, unknown>, key: string, v: unknown): unknown {
  // The holder's own value, not `v`: a Buffer's toJSON has already turned `v` into { type, data }. The root
  // value has a holder too ({ "": value }), so a Buffer passed on its own is written as base64 as well.
  const raw = this[key];
  return raw instanceof Uint8Array ? Buffer.from(raw).toString("base64") : v;
}

/**
 * JSON.stringify that writes binary values as base64, the form AWS JSON uses for blobs. A replacer takes
 * JSON.stringify off its fast path, so it is used only when the value (of `shape`, when given) holds binary.
 */
export function encodeJson(value: unknown, shape?: Shape): string {
  if ((shape && !shapeHoldsBlob(shape)) || !holdsBinary(value)) return JSON.stringify(value);
  return JSON.stringify(value, base64Blobs);
}

/** Names of required members that are missing. */
export function missingRequired(input: Record<string, unknown>, shape: StructureShape): string | undefined {
  for (const [name, m] of membersOf(shape)) {
    if (m.required && input[name] === undefined) return name;
  }
  return undefined;
}
