import type { Member, Shape, StructureShape } from "./shapes.js";

export class JsonShapeError extends Error {}

function check(value: unknown, shape: Shape, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  switch (shape.kind) {
    case "string":
      if (typeof value !== "string") throw new JsonShapeError(`Expected a string for ${path}`);
      return value;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new JsonShapeError(`STRING_VALUE can not be converted to an Integer for ${path}`);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw new JsonShapeError(`Expected a boolean for ${path}`);
      return value;
    case "blob":
      if (typeof value !== "string") throw new JsonShapeError(`Expected base64 text for ${path}`);
      return Buffer.from(value, "base64");
    case "list":
      if (!Array.isArray(value)) throw new JsonShapeError(`Expected a list for ${path}`);
      // A null item carries nothing; dropping it keeps handlers from ever seeing holes in a list.
      return value.map((item, i) => check(item, shape.member as Shape, `${path}[${i}]`)).filter((item) => item !== undefined);
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) throw new JsonShapeError(`Expected a map for ${path}`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const item = check(v, shape.value as Shape, `${path}.${k}`);
        if (item !== undefined) out[k] = item;
      }
      return out;
    }
    case "structure":
      if (typeof value !== "object" || Array.isArray(value)) throw new JsonShapeError(`Expected an object for ${path}`);
      return checkStructure(value as Record<string, unknown>, shape, path);
  }
}

function checkStructure(value: Record<string, unknown>, shape: StructureShape, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(shape.members as Record<string, Member>)) {
    const v = check(value[name], m.shape as Shape, path ? `${path}.${name}` : name);
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

/** JSON.stringify that writes binary values as base64, the form AWS JSON uses for blobs. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = key === "" ? v : this[key];
    return raw instanceof Uint8Array ? Buffer.from(raw).toString("base64") : v;
  });
}

/** Names of required members that are missing. */
export function missingRequired(input: Record<string, unknown>, shape: StructureShape): string | undefined {
  for (const [name, m] of Object.entries(shape.members as Record<string, Member>)) {
    if (m.required && input[name] === undefined) return name;
  }
  return undefined;
}
