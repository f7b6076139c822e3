import { SqsError } from "../../core/errors.js";
import { decodeJson, JsonShapeError, missingRequired } from "../json-decode.js";
import { encodeJsonBody } from "../json-parts.js";
import { logUnexpected, type WireResponse } from "../wire.js";
import type { SqsContext } from "./actions.js";
import { sqsActions } from "./actions.js";
import { sqsWireError } from "./errors.js";

const CONTENT_TYPE = "application/x-amz-json-1.0";
const utf8 = new TextDecoder("utf-8", { fatal: true });

function errorResponse(type: string, message: string, status: number, queryError?: string): WireResponse {
  return {
    status,
    contentType: CONTENT_TYPE,
    body: JSON.stringify({ __type: type, message }),
    headers: queryError ? { "x-amzn-query-error": queryError } : undefined,
  };
}

export function sqsJsonError(error: SqsError): WireResponse {
  const wire = sqsWireError(error.code);
  if (error.code === "SerializationException") return errorResponse(wire.type, error.message, 400);
  return errorResponse(wire.type, error.message, wire.status, `${wire.queryCode};${wire.sender ? "Sender" : "Receiver"}`);
}

/** SQS over AWS JSON 1.0: `X-Amz-Target: AmazonSQS.<Action>` with a JSON body. */
export async function handleSqsJson(
  target: string,
  body: Buffer,
  ctx: SqsContext,
  pathQueueUrl: string | undefined,
): Promise<WireResponse> {
  const name = target.slice(target.indexOf(".") + 1);
  const spec = sqsActions.get(name);
  if (!target.startsWith("AmazonSQS.") || !spec) {
    return errorResponse("com.amazon.coral.service#UnknownOperationException", `Operation ${name} is not supported.`, 400);
  }
  try {
    let parsed: unknown = {};
    if (body.length > 0) {
      try {
        parsed = JSON.parse(utf8.decode(body));
      } catch {
        throw new SqsError("SerializationException", "The request body is not valid UTF-8 JSON.");
      }
    }
    let input: Record<string, unknown>;
    try {
      input = decodeJson(parsed, spec.input);
    } catch (error) {
      if (error instanceof JsonShapeError) throw new SqsError("SerializationException", error.message);
      throw error;
    }
    if (pathQueueUrl && input.QueueUrl === undefined && "QueueUrl" in (spec.input.members as object)) {
      input.QueueUrl = pathQueueUrl;
    }
    const missing = missingRequired(input, spec.input);
    if (missing) {
      throw new SqsError("MissingRequiredParameterException", `The request must contain the parameter ${missing}.`);
    }
    const output = await spec.handler(ctx, input);
    return { status: 200, contentType: CONTENT_TYPE, body: encodeJsonBody(output, spec.output) };
  } catch (error) {
    if (error instanceof SqsError) return sqsJsonError(error);
    logUnexpected(error, `SQS ${name}`);
    return sqsJsonError(new SqsError("InternalFailure", "We encountered an internal error. Please try again."));
  }
}
