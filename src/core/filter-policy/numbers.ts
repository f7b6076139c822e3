/**
 * Numeric semantics of AWS's matcher: numbers are doubles limited to ±1e9 and compared with six
 * digits after the decimal point, so 0.1 + 0.2 equals 0.3 and 5 equals 5.0000001.
 */

export const NUMBER_LIMIT = 1e9;

/** AWS's text for operands outside the range, from the Java engine ("-1.0E9" is Java's double formatting). */
export const OUT_OF_RANGE_REASON = "Value must be between -1.0E9 and 1.0E9, inclusive";

export function inRange(n: number): boolean {
  return n >= -NUMBER_LIMIT && n <= NUMBER_LIMIT;
}

/**
 * Maps a number onto an integer grid of 1e-6 steps. Only defined inside the range; callers
 * check `inRange` first. Offsetting by the limit keeps the grid free of negative rounding quirks.
 */
export function quantize(n: number): number {
  return Math.round((n + NUMBER_LIMIT) * 1e6);
}

/** Same number for AWS: both in range and on the same grid point, or (out of range) identical. */
export function numbersEqual(a: number, b: number): boolean {
  if (inRange(a) && inRange(b)) return quantize(a) === quantize(b);
  return a === b;
}

// JSON number syntax plus a leading "+" and bare fractions, which SNS accepts for Number attributes.
const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a Number attribute's text; undefined when it is not a finite decimal number. */
export function parseNumericText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMERIC_TEXT.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}
