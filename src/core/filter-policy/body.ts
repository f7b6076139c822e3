/**
 * Matching in the MessageBody scope. The body is flattened into leaves named by dotted paths, so
 * a policy key "a.b" and nested {"a": {"b": ...}} both reach {"a": {"b": 1}} and {"a.b": 1}.
 * Arrays are searched element by element. As in AWS's engine, the fields of one branch must be
 * matched by leaves from the same element of any array they share: {"r": {"a": [1], "b": [4]}}
 * does not match {"r": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]}.
 */
import { isJsonObject } from "./operators.js";
import type { Branch, FieldCondition, JsonObject, JsonValue, Scalar } from "./types.js";

/**
 * Where a leaf sits inside arrays: flat pairs of (array id, element index), outermost first.
 * Two leaves can be matched together unless they took different elements of the same array.
 */
type Trail = readonly number[];

interface Leaf {
  readonly value: Scalar;
  readonly trail: Trail;
}

/** The array steps above a node while walking, innermost first; shared so a step costs O(1). */
interface Step {
  readonly id: number;
  readonly index: number;
  readonly up: Step | null;
}

function toTrail(step: Step | null): Trail {
  const trail: number[] = [];
  for (let s = step; s !== null; s = s.up) trail.push(s.index, s.id);
  return trail.reverse();
}

/** Collects the leaves of the paths the policy names, skipping every subtree it cannot reach. */
function collectLeaves(body: JsonObject, paths: ReadonlySet<string>, prefixes: ReadonlySet<string>) {
  const leaves = new Map<string, Leaf[]>();
  let nextArrayId = 0;

  const visit = (value: JsonValue, path: string, step: Step | null): void => {
    if (Array.isArray(value)) {
      if (!paths.has(path) && !prefixes.has(path)) return;
      const id = nextArrayId++;
      for (let index = 0; index < value.length; index++) visit(value[index], path, { id, index, up: step });
    } else if (isJsonObject(value)) {
      if (prefixes.has(path)) visitObject(value, path, step);
    } else if (paths.has(path)) {
      const leaf = { value, trail: toTrail(step) };
      const list = leaves.get(path);
      if (list) list.push(leaf);
      else leaves.set(path, [leaf]);
    }
  };
  const visitObject = (obj: JsonObject, parent: string | undefined, step: Step | null): void => {
    for (const key of Object.keys(obj)) visit(obj[key], parent === undefined ? key : `${parent}.${key}`, step);
  };

  visitObject(body, undefined, null);
  return leaves;
}

/**
 * One element of one array (or the body root) as far as the constrained fields care: which
 * fields have a candidate leaf right here, and the arrays nested below it.
 */
interface Context {
  bits: number;
  readonly arrays: Map<number, Map<number, Context>>;
}

const newContext = (): Context => ({ bits: 0, arrays: new Map() });

function insert(root: Context, trail: Trail, bit: number): void {
  let ctx = root;
  for (let i = 0; i < trail.length; i += 2) {
    let elements = ctx.arrays.get(trail[i]);
    if (!elements) ctx.arrays.set(trail[i], (elements = new Map()));
    let element = elements.get(trail[i + 1]);
    if (!element) elements.set(trail[i + 1], (element = newContext()));
    ctx = element;
  }
  ctx.bits |= bit;
}

/**
 * The sets of fields that leaves under `ctx` can satisfy together. Leaves sharing an array must
 * come from one element of it, so an array contributes the union of its elements' sets, and
 * siblings combine by OR. Polynomial in the body size (no search over leaf combinations).
 */
function reachable(ctx: Context, full: number): Set<number> {
  let acc = new Set<number>([ctx.bits]);
  for (const elements of ctx.arrays.values()) {
    const choices = new Set<number>();
    for (const element of elements.values()) for (const m of reachable(element, full)) choices.add(m);
    const next = new Set<number>();
    for (const a of acc) for (const b of choices) next.add(a | b);
    if (next.has(full)) return new Set([full]);
    acc = next;
  }
  return acc;
}

function branchMatches(branch: Branch, leaves: ReadonlyMap<string, readonly Leaf[]>): boolean {
  const constrained: (readonly Leaf[])[] = [];
  for (const field of branch) {
    const present = leaves.get(field.path);
    if (present === undefined) {
      if (field.ifAbsent) continue;
      return false;
    }
    const candidates = candidatesFor(field, present);
    if (candidates.length === 0) return false;
    // A leaf outside every array agrees with any choice made for the other fields.
    if (candidates.some((leaf) => leaf.trail.length === 0)) continue;
    constrained.push(candidates);
  }
  if (constrained.length <= 1) return true;
  const root = newContext();
  constrained.forEach((candidates, i) => {
    for (const leaf of candidates) insert(root, leaf.trail, 1 << i);
  });
  const full = (1 << constrained.length) - 1;
  return reachable(root, full).has(full);
}

function candidatesFor(field: FieldCondition, present: readonly Leaf[]): readonly Leaf[] {
  if (field.ifPresent) return present;
  const test = field.test;
  return test === null ? [] : present.filter((leaf) => test(leaf.value));
}

// Publishing to a topic runs every subscription's policy on the same body: parse it once.
let lastBodyText: string | undefined;
let lastBody: JsonObject | null = null;

function parseBody(text: string): JsonObject | null {
  if (text === lastBodyText) return lastBody;
  let parsed: JsonObject | null = null;
  try {
    const value = JSON.parse(text) as JsonValue;
    parsed = isJsonObject(value) ? value : null;
  } catch {
    parsed = null;
  }
  lastBodyText = text;
  lastBody = parsed;
  return parsed;
}

function dottedPrefixes(path: string, into: Set<string>): void {
  for (let i = path.indexOf("."); i !== -1; i = path.indexOf(".", i + 1)) into.add(path.slice(0, i));
}

export function bodyMatcher(branches: readonly Branch[]): (body: string) => boolean {
  const paths = new Set<string>();
  const prefixes = new Set<string>();
  for (const branch of branches) {
    for (const field of branch) {
      paths.add(field.path);
      dottedPrefixes(field.path, prefixes);
    }
  }
  return (text) => {
    // AWS only filters bodies that are JSON objects; anything else matches no policy.
    const body = parseBody(text);
    if (body === null) return false;
    try {
      const leaves = collectLeaves(body, paths, prefixes);
      return branches.some((branch) => branchMatches(branch, leaves));
    } catch (err) {
      // Arrays nested deeper than the stack allows: treat like any body we cannot filter.
      if (err instanceof RangeError) return false;
      throw err;
    }
  };
}
