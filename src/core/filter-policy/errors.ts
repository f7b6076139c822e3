/**
 * A filter policy AWS would refuse. The message is AWS's reason only; the SNS action layer adds
 * "Invalid parameter: FilterPolicy: " (or the Subscribe variant) because the prefix depends on
 * which action received the policy.
 */
export class FilterPolicyError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "FilterPolicyError";
  }
}

export function fail(reason: string): never {
  throw new FilterPolicyError(reason);
}
