import type { MapShape, Member, Shape, StructureShape } from "./shapes.js";

/** What to throw when a Query parameter cannot be read as its shape's type. */
export type InvalidValue = (name: string, value: string, expected: string) => Error;

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

function decodeValue(params: Map<string, string>, key: string, shape: Shape, invalid: InvalidValue): unknown {
  switch (shape.kind) {
    case "string":
      return params.get(key);
    case "integer": {
      const raw = params.get(key);
      if (raw === undefined) return undefined;
      if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw invalid(key, raw, "integer");
      return Number(raw);
    }
    case "boolean": {
      const raw = params.get(key);
      if (raw === undefined) return undefined;
      if (raw !== "true" && raw !== "false") throw invalid(key, raw, "boolean");
      return raw === "true";
    }
    case "blob": {
      const raw = params.get(key);
      return raw === undefined ? undefined : Buffer.from(raw, "base64");
    }
    case "structure":
      return hasUnder(params, key) ? decodeMembers(params, `${key}.`, shape, invalid) : undefined;
    case "list": {
      if (!hasUnder(params, key)) return undefined;
      const base = shape.flattened ? key : `${key}.member`;
      return indexesUnder(params, base)
        .map((i) => decodeValue(params, `${base}.${i}`, shape.member as Shape, invalid))
        .filter((v) => v !== undefined);
    }
    case "map":
      return decodeMap(params, key, shape, invalid);
  }
}

function decodeMap(params: Map<string, string>, key: string, shape: MapShape, invalid: InvalidValue): unknown {
  if (!hasUnder(params, key)) return undefined;
  const base = shape.flattened ? key : `${key}.entry`;
  const out: Record<string, unknown> = {};
  for (const i of indexesUnder(params, base)) {
    const name = params.get(`${base}.${i}.${shape.keyName}`);
    if (name === undefined) continue;
    const value = decodeValue(params, `${base}.${i}.${shape.valueName}`, shape.value as Shape, invalid);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function decodeMembers(
  params: Map<string, string>,
  prefix: string,
  shape: StructureShape,
  invalid: InvalidValue,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(shape.members as Record<string, Member>)) {
    const value = decodeValue(params, `${prefix}${m.wireName ?? name}`, m.shape as Shape, invalid);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Reads a Query request's parameters into the typed input of an action. */
export function decodeQuery(params: Map<string, string>, shape: StructureShape, invalid: InvalidValue): Record<string, unknown> {
  return decodeMembers(params, "", shape, invalid);
}
