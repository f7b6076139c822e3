import { SnsError } from "../../core/errors.js";
import { unsupported } from "../../core/sns/sns-service.js";
import { decodeQuery } from "../query-decode.js";
import type { Member, StructureShape } from "../shapes.js";
import { logUnexpected, type WireResponse } from "../wire.js";
import { xmlResponse } from "../xml.js";
import { snsActions, UNSUPPORTED_ACTIONS, type SnsContext } from "./actions.js";
import { SNS_NAMESPACE, snsErrorXml, snsWireError } from "./errors.js";

const CONTENT_TYPE = "text/xml";
/** Actions whose output shape has a result wrapper but no members. */
const EMPTY_RESULT = new Set(["TagResource", "UntagResource"]);

export function snsQueryError(error: SnsError, requestId: string): WireResponse {
  const wire = snsWireError(error.code);
  return {
    status: wire.status,
    contentType: CONTENT_TYPE,
    body: snsErrorXml(wire.code, wire.sender ? "Sender" : "Receiver", error.message, requestId),
  };
}

const invalidValue = (name: string) => new SnsError("InvalidParameter", `Invalid parameter: ${name}`);

/** Each input shape's required member names, listed once rather than on every request. */
const requiredNames = new WeakMap<StructureShape, string[]>();

function requiredOf(shape: StructureShape): string[] {
  let names = requiredNames.get(shape);
  if (!names) {
    names = Object.entries(shape.members as Record<string, Member>).filter(([, m]) => m.required).map(([name]) => name);
    requiredNames.set(shape, names);
  }
  return names;
}

/** Coral's report of required members sent as null: "N validation error(s) detected: ...". */
function checkRequired(input: Record<string, unknown>, shape: StructureShape): void {
  const missing = requiredOf(shape)
    .filter((name) => input[name] === undefined)
    .map((name) => `Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  if (missing.length === 0) return;
  const count = `${missing.length} validation error${missing.length === 1 ? "" : "s"} detected`;
  throw new SnsError("ValidationError", `${count}: ${missing.join("; ")}`);
}

export function isSnsAction(name: string): boolean {
  return snsActions.has(name) || UNSUPPORTED_ACTIONS.has(name);
}

/** SNS over the Query protocol: form or query-string parameters in, XML out. */
export async function handleSnsQuery(params: Map<string, string>, ctx: SnsContext, requestId: string): Promise<WireResponse> {
  const name = params.get("Action") ?? "";
  const spec = snsActions.get(name);
  try {
    if (!spec) {
      if (UNSUPPORTED_ACTIONS.has(name)) throw unsupported(`The action ${name}`);
      throw new SnsError("InvalidAction", `The action ${name} is not valid for this endpoint.`);
    }
    const input = decodeQuery(params, spec.input, invalidValue);
    checkRequired(input, spec.input);
    const output = (await spec.handler(ctx, input)) as Record<string, unknown>;
    let body = xmlResponse(name, SNS_NAMESPACE, spec.output, output, requestId);
    // botocore insists on the (empty) result element these actions' models declare.
    if (EMPTY_RESULT.has(name)) body = body.replace("<ResponseMetadata>", `<${name}Result/><ResponseMetadata>`);
    return { status: 200, contentType: CONTENT_TYPE, body };
  } catch (error) {
    if (error instanceof SnsError) return snsQueryError(error, requestId);
    logUnexpected(error, `SNS ${name}`);
    return snsQueryError(new SnsError("InternalFailure", "We encountered an internal error. Please try again."), requestId);
  }
}
