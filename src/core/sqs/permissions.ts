import { SqsError, invalidParameter } from "../errors.js";
import type { Queue } from "./queue.js";

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: { AWS?: string | string[] } | string;
  Action?: string | string[];
  Resource?: string | string[];
}

interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: Statement[];
}

const LABEL = /^[A-Za-z0-9_-]{1,80}$/;
const SHAREABLE_ACTIONS = new Set([
  "*",
  "SendMessage",
  "ReceiveMessage",
  "DeleteMessage",
  "ChangeMessageVisibility",
  "GetQueueAttributes",
  "GetQueueUrl",
  "ListDeadLetterSourceQueues",
  "PurgeQueue",
  "ListQueueTags",
]);

function parsePolicy(queue: Queue): PolicyDocument {
  // AWS starts the document it keeps for AddPermission with this Version and Id.
  if (!queue.settings.policy) return { Version: "2008-10-17", Id: `${queue.arn}/SQSDefaultPolicy`, Statement: [] };
  const parsed = JSON.parse(queue.settings.policy) as Partial<PolicyDocument>;
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
  return { Version: parsed.Version ?? "2008-10-17", Id: parsed.Id, Statement: statements };
}

/** AWS writes a single principal or action as a plain string and several as a list. */
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/** The Policy attribute with a statement added for AddPermission. */
export function policyWithPermission(queue: Queue, label: string, accounts: string[], actions: string[]): string {
  if (!LABEL.test(label)) {
    throw invalidParameter("Label", label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  }
  if (accounts.length === 0) throw new SqsError("MissingRequiredParameterException", "The request must contain the parameter AWSAccountIds.");
  if (actions.length === 0) throw new SqsError("MissingRequiredParameterException", "The request must contain the parameter Actions.");
  for (const action of actions) {
    if (!SHAREABLE_ACTIONS.has(action)) {
      throw invalidParameter("ActionName.1", action, `Please refer to the appropriate WSDL for a list of valid actions.`);
    }
  }
  const policy = parsePolicy(queue);
  if (policy.Statement.some((s) => s.Sid === label)) {
    throw invalidParameter("Label", label, "Already exists.");
  }
  policy.Statement.push({
    Sid: label,
    Effect: "Allow",
    Principal: { AWS: oneOrMany(accounts.map((a) => `arn:aws:iam::${a}:root`)) },
    Action: oneOrMany(actions.map((a) => `SQS:${a}`)),
    Resource: queue.arn,
  });
  return JSON.stringify(policy);
}

/** The Policy attribute without the statement labelled `label`; "" when nothing is left. */
export function policyWithoutPermission(queue: Queue, label: string): string {
  const policy = parsePolicy(queue);
  const remaining = policy.Statement.filter((s) => s.Sid !== label);
  if (remaining.length === policy.Statement.length) {
    throw invalidParameter("Label", label, "can't find label.");
  }
  return remaining.length === 0 ? "" : JSON.stringify({ ...policy, Statement: remaining });
}

function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Whether the queue's policy lets `accountId` call `action` (for access across accounts). */
export function policyAllows(queue: Queue, accountId: string, action: string): boolean {
  if (!queue.settings.policy) return false;
  let policy: PolicyDocument;
  try {
    policy = parsePolicy(queue);
  } catch {
    return false;
  }
  return policy.Statement.some((s) => {
    if (s.Effect !== "Allow") return false;
    const principals = typeof s.Principal === "string" ? [s.Principal] : listOf(s.Principal?.AWS);
    const principalMatches = principals.some(
      (p) => p === "*" || p === accountId || p === `arn:aws:iam::${accountId}:root`,
    );
    const actionMatches = listOf(s.Action).some((a) => {
      const lower = a.toLowerCase();
      return lower === "*" || lower === "sqs:*" || lower === `sqs:${action.toLowerCase()}`;
    });
    return principalMatches && actionMatches;
  });
}
