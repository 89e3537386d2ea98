import { randomUUID } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { RedisClient } from "../redis-client.js";
import { slidingTokens, tokenRetryAfterMs, type Admission, type RateLimiter } from "./limiter.js";

// All checks and the recording happen in one script, so that replicas sharing Redis cannot both
// admit the last request of a window. Time comes from the caller (ARGV[1]): the gateway's clock.
const ADMIT = `
local now = tonumber(ARGV[1])
local rpm = tonumber(ARGV[2])
local rph = tonumber(ARGV[3])
local tpm = tonumber(ARGV[4])
local est = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
if rpm >= 0 then
  local n = redis.call('ZCOUNT', KEYS[1], now - 60000 + 1, '+inf')
  if n >= rpm then
    local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], now - 60000 + 1, '+inf', 'WITHSCORES', 'LIMIT', n - rpm, 1)
    return {0, 'rpm', tonumber(oldest[2]) + 60000 - now}
  end
end
if rph >= 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n >= rph then
    local oldest = redis.call('ZRANGE', KEYS[1], n - rph, n - rph, 'WITHSCORES')
    return {0, 'rph', tonumber(oldest[2]) + 3600000 - now}
  end
end
if tpm >= 0 then
  local prev = tonumber(redis.call('GET', KEYS[3]) or '0')
  local curr = tonumber(redis.call('GET', KEYS[2]) or '0')
  if prev * (1 - (now % 60000) / 60000) + curr + est > tpm then
    return {0, 'tpm', prev, curr}
  end
end
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('PEXPIRE', KEYS[1], 3600000)
if est > 0 then
  redis.call('INCRBY', KEYS[2], est)
  redis.call('PEXPIRE', KEYS[2], 180000)
end
return {1}
`;

// Corrects a reservation, never below zero, and only on a bucket that still exists (it carries the TTL).
const RECONCILE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL') end
return v
`;

type Scripted = RedisClient & {
  llmgwAdmit(...args: (string | number)[]): Promise<(number | string)[]>;
  llmgwReconcile(key: string, delta: number): Promise<number>;
};

/** The shared backend: every replica on one Redis sees the same windows. */
export function createRedisRateLimiter(redis: RedisClient, clock: Clock, prefix = "llmgw:rl"): RateLimiter {
  const r = redis as Scripted;
  r.defineCommand("llmgwAdmit", { numberOfKeys: 3, lua: ADMIT });
  r.defineCommand("llmgwReconcile", { numberOfKeys: 1, lua: RECONCILE });
  return {
    async admit(key, estimatedTokens, limits): Promise<Admission> {
      const now = clock.now();
      const minute = Math.floor(now / 60_000);
      // The hash tag keeps one caller's keys on one cluster slot, as a script needs.
      const base = `${prefix}:{${key}}`;
      const tokensKey = `${base}:tpm:${minute}`;
      const res = await r.llmgwAdmit(
        `${base}:req`,
        tokensKey,
        `${base}:tpm:${minute - 1}`,
        now,
        limits.requestsPerMinute ?? -1,
        limits.requestsPerHour ?? -1,
        limits.tokensPerMinute ?? -1,
        estimatedTokens,
        `${now}:${randomUUID()}`,
      );
      if (res[0] === 1) {
        return {
          admitted: true,
          reservation: {
            async reconcile(actual) {
              const delta = actual - estimatedTokens;
              if (delta !== 0) await r.llmgwReconcile(tokensKey, delta);
            },
          },
        };
      }
      const limit = res[1] as "rpm" | "rph" | "tpm";
      if (limit === "tpm") {
        const retryAfterMs = tokenRetryAfterMs(Number(res[2]), Number(res[3]), estimatedTokens, limits.tokensPerMinute!, now);
        return { admitted: false, limit, retryAfterMs };
      }
      return { admitted: false, limit, retryAfterMs: Math.max(1, Number(res[2])) };
    },
    async usage(key) {
      const now = clock.now();
      const minute = Math.floor(now / 60_000);
      const base = `${prefix}:{${key}}`;
      const res = (await redis
        .multi()
        .zcount(`${base}:req`, now - 60_000 + 1, "+inf")
        .zcount(`${base}:req`, now - 3_600_000 + 1, "+inf")
        .get(`${base}:tpm:${minute - 1}`)
        .get(`${base}:tpm:${minute}`)
        .exec()) as [null, number | string | null][];
      const [rpm, rph, prev, curr] = res.map(([, v]) => Number(v ?? 0));
      return { requestsLastMinute: rpm!, requestsLastHour: rph!, tokensLastMinute: Math.round(slidingTokens(prev!, curr!, now)) };
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
