/** Topic access policies: the default document, AddPermission/RemovePermission, and access checks. */
import { parsePolicy as parse, permissionStatement, policyGrants } from "../access-policy.js";
import { invalidParameter } from "./errors.js";

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
  doc.Statement.push(permissionStatement(label, accounts, actions.map((a) => `SNS:${a}`), topicArn));
  return JSON.stringify(doc);
}

export function policyWithoutPermission(policy: string, label: string): string {
  const doc = parse(policy);
  return JSON.stringify({ ...doc, Statement: doc.Statement.filter((s) => s.Sid !== label) });
}

/** Whether the policy lets another account call `action` (only unconditional grants count). */
export function policyAllows(policy: string, accountId: string, action: string): boolean {
  return policyGrants(parse(policy), accountId, "sns", action);
}
