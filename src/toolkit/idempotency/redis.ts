import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { ClaimResult, IdempotencyStore } from "./store.js";

export interface RedisIdempotencyOptions {
  /** An ioredis client you created (ioredis is an optional peer dependency). */
  readonly client: Redis;
  readonly keyPrefix?: string;
  /** Whether close() should quit the client; false by default since the client is yours. */
  readonly closeClient?: boolean;
}

// Lua keeps each transition atomic in one round trip: claims from many instances cannot interleave.
const CLAIM = `
local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], 'p:' .. ARGV[1], 'PX', ARGV[2])
  return 'acquired'
end
if value == 'done' then return 'completed' end
return 'in-flight'`;

const EXTEND = `
if redis.call('GET', KEYS[1]) == 'p:' .. ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == 'p:' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** A store shared by every instance of a service, the usual choice in production. */
export function redisIdempotencyStore(options: RedisIdempotencyOptions): IdempotencyStore {
  const { client } = options;
  const prefix = options.keyPrefix ?? "sluice:idempotency:";
  return {
    async claim(key, leaseMs): Promise<ClaimResult> {
      const token = randomUUID();
      const result = await client.eval(CLAIM, 1, prefix + key, token, Math.max(1, Math.ceil(leaseMs)));
      if (result === "acquired") return { status: "acquired", token };
      return { status: result === "completed" ? "completed" : "in-flight" };
    },
    async extend(key, token, leaseMs) {
      await client.eval(EXTEND, 1, prefix + key, token, Math.max(1, Math.ceil(leaseMs)));
    },
    async complete(key, _token, retainMs) {
      await client.set(prefix + key, "done", "PX", Math.max(1, Math.ceil(retainMs)));
    },
    async release(key, token) {
      await client.eval(RELEASE, 1, prefix + key, token);
    },
    async close() {
      if (options.closeClient) await client.quit();
    },
  };
}
