/** A response body: one string, or parts written one after the other. */
export type WireBody = string | readonly string[];

/** A protocol's answer, ready for the transport to write. */
export interface WireResponse {
  status: number;
  contentType: string;
  body: WireBody;
  headers?: Record<string, string>;
}

/** Unexpected failures are logged once here and answered as InternalFailure, never with a stack trace. */
export function logUnexpected(error: unknown, where: string): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`sluice: unexpected error in ${where}: ${text}\n`);
}
