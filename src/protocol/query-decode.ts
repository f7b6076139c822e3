import type { MapShape, Member, Shape, StructureShape } from "./shapes.js";

/** What to throw when a Query parameter cannot be read as its shape's type. */
export type InvalidValue = (name: string, value: string, expected: string) => Error;

/** What to throw when half of a map entry (its key or its value) is missing. */
export type MissingValue = (name: string) => Error;

interface Failures {
  invalid: InvalidValue;
  missing?: MissingValue;
}

/** Indexes `N` present under `base.N…`, in numeric order. */
function indexesUnder(params: Map<string, string>, base: string): number[] {
  const prefix = `${base}.`;
  const found = new Set<number>();
  for (const key of params.keys()) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf(".");
    const n = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (Number.isInteger(n) && n > 0) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

function hasUnder(params: Map<string, string>, base: string): boolean {
  if (params.has(base)) return true;
  const prefix = `${base}.`;
  for (const key of params.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

function decodeValue(params: Map<string, string>, key: string, shape: Shape, fail: Failures): unknown {
  switch (shape.kind) {
    case "string":
      return params.get(key);
    case "integer": {
      const raw = params.get(key);
      if (raw === undefined) return undefined;
      if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw fail.invalid(key, raw, "integer");
      return Number(raw);
    }
    case "boolean": {
      const raw = params.get(key);
      if (raw === undefined) return undefined;
      if (raw !== "true" && raw !== "false") throw fail.invalid(key, raw, "boolean");
      return raw === "true";
    }
    case "blob": {
      const raw = params.get(key);
      return raw === undefined ? undefined : Buffer.from(raw, "base64");
    }
    case "structure":
      return hasUnder(params, key) ? decodeMembers(params, `${key}.`, shape, fail) : undefined;
    case "list": {
      if (!hasUnder(params, key)) return undefined;
      const base = shape.flattened ? key : `${key}.member`;
      return indexesUnder(params, base)
        .map((i) => decodeValue(params, `${base}.${i}`, shape.member as Shape, fail))
        .filter((v) => v !== undefined);
    }
    case "map":
      return decodeMap(params, key, shape, fail);
  }
}

function decodeMap(params: Map<string, string>, key: string, shape: MapShape, fail: Failures): unknown {
  if (!hasUnder(params, key)) return undefined;
  const base = shape.flattened ? key : `${key}.entry`;
  const out: Record<string, unknown> = {};
  for (const i of indexesUnder(params, base)) {
    const keyParam = `${base}.${i}.${shape.keyName}`;
    const valueParam = `${base}.${i}.${shape.valueName}`;
    const name = params.get(keyParam);
    const value = decodeValue(params, valueParam, shape.value as Shape, fail);
    // Half an entry is a client error, not something to drop silently (the request would "succeed"
    // without the attribute or tag the caller meant to set).
    if (name === undefined) {
      if (fail.missing) throw fail.missing(keyParam);
      continue;
    }
    if (value === undefined) {
      if (fail.missing) throw fail.missing(valueParam);
      continue;
    }
    out[name] = value;
  }
  return out;
}

function decodeMembers(
  params: Map<string, string>,
  prefix: string,
  shape: StructureShape,
  fail: Failures,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(shape.members as Record<string, Member>)) {
    const value = decodeValue(params, `${prefix}${m.wireName ?? name}`, m.shape as Shape, fail);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Reads a Query request's parameters into the typed input of an action. */
export function decodeQuery(
  params: Map<string, string>,
  shape: StructureShape,
  invalid: InvalidValue,
  missing?: MissingValue,
): Record<string, unknown> {
  return decodeMembers(params, "", shape, { invalid, missing });
}
