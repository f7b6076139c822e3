/**
 * Shapes shared by the compiler and the two matchers. Nothing here knows about JSON text or
 * message attributes; it is the contract between "what the policy asked for" and "how a
 * message is searched".
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A leaf value as the matchers see it: a JSON scalar, with numbers already parsed. */
export type Scalar = string | number | boolean | null;

export type ValueTest = (value: Scalar) => boolean;

/** One element of a policy's value array once compiled. */
export type CompiledPattern =
  | { readonly kind: "value"; readonly test: ValueTest }
  | { readonly kind: "exists"; readonly present: boolean };

/**
 * One key of one AND-branch: the field must be satisfied by the OR of its patterns.
 * `path` is the dotted path (body scope) or the attribute name (attribute scope).
 */
export interface FieldCondition {
  readonly path: string;
  /** The key at the policy's top level this condition sits under; used for the 5-key limit. */
  readonly topKey: string;
  /** Nesting level of the key (1 = top level); AWS multiplies it into the complexity count. */
  readonly depth: number;
  /** Number of entries in the policy array, for the complexity count. */
  readonly valueCount: number;
  /** OR of every value pattern of the field, or null when the field only has `exists` patterns. */
  readonly test: ValueTest | null;
  /** `{"exists": true}` was among the patterns. */
  readonly ifPresent: boolean;
  /** `{"exists": false}` was among the patterns. */
  readonly ifAbsent: boolean;
}

/** Fields that must all hold; a policy is an OR of branches (more than one only with `$or`). */
export type Branch = readonly FieldCondition[];
