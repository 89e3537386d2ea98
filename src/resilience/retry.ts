/** Retry settings, gateway-wide. */
export interface RetryOptions {
  /** Upstream calls per gateway call at most, counting the first and every fallback. */
  maxAttempts: number;
  /** The first retry waits up to this long; each later one up to twice as long. */
  baseDelayMs: number;
  /** No single wait exceeds this, except to honour an upstream's Retry-After. */
  maxDelayMs: number;
  /** Retries earned per call: 0.2 means retries may add at most 20% to upstream load. */
  budgetRatio: number;
  /** Retries available at once, so that a quiet gateway can still retry a burst. */
  budgetBurst: number;
}

/**
 * "Full jitter" exponential backoff: a uniform wait between 0 and the
 * exponential bound, which spreads retrying callers apart best.
 */
export function backoffMs(retry: number, options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">, random: () => number): number {
  const bound = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return random() * bound;
}

/**
 * A gateway-wide retry budget, as a token bucket: every call deposits
 * `ratio` tokens, every retry takes one. When a provider is down and every
 * call fails, retries stop at that ratio instead of multiplying the load.
 */
export interface RetryBudget {
  deposit(): void;
  withdraw(): boolean;
  balance(): number;
}

export function createRetryBudget(ratio: number, burst: number): RetryBudget {
  let tokens = burst;
  return {
    deposit: () => void (tokens = Math.min(burst, tokens + ratio)),
    withdraw: () => {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    balance: () => tokens,
  };
}
