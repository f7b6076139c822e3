/**
 * Remembers which messages a consumer has handled, so a message SQS delivers twice (at-least-once
 * delivery, or a duplicate publish) runs its handler once.
 *
 * A key moves from nothing → in flight (claimed, with a lease) → completed (kept for a while).
 * The lease makes a second copy that arrives while the first is still running wait instead of
 * running alongside it; a crashed holder's lease runs out so the message is not stuck forever.
 */
export type ClaimResult =
  | { readonly status: "acquired"; readonly token: string }
  | { readonly status: "in-flight" }
  | { readonly status: "completed" };

export interface IdempotencyStore {
  /** Takes the key for `leaseMs` unless it is already held or completed. */
  claim(key: string, leaseMs: number): Promise<ClaimResult>;
  /** Extends a lease still held with `token` (called with every visibility heartbeat). */
  extend(key: string, token: string, leaseMs: number): Promise<void>;
  /** Records the key as handled, for `retainMs`. */
  complete(key: string, token: string, retainMs: number): Promise<void>;
  /** Gives up a lease held with `token` so a retry can claim it. */
  release(key: string, token: string): Promise<void>;
  /** Frees resources the store opened itself. */
  close(): Promise<void>;
}
