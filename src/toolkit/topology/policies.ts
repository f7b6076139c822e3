/** The JSON documents SQS and SNS want, and tolerant comparisons against what a broker returns. */

/** The one message attribute the toolkit spends: the event type, so filter policies can route on it. */
export const EVENT_TYPE_ATTRIBUTE = "eventType";

/** Statement id of the queue-policy statement the toolkit manages, so it never clobbers others. */
export const POLICY_SID = "sluice-allow-sns-delivery";

export function filterPolicy(eventTypes: readonly string[]): string {
  return JSON.stringify({ [EVENT_TYPE_ATTRIBUTE]: [...new Set(eventTypes)].sort() });
}

export function sameFilterPolicy(actual: string | undefined, eventTypes: readonly string[]): boolean {
  if (!actual) return false;
  try {
    const parsed: unknown = JSON.parse(actual);
    if (typeof parsed !== "object" || parsed === null) return false;
    const keys = Object.keys(parsed);
    const values = (parsed as Record<string, unknown>)[EVENT_TYPE_ATTRIBUTE];
    return keys.length === 1 && Array.isArray(values) && JSON.stringify([...values].sort()) === JSON.stringify([...new Set(eventTypes)].sort());
  } catch {
    return false;
  }
}

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

export function redrivePolicy(policy: RedrivePolicy): string {
  return JSON.stringify({ deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: policy.maxReceiveCount });
}

export function parseRedrivePolicy(value: string | undefined): RedrivePolicy | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(value) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    const count = Number(parsed.maxReceiveCount);
    if (typeof parsed.deadLetterTargetArn !== "string" || !Number.isFinite(count)) return undefined;
    return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount: count };
  } catch {
    return undefined;
  }
}

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: PolicyStatement[] | PolicyStatement;
}

function parsePolicy(value: string | undefined): PolicyDocument {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null ? (parsed as PolicyDocument) : {};
  } catch {
    return {};
  }
}

function statements(document: PolicyDocument): PolicyStatement[] {
  if (!document.Statement) return [];
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");
}

function allowsSns(statement: PolicyStatement): boolean {
  if (statement.Effect !== "Allow") return false;
  const principal = statement.Principal;
  const principalOk =
    principal === "*" ||
    (typeof principal === "object" &&
      principal !== null &&
      (list((principal as Record<string, unknown>)["Service"]).includes("sns.amazonaws.com") ||
        list((principal as Record<string, unknown>)["AWS"]).includes("*")));
  const actions = list(statement.Action).map((action) => action.toLowerCase());
  return principalOk && (actions.includes("sqs:sendmessage") || actions.includes("sqs:*") || actions.includes("*"));
}

function sourceArns(statement: PolicyStatement): string[] | "any" {
  const condition = statement.Condition;
  if (!condition) return "any";
  const arns: string[] = [];
  for (const operator of ["ArnEquals", "ArnLike", "StringEquals", "StringLike"]) {
    const block = condition[operator];
    if (block) arns.push(...list(block["aws:SourceArn"] ?? block["aws:sourcearn"]));
  }
  return arns;
}

function arnMatches(pattern: string, arn: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === arn;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return regex.test(arn);
}

/**
 * True when the queue policy lets SNS deliver from every topic. Read by meaning rather than by
 * text, because infrastructure-as-code writes equivalent policies in many shapes.
 */
export function policyAllowsTopics(policy: string | undefined, topicArns: readonly string[]): boolean {
  const granted = statements(parsePolicy(policy)).filter(allowsSns).map(sourceArns);
  return topicArns.every((topic) => granted.some((arns) => arns === "any" || arns.some((pattern) => arnMatches(pattern, topic))));
}

/** The existing policy with the toolkit's statement replaced (or added); other statements are kept. */
export function mergedQueuePolicy(existing: string | undefined, queueArn: string, topicArns: readonly string[]): string {
  const document = parsePolicy(existing);
  const others = statements(document).filter((statement) => statement.Sid !== POLICY_SID);
  const ours: PolicyStatement = {
    Sid: POLICY_SID,
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": [...new Set(topicArns)].sort() } },
  };
  return JSON.stringify({ Version: document.Version ?? "2012-10-17", ...(document.Id ? { Id: document.Id } : {}), Statement: [...others, ours] });
}
