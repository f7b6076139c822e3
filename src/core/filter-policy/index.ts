/**
 * SNS subscription filter policies: compile once at subscribe time, then match every published
 * message against precompiled predicates. Reasons thrown are AWS's own wording without the
 * "Invalid parameter: FilterPolicy: " lead-in, which the calling action adds.
 */
import { attributeMatcher } from "./attributes.js";
import type { FilterableAttribute } from "./attributes.js";
import { bodyMatcher } from "./body.js";
import { compilePolicy } from "./compile.js";
import type { FilterPolicyScope } from "./compile.js";
import { FilterPolicyError } from "./errors.js";
import type { JsonValue } from "./types.js";

export { FilterPolicyError } from "./errors.js";
export type { FilterPolicyScope } from "./compile.js";
export type { FilterableAttribute } from "./attributes.js";

export interface FilterableMessage {
  attributes: Record<string, FilterableAttribute>;
  body: string;
}

export interface CompiledFilterPolicy {
  matches(message: FilterableMessage): boolean;
}

/** AWS's documented size limit for a policy. */
const MAX_POLICY_BYTES = 256 * 1024;

const MATCH_ALL: CompiledFilterPolicy = { matches: () => true };

export function compileFilterPolicy(policyJson: string, scope: FilterPolicyScope): CompiledFilterPolicy {
  if (scope !== "MessageAttributes" && scope !== "MessageBody") {
    throw new TypeError(`Unknown filter policy scope: ${String(scope)}`);
  }
  // AWS's wording for this limit is not documented; this follows the style of its other reasons.
  if (Buffer.byteLength(policyJson, "utf8") > MAX_POLICY_BYTES) throw new FilterPolicyError("Filter policy is too long");
  let policy: JsonValue;
  try {
    policy = JSON.parse(policyJson) as JsonValue;
  } catch {
    throw new FilterPolicyError("failed to parse JSON.");
  }
  const branches = compilePolicy(policy, scope);
  if (branches.length === 1 && branches[0].length === 0) return MATCH_ALL;
  if (scope === "MessageAttributes") {
    const match = attributeMatcher(branches);
    return { matches: (message) => match(message.attributes) };
  }
  const match = bodyMatcher(branches);
  return { matches: (message) => match(message.body) };
}
