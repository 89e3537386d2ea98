/** Limits per caller. Absent means unlimited. */
export interface LimitSettings {
  requestsPerMinute?: number | undefined;
  requestsPerHour?: number | undefined;
  tokensPerMinute?: number | undefined;
}

/** An admitted call's hold on the token limit, settled once its real usage is known. */
export interface Reservation {
  /** Replaces the estimate with the tokens actually used (0 for a call that used none). */
  reconcile(actualTokens: number): Promise<void>;
}

/** A caller's standing in each window. */
export interface LimitUsage {
  requestsLastMinute: number;
  requestsLastHour: number;
  /** Tokens in the sliding minute (the previous minute's share fading), rounded. */
  tokensLastMinute: number;
}

/** The verdict on one call. */
export type Admission =
  | { admitted: true; reservation: Reservation }
  | { admitted: false; limit: "rpm" | "rph" | "tpm"; retryAfterMs: number };

/**
 * A rate-limit store: sliding-window request counts (exact, one entry per
 * request) and a token count per minute, weighted across the window
 * boundary. Both backends implement the same contract
 * (test/limits/limiter-contract.test.ts), atomically per caller.
 */
export interface RateLimiter {
  admit(key: string, estimatedTokens: number, limits: LimitSettings): Promise<Admission>;
  /** What a caller has used in the windows now, for operators. */
  usage(key: string): Promise<LimitUsage>;
  close(): Promise<void>;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Tokens counted in the sliding minute: the previous minute fades out as the current one fills. */
export function slidingTokens(previous: number, current: number, now: number): number {
  const elapsed = (now % MINUTE_MS) / MINUTE_MS;
  return previous * (1 - elapsed) + current;
}

/** How long until a token request of `wanted` fits, given the sliding count; at most the next minute's end. */
export function tokenRetryAfterMs(previous: number, current: number, wanted: number, limit: number, now: number): number {
  const intoMinute = now % MINUTE_MS;
  // Within this minute only the previous minute's share fades: solve previous*(1-t) + current + wanted <= limit.
  if (previous > 0 && current + wanted <= limit) {
    const t = 1 - (limit - current - wanted) / previous;
    return Math.max(1, Math.ceil(t * MINUTE_MS - intoMinute));
  }
  // Otherwise the current minute must become the previous one and fade too.
  const fadedShare = current > 0 ? Math.min(1, Math.max(0, 1 - (limit - wanted) / current)) : 0;
  return Math.max(1, Math.ceil(MINUTE_MS - intoMinute + fadedShare * MINUTE_MS));
}
