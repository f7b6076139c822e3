import type { SnsErrorCode } from "../../core/errors.js";
import { escapeXml } from "../xml.js";

export const SNS_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

const STATUS: Partial<Record<SnsErrorCode, number>> = {
  NotFound: 404,
  ResourceNotFound: 404,
  AuthorizationError: 403,
  InvalidSecurity: 403,
  SubscriptionLimitExceeded: 403,
  TopicLimitExceeded: 403,
  FilterPolicyLimitExceeded: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  RequestEntityTooLarge: 413,
  InternalFailure: 500,
};

export interface SnsWireError {
  status: number;
  /** The `<Code>` clients read (botocore's Error.Code, the JS SDK's error name). */
  code: string;
  sender: boolean;
}

export function snsWireError(code: SnsErrorCode): SnsWireError {
  const status = STATUS[code] ?? 400;
  return { status, code: code === "InternalFailure" ? "InternalError" : code, sender: status < 500 };
}

/** SNS's ErrorResponse document (no <Detail/>, unlike SQS's). */
export function snsErrorXml(code: string, type: "Sender" | "Receiver", message: string, requestId: string): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${SNS_NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
