/**
 * Compiles the entries of a policy value array (exact values and match expressions such as
 * `{"prefix": "x"}`) into predicates over a leaf value. Reasons are AWS's; the checks run in the
 * order AWS's streaming parser meets the tokens, so the first problem reported is the same one.
 */
import { compileCidr, compileExactIp } from "./cidr.js";
import { fail } from "./errors.js";
import { inRange, numbersEqual, OUT_OF_RANGE_REASON } from "./numbers.js";
import { compileNumeric } from "./numeric.js";
import type { CompiledPattern, JsonObject, JsonValue, ValueTest } from "./types.js";

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function onlyOneKey(keys: readonly string[]): void {
  if (keys.length > 1) fail("Only one key allowed in match expression");
}

function stringOperand(op: string, operand: JsonValue): string {
  if (typeof operand !== "string") fail(`${op} match pattern must be a string`);
  return operand;
}

function anythingButPrefix(arg: JsonObject): ValueTest {
  const keys = Object.keys(arg);
  if (keys.length === 0) fail("Anything-But expression name not found");
  if (keys[0] !== "prefix") fail(`Unsupported anything-but pattern: ${keys[0]}`);
  const prefix = stringOperand("prefix", arg.prefix);
  onlyOneKey(keys);
  return (value) => !(typeof value === "string" && value.startsWith(prefix));
}

function excludedNumber(n: number): number {
  if (!inRange(n)) fail(OUT_OF_RANGE_REASON);
  return n;
}

function anythingButList(list: readonly JsonValue[]): ValueTest {
  const strings = new Set<string>();
  const numbers: number[] = [];
  for (const item of list) {
    if (typeof item === "string") strings.add(item);
    else if (typeof item === "number") numbers.push(excludedNumber(item));
    else fail("Inside anything but list, start|null|boolean is not supported.");
  }
  // AWS keeps one comparison mode per list, so a list must be all strings or all numbers.
  if ((strings.size > 0) === (numbers.length > 0)) {
    fail("Inside anything but list, either all values are number or string, mixed type is not supported");
  }
  if (strings.size > 0) return (value) => !(typeof value === "string" && strings.has(value));
  return (value) => !(typeof value === "number" && numbers.some((n) => numbersEqual(value, n)));
}

/**
 * `anything-but` matches every value that is present and not excluded, whatever its type: a
 * number is "anything but" a string. Absence never matches; that takes `{"exists": false}`.
 */
function compileAnythingBut(arg: JsonValue): ValueTest {
  if (isJsonObject(arg)) return anythingButPrefix(arg);
  if (Array.isArray(arg)) return anythingButList(arg);
  if (typeof arg === "string") return (value) => value !== arg;
  if (typeof arg === "number") {
    const n = excludedNumber(arg);
    return (value) => !(typeof value === "number" && numbersEqual(value, n));
  }
  return fail("Value of anything-but must be an array or single string/number value.");
}

function compileMatchExpression(expr: JsonObject): CompiledPattern {
  const keys = Object.keys(expr);
  // AWS's text for "{}" in a value array; there is no operator name to report.
  if (keys.length === 0) fail("Match expression name not found");
  const op = keys[0];
  const arg = expr[op];
  switch (op) {
    case "prefix": {
      const prefix = stringOperand(op, arg);
      onlyOneKey(keys);
      return { kind: "value", test: (v) => typeof v === "string" && v.startsWith(prefix) };
    }
    case "suffix": {
      const suffix = stringOperand(op, arg);
      onlyOneKey(keys);
      return { kind: "value", test: (v) => typeof v === "string" && v.endsWith(suffix) };
    }
    case "equals-ignore-case": {
      const lowered = stringOperand(op, arg).toLowerCase();
      onlyOneKey(keys);
      return { kind: "value", test: (v) => typeof v === "string" && v.toLowerCase() === lowered };
    }
    case "numeric": {
      if (!Array.isArray(arg)) fail("Value of numeric must be an array.");
      const test = compileNumeric(arg);
      // AWS reports extra keys after numeric/anything-but with its numeric wording; kept verbatim.
      if (keys.length > 1) fail("Too many elements in numeric expression");
      return { kind: "value", test };
    }
    case "anything-but": {
      const test = compileAnythingBut(arg);
      if (keys.length > 1) fail("Too many elements in numeric expression");
      return { kind: "value", test };
    }
    case "exists": {
      if (typeof arg !== "boolean") fail("exists match pattern must be either true or false.");
      onlyOneKey(keys);
      return { kind: "exists", present: arg };
    }
    case "cidr": {
      // AWS reuses the prefix wording for a non-string CIDR.
      if (typeof arg !== "string") fail("prefix match pattern must be a string");
      const test = compileCidr(arg);
      onlyOneKey(keys);
      return { kind: "value", test };
    }
    default:
      return fail(`Unrecognized match type ${op}`);
  }
}

function compileEntry(entry: JsonValue): CompiledPattern {
  if (Array.isArray(entry)) fail("Match value must be String, number, true, false, or null");
  if (isJsonObject(entry)) return compileMatchExpression(entry);
  if (typeof entry === "number") {
    return { kind: "value", test: (v) => typeof v === "number" && numbersEqual(v, entry) };
  }
  // Strings are handled by compileValueArray; here only null, true and false remain.
  return { kind: "value", test: (v) => v === entry };
}

export interface CompiledValues {
  readonly test: ValueTest | null;
  readonly ifPresent: boolean;
  readonly ifAbsent: boolean;
}

/** Compiles one policy value array (the OR of its entries). */
export function compileValueArray(entries: readonly JsonValue[]): CompiledValues {
  const exact = new Set<string>();
  const tests: ValueTest[] = [];
  let ifPresent = false;
  let ifAbsent = false;
  for (const entry of entries) {
    if (typeof entry === "string") {
      const ipTest = compileExactIp(entry);
      if (ipTest) tests.push(ipTest);
      else exact.add(entry);
      continue;
    }
    const pattern = compileEntry(entry);
    if (pattern.kind === "exists") {
      if (pattern.present) ifPresent = true;
      else ifAbsent = true;
    } else {
      tests.push(pattern.test);
    }
  }
  if (entries.length === 0) fail("Empty arrays are not allowed");
  // One set lookup instead of a comparison per listed string: policies often list many values.
  if (exact.size === 1) {
    const [only] = exact;
    tests.unshift((v) => v === only);
  } else if (exact.size > 1) {
    tests.unshift((v) => typeof v === "string" && exact.has(v));
  }
  return { test: anyOf(tests), ifPresent, ifAbsent };
}

function anyOf(tests: readonly ValueTest[]): ValueTest | null {
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0];
  return (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}
