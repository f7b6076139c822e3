import type { Envelope } from "../envelope.js";

export interface TraceEntry {
  readonly envelope: Envelope;
  /** 0 for messages that started the flow, 1 for what handling them published, and so on. */
  readonly depth: number;
}

/** Orders the messages of one trace along their causation links (depth first, then by time). */
export function orderTrace(envelopes: readonly Envelope[]): TraceEntry[] {
  const unique = [...new Map(envelopes.map((envelope) => [envelope.eventId, envelope])).values()];
  const bySpan = new Set(unique.map((envelope) => envelope.spanId));
  const children = new Map<string, Envelope[]>();
  const roots: Envelope[] = [];
  for (const envelope of unique) {
    if (envelope.causationId && bySpan.has(envelope.causationId)) {
      children.set(envelope.causationId, [...(children.get(envelope.causationId) ?? []), envelope]);
    } else {
      roots.push(envelope);
    }
  }
  const byTime = (a: Envelope, b: Envelope): number => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId);
  const out: TraceEntry[] = [];
  const visit = (envelope: Envelope, depth: number): void => {
    out.push({ envelope, depth });
    for (const child of (children.get(envelope.spanId) ?? []).sort(byTime)) visit(child, depth + 1);
  };
  for (const root of roots.sort(byTime)) visit(root, 0);
  return out;
}

/** One line per message, indented by causation depth. */
export function formatTrace(entries: readonly TraceEntry[]): string {
  return entries
    .map(({ envelope, depth }) => `${"  ".repeat(depth)}${depth > 0 ? "└─ " : ""}${envelope.type} v${envelope.version} from ${envelope.source} (span ${envelope.spanId}${envelope.causationId ? `, caused by ${envelope.causationId}` : ""})`)
    .join("\n");
}
