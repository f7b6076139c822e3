/**
 * `{"numeric": [...]}`: one comparison (`=`, `<`, `<=`, `>`, `>=`) or a range (`>`/`>=` then
 * `<`/`<=`). Reasons follow AWS's engine token by token, which is why the checks run in this order.
 */
import { fail } from "./errors.js";
import { inRange, OUT_OF_RANGE_REASON, quantize } from "./numbers.js";
import type { JsonValue, ValueTest } from "./types.js";

/** What AWS's JSON parser calls the token at this spot: the text of a scalar, or a bracket. */
export function tokenText(token: JsonValue | undefined): string {
  if (token === undefined) return "]";
  if (token === null) return "null";
  if (Array.isArray(token)) return "[";
  if (typeof token === "object") return "{";
  return String(token);
}

function isNumber(token: JsonValue | undefined): token is number {
  return typeof token === "number";
}

function checkRange(n: number): number {
  if (!inRange(n)) fail(OUT_OF_RANGE_REASON);
  return quantize(n);
}

type Bound = { readonly q: number; readonly open: boolean } | null;

function rangeTest(low: Bound, high: Bound): ValueTest {
  return (value) => {
    if (typeof value !== "number" || !inRange(value)) return false;
    const q = quantize(value);
    if (low !== null && (low.open ? q <= low.q : q < low.q)) return false;
    if (high !== null && (high.open ? q >= high.q : q > high.q)) return false;
    return true;
  };
}

function completeRange(expr: readonly JsonValue[], bottom: number, openBottom: boolean): ValueTest {
  const op = expr[2];
  if (typeof op !== "string") fail(`Bad value in numeric range: ${tokenText(op)}`);
  if (op !== "<" && op !== "<=") fail(`Bad numeric range operator: ${op}`);
  const top = expr[3];
  if (!isNumber(top)) fail(`Value of ${op} must be numeric`);
  if (expr.length > 4) fail("Too many terms in numeric range expression");
  const qBottom = checkRange(bottom);
  const qTop = checkRange(top);
  if (bottom >= top) fail("Bottom must be less than top");
  return rangeTest({ q: qBottom, open: openBottom }, { q: qTop, open: op === "<" });
}

export function compileNumeric(expr: readonly JsonValue[]): ValueTest {
  const op = expr[0];
  if (typeof op !== "string") fail(`Invalid member in numeric match: ${tokenText(op)}`);
  const operand = expr[1];
  switch (op) {
    case "=": {
      if (!isNumber(operand)) fail("Value of equals must be numeric");
      if (expr.length > 2) fail("Too many elements in numeric expression");
      const q = checkRange(operand);
      return (value) => typeof value === "number" && inRange(value) && quantize(value) === q;
    }
    case ">":
    case ">=": {
      if (!isNumber(operand)) fail(`Value of ${op} must be numeric`);
      if (expr.length === 2) return rangeTest({ q: checkRange(operand), open: op === ">" }, null);
      return completeRange(expr, operand, op === ">");
    }
    case "<":
    case "<=": {
      if (!isNumber(operand)) fail(`Value of ${op} must be numeric`);
      if (expr.length > 2) fail("Too many elements in numeric expression");
      return rangeTest(null, { q: checkRange(operand), open: op === "<" });
    }
    default:
      return fail(`Unrecognized numeric range operator: ${op}`);
  }
}
