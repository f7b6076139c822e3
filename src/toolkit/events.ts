import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Envelope } from "./envelope.js";

export type InputOf<S extends StandardSchemaV1> = StandardSchemaV1.InferInput<S>;
export type OutputOf<S extends StandardSchemaV1> = StandardSchemaV1.InferOutput<S>;

/** How one version lifts data of the version before it. Erased, because versions form a chain. */
export interface UpcastStep {
  readonly from: MessageDefinition;
  lift(data: unknown): unknown;
}

// Function members use method syntax on purpose: it keeps a definition with a concrete schema
// assignable to the erased `EventDefinition`/`CommandDefinition` used in lists and registries.
interface DefinitionCore<Name extends string, Version extends number, S extends StandardSchemaV1> {
  readonly name: Name;
  readonly version: Version;
  /** Business context, e.g. ORDER_PROCESSING. */
  readonly context: string;
  readonly schema: S;
  /** Set when this version can lift data written by the previous one. */
  readonly upcastFrom: UpcastStep | undefined;
}

export interface EvolveOptions<Prev extends StandardSchemaV1, V extends number, S extends StandardSchemaV1> {
  readonly version: V;
  readonly schema: S;
  readonly context?: string;
  /** Lifts data of the previous version into this version's input shape. */
  upcast(previous: OutputOf<Prev>): InputOf<S>;
}

export interface EventDefinition<
  Name extends string = string,
  Version extends number = number,
  S extends StandardSchemaV1 = StandardSchemaV1,
> extends DefinitionCore<Name, Version, S> {
  readonly kind: "event";
  /** The service that owns the event and publishes it on its domain-events topic. */
  readonly source: string;
  /** Pairs data with this definition for `publishMany`, type-checked like `publish`. */
  of(data: InputOf<S>): EventDraft;
  /** Declares the next version, with the upcaster that lifts data of this one. */
  evolve<V extends number, S2 extends StandardSchemaV1>(next: EvolveOptions<S, V, S2>): EventDefinition<Name, V, S2>;
}

export interface CommandDefinition<
  Name extends string = string,
  Version extends number = number,
  S extends StandardSchemaV1 = StandardSchemaV1,
> extends DefinitionCore<Name, Version, S> {
  readonly kind: "command";
  /** The service that handles the command; it owns the FIFO command queue. */
  readonly target: string;
  /** The entity the command concerns: commands for one entity are handled in order. */
  groupBy(data: OutputOf<S>): string;
  /** What makes two sends the same command; defaults to a hash of type, version and data. */
  deduplicateBy(data: OutputOf<S>): string | undefined;
  evolve<V extends number, S2 extends StandardSchemaV1>(next: EvolveOptions<S, V, S2>): CommandDefinition<Name, V, S2>;
}

export type MessageDefinition = EventDefinition | CommandDefinition;

/** An event ready to publish: produced by `Definition.of(data)`. */
export interface EventDraft {
  readonly definition: EventDefinition;
  readonly data: unknown;
}

/** The event a handler receives: the envelope with data typed by the definition's schema output. */
export type EventOf<D extends MessageDefinition> = D extends MessageDefinition
  ? Envelope<D["name"], OutputOf<D["schema"]>> & { readonly version: D["version"] }
  : never;

export type CommandOf<D extends CommandDefinition> = EventOf<D>;

export interface DefineEventOptions<Version extends number, S extends StandardSchemaV1> {
  readonly source: string;
  readonly version: Version;
  readonly context: string;
  readonly schema: S;
}

export interface DefineCommandOptions<Version extends number, S extends StandardSchemaV1> {
  readonly target: string;
  readonly version: Version;
  readonly context: string;
  readonly schema: S;
  groupBy(data: OutputOf<S>): string;
  deduplicateBy?(data: OutputOf<S>): string;
}

const NAME = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;

function checkCore(name: string, version: number, schema: StandardSchemaV1): void {
  if (!NAME.test(name)) throw new TypeError(`message name "${name}" must be lowercase words joined by ".", "-" or "_"`);
  if (!Number.isInteger(version) || version < 1) throw new TypeError(`${name}: version must be a positive integer`);
  if (typeof schema?.["~standard"]?.validate !== "function") {
    throw new TypeError(`${name}: schema must implement Standard Schema (zod, valibot, arktype…)`);
  }
}

function checkNext(name: string, previous: number, next: number): void {
  if (next <= previous) throw new TypeError(`${name}: version ${next} must be greater than ${previous}`);
}

export function defineEvent<const Name extends string, const Version extends number, S extends StandardSchemaV1>(
  name: Name,
  options: DefineEventOptions<Version, S>,
): EventDefinition<Name, Version, S> {
  checkCore(name, options.version, options.schema);
  return makeEvent(name, options.version, options.context, options.schema, options.source, undefined);
}

function makeEvent<Name extends string, Version extends number, S extends StandardSchemaV1>(
  name: Name,
  version: Version,
  context: string,
  schema: S,
  source: string,
  upcastFrom: UpcastStep | undefined,
): EventDefinition<Name, Version, S> {
  const definition: EventDefinition<Name, Version, S> = {
    kind: "event",
    name,
    version,
    context,
    schema,
    source,
    upcastFrom,
    of: (data) => ({ definition, data }),
    evolve: (next) => {
      checkCore(name, next.version, next.schema);
      checkNext(name, version, next.version);
      const step: UpcastStep = { from: definition, lift: (data) => next.upcast(data as OutputOf<S>) };
      return makeEvent(name, next.version, next.context ?? context, next.schema, source, step);
    },
  };
  return Object.freeze(definition);
}

export function defineCommand<const Name extends string, const Version extends number, S extends StandardSchemaV1>(
  name: Name,
  options: DefineCommandOptions<Version, S>,
): CommandDefinition<Name, Version, S> {
  checkCore(name, options.version, options.schema);
  const groupBy = (data: OutputOf<S>): string => options.groupBy(data);
  const deduplicateBy = (data: OutputOf<S>): string | undefined => options.deduplicateBy?.(data);
  return makeCommand(name, options.version, options.context, options.schema, options.target, groupBy, deduplicateBy, undefined);
}

function makeCommand<Name extends string, Version extends number, S extends StandardSchemaV1>(
  name: Name,
  version: Version,
  context: string,
  schema: S,
  target: string,
  groupBy: (data: OutputOf<S>) => string,
  deduplicateBy: (data: OutputOf<S>) => string | undefined,
  upcastFrom: UpcastStep | undefined,
): CommandDefinition<Name, Version, S> {
  const definition: CommandDefinition<Name, Version, S> = {
    kind: "command",
    name,
    version,
    context,
    schema,
    target,
    upcastFrom,
    groupBy,
    deduplicateBy,
    evolve: <V extends number, S2 extends StandardSchemaV1>(next: EvolveOptions<S, V, S2>) => {
      checkCore(name, next.version, next.schema);
      checkNext(name, version, next.version);
      const step: UpcastStep = { from: definition, lift: (data) => next.upcast(data as OutputOf<S>) };
      // Grouping and dedup read the newest shape; older commands are lifted before either is asked.
      return makeCommand<Name, V, S2>(
        name,
        next.version,
        next.context ?? context,
        next.schema,
        target,
        (data) => groupBy(data as unknown as OutputOf<S>),
        (data) => deduplicateBy(data as unknown as OutputOf<S>),
        step,
      );
    },
  };
  return Object.freeze(definition);
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly StandardSchemaV1.Issue[] };

export async function validate<S extends StandardSchemaV1>(schema: S, value: unknown): Promise<ValidationResult<OutputOf<S>>> {
  const result = await schema["~standard"].validate(value);
  if (result.issues) return { ok: false, issues: result.issues };
  return { ok: true, value: result.value as OutputOf<S> };
}

export function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

/** The versions a definition accepts: its own and every older one it can lift, newest first. */
export function acceptedVersions(definition: MessageDefinition): number[] {
  const versions: number[] = [];
  let cursor: MessageDefinition | undefined = definition;
  while (cursor) {
    versions.push(cursor.version);
    cursor = cursor.upcastFrom?.from;
  }
  return versions;
}

export type UpcastResult =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly reason: "unsupported-version" | "schema-validation" | "upcast-failed"; readonly detail: string };

/**
 * Validates `data` written at `version` and lifts it, one version at a time, to `target`'s shape.
 * Every intermediate shape is validated so a faulty upcaster is caught where it happens.
 */
export async function readAs(target: MessageDefinition, version: number, data: unknown): Promise<UpcastResult> {
  const chain: MessageDefinition[] = [];
  let cursor: MessageDefinition | undefined = target;
  while (cursor && cursor.version > version) {
    chain.push(cursor);
    cursor = cursor.upcastFrom?.from;
  }
  if (!cursor || cursor.version !== version) {
    return { ok: false, reason: "unsupported-version", detail: `${target.name} v${version} is not one of v${acceptedVersions(target).join(", v")}` };
  }
  const first = await validate(cursor.schema, data);
  if (!first.ok) return { ok: false, reason: "schema-validation", detail: `${target.name} v${version}: ${describeIssues(first.issues)}` };
  let current = first.value;
  for (const next of chain.reverse()) {
    let lifted: unknown;
    try {
      lifted = next.upcastFrom!.lift(current);
    } catch (error) {
      return { ok: false, reason: "upcast-failed", detail: `${target.name} v${next.upcastFrom!.from.version}→v${next.version}: ${String(error)}` };
    }
    const checked = await validate(next.schema, lifted);
    if (!checked.ok) {
      return { ok: false, reason: "upcast-failed", detail: `${target.name} lifted to v${next.version}: ${describeIssues(checked.issues)}` };
    }
    current = checked.value;
  }
  return { ok: true, data: current };
}
