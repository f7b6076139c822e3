import type { TestContext } from "node:test";

/**
 * Tests that need something a fresh machine may lack (Debian's boto3, PostgreSQL, Chromium) skip with the
 * reason; CI sets SLUICE_REQUIRE_ALL=1 so that every such skip fails instead.
 */
export function requireOrSkip(t: TestContext, available: boolean, reason: string): boolean {
  if (available) return true;
  if (process.env.SLUICE_REQUIRE_ALL === "1") throw new Error(`required but unavailable: ${reason}`);
  t.skip(`skipped: ${reason}`);
  return false;
}
