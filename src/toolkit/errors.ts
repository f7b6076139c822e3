import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { Envelope } from "./envelope.js";
import { describeIssues } from "./events.js";

/** Data did not match the schema of the event or command it was published as. */
export class MessageValidationError extends Error {
  readonly type: string;
  readonly version: number;
  readonly issues: readonly StandardSchemaV1.Issue[];
  constructor(type: string, version: number, issues: readonly StandardSchemaV1.Issue[]) {
    super(`${type} v${version} is invalid: ${describeIssues(issues)}`);
    this.name = "MessageValidationError";
    this.type = type;
    this.version = version;
    this.issues = issues;
  }
}

export interface FailedEntry {
  readonly envelope: Envelope;
  readonly code: string;
  readonly message: string;
}

/** Some events of a publishMany were rejected; the rest were published and are listed too. */
export class PublishError extends Error {
  readonly failed: readonly FailedEntry[];
  readonly published: readonly Envelope[];
  constructor(failed: readonly FailedEntry[], published: readonly Envelope[]) {
    super(`${failed.length} of ${failed.length + published.length} event(s) were not published: ${failed.map((entry) => `${entry.envelope.type} ${entry.envelope.eventId} (${entry.code}: ${entry.message})`).join("; ")}`);
    this.name = "PublishError";
    this.failed = failed;
    this.published = published;
  }
}
