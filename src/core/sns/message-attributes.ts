/** SNS message attributes: validation (AWS's SNS wording, not SQS's) and the forms deliveries need. */
import type { FilterableAttribute } from "../filter-policy/index.js";
import type { MessageAttributesInput } from "../sqs/message-attributes.js";
import { nullValue, parameterValueInvalid } from "./errors.js";

export interface SnsAttributeInput {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** A validated attribute: exactly the value field its type uses. */
export interface SnsAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export type SnsAttributes = Record<string, SnsAttribute>;

const NAME_CHAR = /^[A-Za-z0-9_.-]$/;
const TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function validateName(name: string): void {
  if (Buffer.byteLength(name, "utf8") > 256) throw parameterValueInvalid("Length of message attribute name must be less than 256 bytes.");
  if (name.startsWith(".")) throw parameterValueInvalid("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith(".")) throw parameterValueInvalid("Invalid message attribute name ending with character '.' was found.");
  for (const char of name) {
    if (!NAME_CHAR.test(char)) {
      const hex = (char.codePointAt(0) ?? 0).toString(16).toUpperCase();
      throw parameterValueInvalid(
        `Invalid non-alphanumeric character '#x${hex}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
      );
    }
  }
  if (name.includes("..")) throw parameterValueInvalid("Message attribute name can not have successive '.' character.");
}

/**
 * Validates a Publish (or batch entry) attribute map and returns it with only the fields each type uses.
 * `path` is the Coral path of the map for null-value errors, e.g. "messageAttributes".
 */
export function validateSnsAttributes(attributes: Record<string, SnsAttributeInput> | undefined, path: string): SnsAttributes {
  const out: SnsAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    validateName(name);
    const type = value.DataType;
    if (type === undefined) throw nullValue(`${path}.${name}.member.dataType`);
    if (!TYPE.test(type)) {
      throw parameterValueInvalid(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const empty = () =>
      parameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (value.StringValue === undefined && value.BinaryValue === undefined) throw empty();
    if (type.startsWith("Binary")) {
      if (value.BinaryValue === undefined) throw parameterValueInvalid(`The message attribute '${name}' with type '${type}' must use field 'Binary'.`);
      if (value.BinaryValue.length === 0) throw empty();
      out[name] = { DataType: type, BinaryValue: value.BinaryValue };
      continue;
    }
    if (value.StringValue === undefined) throw parameterValueInvalid(`The message attribute '${name}' with type '${type}' must use field 'String'.`);
    if (value.StringValue.length === 0) throw empty();
    if (type.startsWith("Number") && !NUMBER.test(value.StringValue.trim())) {
      throw parameterValueInvalid(`Could not cast message attribute '${name}' value to number.`);
    }
    out[name] = { DataType: type, StringValue: value.StringValue };
  }
  return out;
}

/** Bytes counted against the 256 KiB limit: the message plus every attribute's name, type and value. */
export function publishSize(message: string, attributes: SnsAttributes): number {
  let size = Buffer.byteLength(message, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType, "utf8");
    size += value.BinaryValue ? value.BinaryValue.length : Buffer.byteLength(value.StringValue ?? "", "utf8");
  }
  return size;
}

/** The envelope's {"Type","Value"} form; binary values travel as base64. */
export function envelopeAttributes(attributes: SnsAttributes): Array<[string, { Type: string; Value: string }]> {
  return Object.entries(attributes).map(([name, v]) => [
    name,
    { Type: v.DataType, Value: v.BinaryValue ? Buffer.from(v.BinaryValue).toString("base64") : (v.StringValue ?? "") },
  ]);
}

export function filterableAttributes(attributes: SnsAttributes): Record<string, FilterableAttribute> {
  const out: Record<string, FilterableAttribute> = {};
  for (const [name, type] of envelopeAttributes(attributes)) out[name] = type;
  return out;
}

/** Raw delivery: SNS attributes become SQS message attributes of the same type. */
export function sqsAttributes(attributes: SnsAttributes): MessageAttributesInput | undefined {
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  const out: MessageAttributesInput = {};
  for (const name of names) out[name] = { ...attributes[name] };
  return out;
}
