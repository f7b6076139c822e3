import { parsePolicy as parseDocument, permissionStatement, policyGrants, type PolicyDocument } from "../access-policy.js";
import { SqsError, invalidParameter } from "../errors.js";
import type { Queue } from "./queue.js";

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
  const doc = parseDocument(queue.settings.policy);
  return { ...doc, Version: doc.Version ?? "2008-10-17" };
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
  policy.Statement.push(permissionStatement(label, accounts, actions.map((a) => `SQS:${a}`), queue.arn));
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

/** Whether the queue's policy lets `accountId` call `action` (for access across accounts). */
export function policyAllows(queue: Queue, accountId: string, action: string): boolean {
  return queue.settings.policy !== undefined && policyGrants(parsePolicy(queue), accountId, "sqs", action);
}
