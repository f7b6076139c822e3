/**
 * IAM-style resource policies as SQS queues and SNS topics keep them: parsing, the statement
 * AddPermission appends, and the check that admits another account.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: { AWS?: string | string[] } | string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

/** Reads a policy; a missing or unreadable one has no statements. */
export function parsePolicy(text: string | undefined): PolicyDocument {
  if (!text) return { Statement: [] };
  try {
    const doc = JSON.parse(text) as Partial<PolicyDocument> & { Statement?: PolicyStatement | PolicyStatement[] };
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    return { ...doc, Statement: statements };
  } catch {
    return { Statement: [] };
  }
}

/** AWS writes a single principal or action as a plain string and several as a list. */
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/** The statement AddPermission appends: `accounts` may call `actions` (already service-prefixed). */
export function permissionStatement(
  label: string,
  accounts: readonly string[],
  actions: readonly string[],
  resource: string,
): PolicyStatement {
  return {
    Sid: label,
    Effect: "Allow",
    Principal: { AWS: oneOrMany(accounts.map((a) => `arn:aws:iam::${a}:root`)) },
    Action: oneOrMany([...actions]),
    Resource: resource,
  };
}

const listOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Whether an unconditional Allow statement lets `accountId` call `service:action`. Conditions are not
 * evaluated, so a conditional statement never opens a resource to another account.
 */
export function policyGrants(doc: PolicyDocument, accountId: string, service: "sqs" | "sns", action: string): boolean {
  const wanted = `${service}:${action.toLowerCase()}`;
  return doc.Statement.some((s) => {
    if (s.Effect !== "Allow" || s.Condition !== undefined) return false;
    const principals = typeof s.Principal === "string" ? [s.Principal] : listOf(s.Principal?.AWS);
    const principalOk = principals.some((p) => p === "*" || p === accountId || p === `arn:aws:iam::${accountId}:root`);
    const actionOk = listOf(s.Action).some((a) => {
      const lower = a.toLowerCase();
      return lower === "*" || lower === `${service}:*` || lower === wanted;
    });
    return principalOk && actionOk;
  });
}
