import type { Clock } from "../core/clock.js";
import { HOUR_MS, MINUTE_MS, slidingTokens, tokenRetryAfterMs, type Admission, type LimitSettings, type RateLimiter } from "./limiter.js";

interface CallerState {
  /** Start times of admitted requests within the last hour, oldest first. */
  requests: number[];
  /** Tokens per minute index. */
  tokens: Map<number, number>;
}

/**
 * Callers tracked at most. On an open gateway the key is the request's `user`, which the caller
 * chooses: past this many (after idle ones are forgotten), new keys share one bucket, so that
 * inventing users neither grows memory without bound nor escapes the limits.
 */
export const MAX_TRACKED_CALLERS = 100_000;
const OVERFLOW = "\u0000overflow";

/** The embedded default: exact for one replica, per process. */
export function createMemoryRateLimiter(clock: Clock, maxCallers = MAX_TRACKED_CALLERS): RateLimiter {
  const callers = new Map<string, CallerState>();
  let nextSweep = 0;

  /** Forgets callers no window can see any more. */
  function sweep(now: number): void {
    const minute = Math.floor(now / MINUTE_MS);
    for (const [k, s] of callers) {
      if ((s.requests.at(-1) ?? 0) > now - HOUR_MS) continue;
      if ([...s.tokens.keys()].every((m) => m < minute - 1)) callers.delete(k);
    }
  }

  function stateOf(key: string, now: number): CallerState {
    let s = callers.get(key);
    if (s) return s;
    if (callers.size >= maxCallers && key !== OVERFLOW) {
      // At most one sweep a second: a flood of new callers while every tracked one is active must not
      // walk the whole table on each call.
      if (now >= nextSweep) {
        nextSweep = now + 1000;
        sweep(now);
      }
      if (callers.size >= maxCallers) return stateOf(OVERFLOW, now);
    }
    callers.set(key, (s = { requests: [], tokens: new Map() }));
    return s;
  }

  return {
    async admit(key, estimatedTokens, limits: LimitSettings): Promise<Admission> {
      const now = clock.now();
      const s = stateOf(key, now);
      // Forget what no window can see any more.
      let drop = 0;
      while (drop < s.requests.length && s.requests[drop]! <= now - HOUR_MS) drop++;
      if (drop > 0) s.requests.splice(0, drop);
      const minute = Math.floor(now / MINUTE_MS);
      for (const m of s.tokens.keys()) if (m < minute - 1) s.tokens.delete(m);

      if (limits.requestsPerMinute !== undefined) {
        const inMinute = s.requests.length - lowerBound(s.requests, now - MINUTE_MS + 1);
        if (inMinute >= limits.requestsPerMinute) {
          const oldest = s.requests[s.requests.length - limits.requestsPerMinute]!;
          return { admitted: false, limit: "rpm", retryAfterMs: Math.max(1, oldest + MINUTE_MS - now) };
        }
      }
      if (limits.requestsPerHour !== undefined && s.requests.length >= limits.requestsPerHour) {
        const oldest = s.requests[s.requests.length - limits.requestsPerHour]!;
        return { admitted: false, limit: "rph", retryAfterMs: Math.max(1, oldest + HOUR_MS - now) };
      }
      if (limits.tokensPerMinute !== undefined) {
        const prev = s.tokens.get(minute - 1) ?? 0;
        const curr = s.tokens.get(minute) ?? 0;
        if (slidingTokens(prev, curr, now) + estimatedTokens > limits.tokensPerMinute) {
          return {
            admitted: false,
            limit: "tpm",
            retryAfterMs: tokenRetryAfterMs(prev, curr, estimatedTokens, limits.tokensPerMinute, now),
          };
        }
      }
      s.requests.push(now);
      const state = s;
      state.tokens.set(minute, (state.tokens.get(minute) ?? 0) + estimatedTokens);
      return {
        admitted: true,
        reservation: {
          async reconcile(actual) {
            const delta = actual - estimatedTokens;
            if (delta !== 0 && state.tokens.has(minute)) state.tokens.set(minute, Math.max(0, state.tokens.get(minute)! + delta));
          },
        },
      };
    },
    async usage(key) {
      const now = clock.now();
      const s = callers.get(key);
      if (!s) return { requestsLastMinute: 0, requestsLastHour: 0, tokensLastMinute: 0 };
      const minute = Math.floor(now / MINUTE_MS);
      return {
        requestsLastMinute: s.requests.length - lowerBound(s.requests, now - MINUTE_MS + 1),
        requestsLastHour: s.requests.length - lowerBound(s.requests, now - HOUR_MS + 1),
        tokensLastMinute: Math.round(slidingTokens(s.tokens.get(minute - 1) ?? 0, s.tokens.get(minute) ?? 0, now)),
      };
    },
    async close() {},
  };
}

/** The index of the first element >= value in a sorted array. */
function lowerBound(xs: readonly number[], value: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
