import type { Envelope } from "../envelope.js";
import { acceptedVersions, readAs, type MessageDefinition } from "../events.js";
import type { DeadLetterReason } from "../observability/activity.js";
import type { ErasedHandler } from "./types.js";

interface Registration {
  readonly definition: MessageDefinition;
  readonly handler: ErasedHandler;
}

export type Decoded =
  | { readonly ok: true; readonly event: Envelope; readonly handler: ErasedHandler }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly detail: string };

/** The handlers of one consumer, by message type and version. */
export class HandlerRegistry {
  readonly #byType = new Map<string, Registration[]>();
  readonly #kind: "event" | "command";

  constructor(kind: "event" | "command") {
    this.#kind = kind;
  }

  add(definition: MessageDefinition, handler: ErasedHandler): void {
    if (definition.kind !== this.#kind) {
      throw new TypeError(`${definition.name} is a ${definition.kind}; this consumer handles ${this.#kind}s`);
    }
    const list = this.#byType.get(definition.name) ?? [];
    if (list.some((registration) => registration.definition.version === definition.version)) {
      throw new TypeError(`${definition.name} v${definition.version} already has a handler in this consumer`);
    }
    list.push({ definition, handler });
    list.sort((a, b) => a.definition.version - b.definition.version);
    this.#byType.set(definition.name, list);
  }

  get size(): number {
    return this.#byType.size;
  }

  definitions(): MessageDefinition[] {
    return [...this.#byType.values()].flatMap((list) => list.map((registration) => registration.definition));
  }

  /**
   * Finds the handler for an envelope and turns its data into that handler's shape: the handler
   * for the exact version if there is one, else the oldest newer one whose upcasters reach it.
   */
  async decode(envelope: Envelope): Promise<Decoded> {
    const list = this.#byType.get(envelope.type);
    if (!list || envelope.kind !== this.#kind) {
      return { ok: false, reason: "unknown-type", detail: `no handler for ${envelope.kind} "${envelope.type}" here` };
    }
    const registration =
      list.find((candidate) => candidate.definition.version === envelope.version) ??
      list.find((candidate) => acceptedVersions(candidate.definition).includes(envelope.version));
    if (!registration) {
      const handled = list.flatMap((candidate) => acceptedVersions(candidate.definition)).sort((a, b) => a - b);
      return { ok: false, reason: "unsupported-version", detail: `${envelope.type} v${envelope.version}; this consumer handles v${handled.join(", v")}` };
    }
    const read = await readAs(registration.definition, envelope.version, envelope.data);
    if (!read.ok) return { ok: false, reason: read.reason, detail: read.detail };
    return { ok: true, event: { ...envelope, version: registration.definition.version, data: read.data }, handler: registration.handler };
  }
}
