/**
 * Matching in the MessageAttributes scope: each policy key names a message attribute. Values are
 * typed the way SNS hands them to its matcher: String as a string, Number as a number, String.Array
 * as its elements (strings, numbers, true/false/null), Binary as nothing a value can match.
 */
import { parseNumericText } from "./numbers.js";
import type { Branch, Scalar } from "./types.js";

export interface FilterableAttribute {
  Type: string;
  Value: string;
}

export type AttributeMap = Record<string, FilterableAttribute>;

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function stringArrayValues(text: string): readonly Scalar[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  // Nested arrays and objects are not filterable in attribute scope (AWS: "nesting isn't supported").
  return Array.isArray(parsed) ? parsed.filter(isScalar) : [];
}

/** The leaf values of one attribute; data types may carry a custom ".label" suffix. */
export function attributeValues(attribute: FilterableAttribute): readonly Scalar[] {
  const type = attribute.Type;
  if (type === "String.Array") return stringArrayValues(attribute.Value);
  const base = type.split(".", 1)[0];
  if (base === "Number") {
    const n = parseNumericText(attribute.Value);
    return n === undefined ? [] : [n];
  }
  // SNS ignores Binary attribute values when filtering; the key still counts for `exists`.
  if (base === "Binary") return [];
  return [attribute.Value];
}

export function attributeMatcher(branches: readonly Branch[]): (attributes: AttributeMap) => boolean {
  return (attributes) => {
    // Several branches may test the same attribute; decode each one (JSON for arrays) once.
    const decoded = new Map<string, readonly Scalar[]>();
    const valuesOf = (name: string, attribute: FilterableAttribute): readonly Scalar[] => {
      let values = decoded.get(name);
      if (values === undefined) {
        values = attributeValues(attribute);
        decoded.set(name, values);
      }
      return values;
    };

    branchLoop: for (const branch of branches) {
      for (const field of branch) {
        const attribute = Object.hasOwn(attributes, field.path) ? attributes[field.path] : undefined;
        if (attribute === undefined) {
          if (field.ifAbsent) continue;
          continue branchLoop;
        }
        if (field.ifPresent) continue;
        const test = field.test;
        if (test !== null && valuesOf(field.path, attribute).some(test)) continue;
        continue branchLoop;
      }
      return true;
    }
    return false;
  };
}
