import { SqsError, invalidParameter } from "../errors.js";

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export type RedrivePermission = "allowAll" | "denyAll" | "byQueue";

export interface RedriveAllowPolicy {
  redrivePermission: RedrivePermission;
  sourceQueueArns?: string[];
}

/** Every attribute a client can set, in typed form. */
export interface QueueSettings {
  visibilityTimeout: number;
  maximumMessageSize: number;
  messageRetentionPeriod: number;
  delaySeconds: number;
  receiveMessageWaitTimeSeconds: number;
  policy?: string;
  redrivePolicy?: RedrivePolicy;
  redriveAllowPolicy?: RedriveAllowPolicy;
  kmsMasterKeyId?: string;
  kmsDataKeyReusePeriodSeconds?: number;
  sqsManagedSseEnabled: boolean;
  fifoQueue: boolean;
  contentBasedDeduplication: boolean;
  deduplicationScope: "queue" | "messageGroup";
  fifoThroughputLimit: "perQueue" | "perMessageGroupId";
}

export const READ_ONLY_ATTRIBUTES = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
] as const;

const SETTABLE_ATTRIBUTES = [
  "Policy",
  "VisibilityTimeout",
  "MaximumMessageSize",
  "MessageRetentionPeriod",
  "DelaySeconds",
  "ReceiveMessageWaitTimeSeconds",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "KmsMasterKeyId",
  "KmsDataKeyReusePeriodSeconds",
  "SqsManagedSseEnabled",
  "FifoQueue",
  "ContentBasedDeduplication",
  "DeduplicationScope",
  "FifoThroughputLimit",
] as const;

export const ALL_QUEUE_ATTRIBUTES: readonly string[] = [...SETTABLE_ATTRIBUTES, ...READ_ONLY_ATTRIBUTES];
const FIFO_ONLY = new Set(["FifoQueue", "ContentBasedDeduplication"]);
const FIFO_THROUGHPUT = new Set(["DeduplicationScope", "FifoThroughputLimit"]);

/** Default message size limit; 262144 stays available through MaximumMessageSize or the broker's settings. */
export const DEFAULT_MAXIMUM_MESSAGE_SIZE = 1048576;

export function defaultSettings(fifo: boolean, maximumMessageSize = DEFAULT_MAXIMUM_MESSAGE_SIZE): QueueSettings {
  return {
    visibilityTimeout: 30,
    maximumMessageSize,
    messageRetentionPeriod: 345600,
    delaySeconds: 0,
    receiveMessageWaitTimeSeconds: 0,
    sqsManagedSseEnabled: true,
    fifoQueue: fifo,
    contentBasedDeduplication: false,
    deduplicationScope: "queue",
    fifoThroughputLimit: "perQueue",
  };
}

function invalidValue(name: string, reason?: string): SqsError {
  return new SqsError(
    "InvalidAttributeValue",
    reason ? `Invalid value for the parameter ${name}. Reason: ${reason}` : `Invalid value for the parameter ${name}.`,
  );
}

function integerIn(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value.trim())) throw invalidValue(name);
  const n = Number(value.trim());
  if (n < min || n > max) throw invalidValue(name);
  return n;
}

function booleanValue(name: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalidValue(name);
}

function jsonObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function parseRedrivePolicy(value: string): RedrivePolicy {
  const fail = (reason: string) => invalidParameter("RedrivePolicy", value, reason);
  const parsed = jsonObject(value);
  if (!parsed) throw fail("Redrive policy is not a valid JSON map.");
  const arn = parsed.deadLetterTargetArn;
  const count = parsed.maxReceiveCount;
  if (arn === undefined) throw fail("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  if (count === undefined) throw fail("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  if (typeof arn !== "string") throw fail("Invalid value for deadLetterTargetArn.");
  const n = typeof count === "number" ? count : typeof count === "string" && /^-?\d+$/.test(count) ? Number(count) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw fail(`Invalid value for maxReceiveCount: ${String(count)}, valid values are from 1 to 1000 both inclusive.`);
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: n };
}

export function parseRedriveAllowPolicy(value: string): RedriveAllowPolicy {
  const fail = (reason: string) => invalidParameter("RedriveAllowPolicy", value, reason);
  const parsed = jsonObject(value);
  if (!parsed) throw fail("Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.");
  const permission = parsed.redrivePermission;
  if (permission !== "allowAll" && permission !== "denyAll" && permission !== "byQueue") {
    throw fail("Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.");
  }
  const arns = parsed.sourceQueueArns;
  if (permission !== "byQueue") {
    if (arns !== undefined) {
      throw fail(`Only specify source queue ARNs when you set redrivePermission to byQueue.`);
    }
    return { redrivePermission: permission };
  }
  if (!Array.isArray(arns) || arns.length === 0 || !arns.every((a): a is string => typeof a === "string")) {
    throw fail("Specify at least one source queue ARN when you set redrivePermission to byQueue.");
  }
  if (arns.length > 10) throw fail("Specify up to 10 source queue ARNs.");
  return { redrivePermission: permission, sourceQueueArns: arns };
}

/**
 * Validates attributes given to CreateQueue or SetQueueAttributes and returns the new settings.
 * Checks that need other queues (the dead-letter target) are the caller's.
 */
export function applyAttributes(
  current: QueueSettings,
  attributes: Record<string, string>,
  mode: "create" | "set",
): QueueSettings {
  const next: QueueSettings = { ...current };
  if ((attributes.KmsMasterKeyId ?? "") !== "" && (attributes.SqsManagedSseEnabled ?? "").toLowerCase() === "true") {
    throw new SqsError(
      "InvalidAttributeName",
      "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
    );
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (!(SETTABLE_ATTRIBUTES as readonly string[]).includes(name)) {
      throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
    if (!current.fifoQueue && FIFO_ONLY.has(name)) {
      throw new SqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
    if (!current.fifoQueue && FIFO_THROUGHPUT.has(name)) {
      // AWS answers with InvalidAttributeName and this sentence alone (recorded against real AWS).
      throw new SqsError("InvalidAttributeName", `You can specify the ${name} only when FifoQueue is set to true.`);
    }
    switch (name) {
      case "VisibilityTimeout":
        next.visibilityTimeout = integerIn(name, value, 0, 43200);
        break;
      case "MaximumMessageSize":
        next.maximumMessageSize = integerIn(name, value, 1024, 1048576);
        break;
      case "MessageRetentionPeriod":
        next.messageRetentionPeriod = integerIn(name, value, 60, 1209600);
        break;
      case "DelaySeconds":
        next.delaySeconds = integerIn(name, value, 0, 900);
        break;
      case "ReceiveMessageWaitTimeSeconds":
        next.receiveMessageWaitTimeSeconds = integerIn(name, value, 0, 20);
        break;
      case "KmsDataKeyReusePeriodSeconds":
        next.kmsDataKeyReusePeriodSeconds = integerIn(name, value, 60, 86400);
        break;
      case "Policy":
        if (value === "") next.policy = undefined;
        else if (!jsonObject(value)) throw invalidValue(name);
        else next.policy = value;
        break;
      case "RedrivePolicy":
        next.redrivePolicy = value === "" ? undefined : parseRedrivePolicy(value);
        break;
      case "RedriveAllowPolicy":
        next.redriveAllowPolicy = value === "" ? undefined : parseRedriveAllowPolicy(value);
        break;
      case "KmsMasterKeyId":
        next.kmsMasterKeyId = value === "" ? undefined : value;
        if (value !== "") next.sqsManagedSseEnabled = false;
        break;
      case "SqsManagedSseEnabled":
        next.sqsManagedSseEnabled = booleanValue(name, value);
        break;
      case "FifoQueue":
        if (mode === "set") throw invalidValue(name, "Modifying queue type is not supported.");
        if (!booleanValue(name, value)) throw invalidValue(name);
        break;
      case "ContentBasedDeduplication":
        next.contentBasedDeduplication = booleanValue(name, value);
        break;
      case "DeduplicationScope":
        if (value !== "queue" && value !== "messageGroup") throw invalidValue(name);
        next.deduplicationScope = value;
        break;
      case "FifoThroughputLimit":
        if (value !== "perQueue" && value !== "perMessageGroupId") throw invalidValue(name);
        next.fifoThroughputLimit = value;
        break;
    }
  }
  if (next.fifoThroughputLimit === "perMessageGroupId" && next.deduplicationScope !== "messageGroup") {
    throw invalidValue(
      "FifoThroughputLimit",
      "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.",
    );
  }
  return next;
}

/** The settable attributes as the strings GetQueueAttributes returns. */
export function renderSettings(s: QueueSettings): Record<string, string> {
  const out: Record<string, string> = {
    VisibilityTimeout: String(s.visibilityTimeout),
    MaximumMessageSize: String(s.maximumMessageSize),
    MessageRetentionPeriod: String(s.messageRetentionPeriod),
    DelaySeconds: String(s.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    SqsManagedSseEnabled: String(s.sqsManagedSseEnabled),
  };
  if (s.policy !== undefined) out.Policy = s.policy;
  if (s.redrivePolicy) out.RedrivePolicy = JSON.stringify(s.redrivePolicy);
  if (s.redriveAllowPolicy) out.RedriveAllowPolicy = JSON.stringify(s.redriveAllowPolicy);
  if (s.kmsMasterKeyId !== undefined) out.KmsMasterKeyId = s.kmsMasterKeyId;
  if (s.kmsDataKeyReusePeriodSeconds !== undefined) {
    out.KmsDataKeyReusePeriodSeconds = String(s.kmsDataKeyReusePeriodSeconds);
  }
  if (s.fifoQueue) {
    out.FifoQueue = "true";
    out.ContentBasedDeduplication = String(s.contentBasedDeduplication);
    out.DeduplicationScope = s.deduplicationScope;
    out.FifoThroughputLimit = s.fifoThroughputLimit;
  }
  return out;
}
