/**
 * The shape language of the action tables: one description per input and output, read by the JSON codec
 * (type checks), the Query codec (flattened or member/entry lists and maps) and the XML writer. TypeScript
 * types are inferred from the same descriptions, so a handler's input type cannot drift from its codec.
 */

export interface StringShape {
  kind: "string";
  /**
   * Message text (bodies, attribute values): checked on the way in to hold only XML characters, so a JSON
   * writer has only `"`, `\`, tab, LF and CR to escape in it.
   */
  xmlChars?: true;
}
export interface IntegerShape {
  kind: "integer";
}
export interface BooleanShape {
  kind: "boolean";
}
export interface BlobShape {
  kind: "blob";
}
export interface ListShape<M = unknown> {
  kind: "list";
  member: M;
  /** SQS Query flattens lists (`Name.1`); SNS nests them (`Name.member.1`). */
  flattened: boolean;
}
export interface MapShape<V = unknown> {
  kind: "map";
  value: V;
  flattened: boolean;
  keyName: string;
  valueName: string;
}
export interface StructureShape<M = unknown> {
  kind: "structure";
  members: M;
}
export type Shape = StringShape | IntegerShape | BooleanShape | BlobShape | ListShape | MapShape | StructureShape;

export interface Member<S = unknown> {
  shape: S;
  /** The name on the wire in Query requests and XML responses, when it differs from the member name. */
  wireName?: string;
  required?: boolean;
}
export type Members = Record<string, Member>;

export type TypeOf<S> = S extends { kind: "string" }
  ? string
  : S extends { kind: "integer" }
    ? number
    : S extends { kind: "boolean" }
      ? boolean
      : S extends { kind: "blob" }
        ? Uint8Array
        : S extends { kind: "list"; member: infer M }
          ? Array<TypeOf<M>>
          : S extends { kind: "map"; value: infer V }
            ? Record<string, TypeOf<V>>
            : S extends { kind: "structure"; members: infer M }
              ? { [K in keyof M]?: M[K] extends { shape: infer T } ? TypeOf<T> : never }
              : never;

export const string: StringShape = { kind: "string" };
export const messageText: StringShape = { kind: "string", xmlChars: true };
export const integer: IntegerShape = { kind: "integer" };
export const boolean: BooleanShape = { kind: "boolean" };
export const blob: BlobShape = { kind: "blob" };

export function list<M extends Shape>(member: M, flattened = true): ListShape<M> {
  return { kind: "list", member, flattened };
}

export function map<V extends Shape>(value: V, flattened = true, keyName = "Name", valueName = "Value"): MapShape<V> {
  return { kind: "map", value, flattened, keyName, valueName };
}

export function structure<M extends Members>(members: M): StructureShape<M> {
  return { kind: "structure", members };
}

export function member<S extends Shape>(shape: S, options: { wireName?: string; required?: boolean } = {}): Member<S> {
  return { shape, ...options };
}
