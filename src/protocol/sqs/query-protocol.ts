import { SqsError } from "../../core/errors.js";
import { missingRequired } from "../json-decode.js";
import { decodeQuery } from "../query-decode.js";
import { logUnexpected, type WireResponse } from "../wire.js";
import { xmlError, xmlResponse } from "../xml.js";
import { sqsActions, type SqsContext } from "./actions.js";
import { queryMessage, sqsWireError } from "./errors.js";

export const SQS_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";
const CONTENT_TYPE = "text/xml";

export function sqsQueryError(error: SqsError, requestId: string): WireResponse {
  const wire = sqsWireError(error.code);
  return {
    status: wire.status,
    contentType: CONTENT_TYPE,
    body: xmlError(SQS_NAMESPACE, wire.sender ? "Sender" : "Receiver", wire.queryCode, queryMessage(error.code, error.message), requestId),
  };
}

const invalidValue = (name: string, value: string, expected: string) =>
  new SqsError("InvalidParameterValueException", `Value ${value} for parameter ${name} is invalid. Reason: Must be an ${expected}.`);

const missingValue = (name: string) =>
  new SqsError("MissingRequiredParameterException", `The request must contain the parameter ${name}.`);

/** Actions AWS refuses when called on a queue URL (GetQueueUrl, oddly, is allowed there). */
const QUEUE_LESS_ACTIONS = new Set(["CreateQueue", "ListQueues"]);

export function isSqsAction(name: string): boolean {
  return sqsActions.has(name);
}

/** SQS over the Query protocol: form or query-string parameters in, XML out. */
export async function handleSqsQuery(
  params: Map<string, string>,
  ctx: SqsContext,
  requestId: string,
  pathQueueUrl: string | undefined,
): Promise<WireResponse> {
  // With no Action at all AWS cannot even detect an operation: 404 and a bare UnknownOperationException.
  if (!params.has("Action")) {
    return { status: 404, contentType: CONTENT_TYPE, body: `<?xml version="1.0"?><UnknownOperationException/>` };
  }
  const name = params.get("Action") ?? "";
  const spec = sqsActions.get(name);
  try {
    if (!spec || (pathQueueUrl && QUEUE_LESS_ACTIONS.has(name))) {
      throw new SqsError("InvalidAction", `The action ${name} is not valid for this endpoint.`);
    }
    const input = decodeQuery(params, spec.input, invalidValue, missingValue);
    if (pathQueueUrl && input.QueueUrl === undefined && "QueueUrl" in (spec.input.members as object)) {
      input.QueueUrl = pathQueueUrl;
    }
    const missing = missingRequired(input, spec.input);
    if (missing) {
      throw new SqsError("MissingRequiredParameterException", `The request must contain the parameter ${missing}.`);
    }
    const output = (await spec.handler(ctx, input)) as Record<string, unknown>;
    return { status: 200, contentType: CONTENT_TYPE, body: xmlResponse(name, SQS_NAMESPACE, spec.output, output, requestId) };
  } catch (error) {
    if (error instanceof SqsError) return sqsQueryError(error, requestId);
    logUnexpected(error, `SQS ${name}`);
    return sqsQueryError(new SqsError("InternalFailure", "We encountered an internal error. Please try again."), requestId);
  }
}
