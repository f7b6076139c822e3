/**
 * Domain errors carry the AWS error shape name and message only; how each protocol renders them
 * (legacy code, HTTP status, JSON __type) lives in protocol/.
 */
export type SqsErrorCode =
  | "QueueDoesNotExist"
  | "QueueNameExists"
  | "QueueDeletedRecently"
  | "PurgeQueueInProgress"
  | "ReceiptHandleIsInvalid"
  | "MessageNotInflight"
  | "BatchEntryIdsNotDistinct"
  | "BatchRequestTooLong"
  | "EmptyBatchRequest"
  | "InvalidBatchEntryId"
  | "TooManyEntriesInBatchRequest"
  | "UnsupportedOperation"
  | "InvalidAttributeName"
  | "InvalidAttributeValue"
  | "InvalidMessageContents"
  | "InvalidIdFormat"
  | "OverLimit"
  | "RequestThrottled"
  | "InvalidSecurity"
  | "ResourceNotFoundException"
  | "InvalidAddress"
  | "InvalidParameterValueException"
  | "MissingRequiredParameterException"
  | "AccessDeniedException"
  | "InvalidAction"
  | "MalformedQueryString"
  | "SerializationException"
  | "RequestEntityTooLarge"
  | "InternalFailure";

export type SnsErrorCode =
  | "NotFound"
  | "InvalidParameter"
  | "ParameterValueInvalid"
  | "AuthorizationError"
  | "TooManyEntriesInBatchRequest"
  | "BatchEntryIdsNotDistinct"
  | "BatchRequestTooLong"
  | "EmptyBatchRequest"
  | "InvalidBatchEntryId"
  | "InvalidAction"
  | "MalformedQueryString"
  | "RequestEntityTooLarge"
  | "InvalidSecurity"
  | "TagLimitExceeded"
  | "ResourceNotFound"
  | "TagPolicy"
  | "ConcurrentAccess"
  | "StaleTag"
  | "SubscriptionLimitExceeded"
  | "TopicLimitExceeded"
  | "FilterPolicyLimitExceeded"
  | "InvalidClientTokenId"
  | "SignatureDoesNotMatch"
  | "ValidationError"
  | "InternalFailure";

export class SqsError extends Error {
  constructor(
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export class SnsError extends Error {
  constructor(
    readonly code: SnsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** The phrasing AWS uses for a parameter whose value breaks a rule. */
export function invalidParameter(name: string, value: string | number, reason: string): SqsError {
  return new SqsError(
    "InvalidParameterValueException",
    `Value ${value} for parameter ${name} is invalid. Reason: ${reason}`,
  );
}

export function missingParameter(name: string): SqsError {
  return new SqsError("MissingRequiredParameterException", `The request must contain the parameter ${name}.`);
}
