/** Topic access policies: the default document, AddPermission/RemovePermission, and access checks. */
import { invalidParameter } from "./errors.js";

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: { AWS?: string | string[] } | string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: unknown;
}

interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

/** The actions AddPermission may grant on a topic. */
const GRANTABLE = new Set([
  "GetTopicAttributes",
  "SetTopicAttributes",
  "AddPermission",
  "RemovePermission",
  "DeleteTopic",
  "Subscribe",
  "ListSubscriptionsByTopic",
  "Publish",
  "Receive",
]);

const DEFAULT_ACTIONS = [
  "SNS:GetTopicAttributes",
  "SNS:SetTopicAttributes",
  "SNS:AddPermission",
  "SNS:RemovePermission",
  "SNS:DeleteTopic",
  "SNS:Subscribe",
  "SNS:ListSubscriptionsByTopic",
  "SNS:Publish",
];

/** The policy every new topic gets, key for key as GetTopicAttributes shows it. */
export function defaultTopicPolicy(topicArn: string, ownerAccountId: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: DEFAULT_ACTIONS,
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": ownerAccountId } },
      },
    ],
  });
}

function parse(policy: string): PolicyDocument {
  try {
    const doc = JSON.parse(policy) as Partial<PolicyDocument> & { Statement?: Statement | Statement[] };
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    return { ...doc, Statement: statements };
  } catch {
    return { Statement: [] };
  }
}

/** Validates a Policy attribute value: a JSON object with statements. */
export function validatePolicy(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidParameter("Policy Error: null");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalidParameter("Policy Error: null");
}

export function policyWithPermission(
  policy: string,
  topicArn: string,
  label: string,
  accounts: readonly string[],
  actions: readonly string[],
): string {
  const doc = parse(policy);
  if (doc.Statement.some((s) => s.Sid === label)) throw invalidParameter("Statement already exists");
  if (actions.some((a) => !GRANTABLE.has(a))) throw invalidParameter("Policy statement action out of service scope!");
  const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
  const granted = actions.map((a) => `SNS:${a}`);
  doc.Statement.push({
    Sid: label,
    Effect: "Allow",
    Principal: { AWS: principals.length === 1 ? principals[0] : principals },
    Action: granted.length === 1 ? granted[0] : granted,
    Resource: topicArn,
  });
  return JSON.stringify(doc);
}

export function policyWithoutPermission(policy: string, label: string): string {
  const doc = parse(policy);
  return JSON.stringify({ ...doc, Statement: doc.Statement.filter((s) => s.Sid !== label) });
}

const listOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Whether the policy lets another account call `action`. Statements with conditions are not evaluated
 * (the default statement's SourceOwner condition only admits the owner), so only unconditional grants
 * open a topic to other accounts.
 */
export function policyAllows(policy: string, accountId: string, action: string): boolean {
  return parse(policy).Statement.some((s) => {
    if (s.Effect !== "Allow" || s.Condition !== undefined) return false;
    const principals = typeof s.Principal === "string" ? [s.Principal] : listOf(s.Principal?.AWS);
    const principalOk = principals.some((p) => p === "*" || p === accountId || p === `arn:aws:iam::${accountId}:root`);
    const actionOk = listOf(s.Action).some((a) => {
      const lower = a.toLowerCase();
      return lower === "*" || lower === "sns:*" || lower === `sns:${action.toLowerCase()}`;
    });
    return principalOk && actionOk;
  });
}
