import { SnsError } from "../errors.js";

/** AWS words most SNS validation failures as "Invalid parameter: <what>[ Reason: <why>]". */
export function invalidParameter(what: string): SnsError {
  return new SnsError("InvalidParameter", `Invalid parameter: ${what}`);
}

/** Attribute problems on Subscribe/CreateTopic carry an extra "Attributes Reason:" lead-in. */
export function invalidAttribute(reason: string, viaAttributesMap: boolean): SnsError {
  return invalidParameter(viaAttributesMap ? `Attributes Reason: ${reason}` : reason);
}

export function parameterValueInvalid(message: string): SnsError {
  return new SnsError("ParameterValueInvalid", message);
}

export const topicNotFound = (): SnsError => new SnsError("NotFound", "Topic does not exist");
export const subscriptionNotFound = (): SnsError => new SnsError("NotFound", "Subscription does not exist");
export const resourceNotFound = (): SnsError => new SnsError("ResourceNotFound", "Resource does not exist");

/** Coral's message for a required member sent as null; `path` is the camel-cased member path. */
export function nullValue(path: string): SnsError {
  return new SnsError(
    "ValidationError",
    `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
  );
}

export function notAuthorized(accountId: string, action: string, resource: string): SnsError {
  return new SnsError(
    "AuthorizationError",
    `User: arn:aws:iam::${accountId}:root is not authorized to perform: SNS:${action} on resource: ${resource}`,
  );
}
