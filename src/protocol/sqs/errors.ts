import type { SqsErrorCode } from "../../core/errors.js";

export interface WireError {
  /** Legacy code: the Query protocol's `<Code>` and JSON's x-amzn-query-error. */
  queryCode: string;
  status: number;
  /** The JSON `__type`. */
  type: string;
  sender: boolean;
}

const LEGACY: Partial<Record<SqsErrorCode, [string, number]>> = {
  QueueDoesNotExist: ["AWS.SimpleQueueService.NonExistentQueue", 400],
  QueueNameExists: ["QueueAlreadyExists", 400],
  QueueDeletedRecently: ["AWS.SimpleQueueService.QueueDeletedRecently", 400],
  PurgeQueueInProgress: ["AWS.SimpleQueueService.PurgeQueueInProgress", 403],
  ReceiptHandleIsInvalid: ["ReceiptHandleIsInvalid", 404],
  MessageNotInflight: ["AWS.SimpleQueueService.MessageNotInflight", 400],
  BatchEntryIdsNotDistinct: ["AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400],
  BatchRequestTooLong: ["AWS.SimpleQueueService.BatchRequestTooLong", 400],
  EmptyBatchRequest: ["AWS.SimpleQueueService.EmptyBatchRequest", 400],
  InvalidBatchEntryId: ["AWS.SimpleQueueService.InvalidBatchEntryId", 400],
  TooManyEntriesInBatchRequest: ["AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400],
  UnsupportedOperation: ["AWS.SimpleQueueService.UnsupportedOperation", 400],
  InvalidAttributeName: ["InvalidAttributeName", 400],
  InvalidAttributeValue: ["InvalidAttributeValue", 400],
  InvalidMessageContents: ["InvalidMessageContents", 400],
  InvalidIdFormat: ["InvalidIdFormat", 400],
  OverLimit: ["OverLimit", 403],
  RequestThrottled: ["RequestThrottled", 403],
  InvalidSecurity: ["InvalidSecurity", 403],
  ResourceNotFoundException: ["ResourceNotFoundException", 404],
  InvalidAddress: ["InvalidAddress", 404],
  InvalidParameterValueException: ["InvalidParameterValue", 400],
  MissingRequiredParameterException: ["MissingParameter", 400],
  AccessDeniedException: ["AccessDenied", 403],
  InvalidAction: ["InvalidAction", 400],
  MalformedQueryString: ["MalformedQueryString", 400],
  RequestEntityTooLarge: ["RequestEntityTooLarge", 413],
  InternalFailure: ["InternalFailure", 500],
};

export function sqsWireError(code: SqsErrorCode): WireError {
  if (code === "SerializationException") {
    return { queryCode: "SerializationException", status: 400, type: "com.amazon.coral.service#SerializationException", sender: true };
  }
  const [queryCode, status] = LEGACY[code] ?? [code, 400];
  return { queryCode, status, type: `com.amazonaws.sqs#${code}`, sender: status < 500 };
}

/** The Query protocol words one message differently from JSON. */
export function queryMessage(code: SqsErrorCode, message: string): string {
  return code === "QueueDoesNotExist" ? "The specified queue does not exist for this wsdl version." : message;
}
