import { setTimeout as sleep } from "node:timers/promises";

/**
 * A source of time. Injected everywhere time matters so that tests can
 * drive timeouts and windows without sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** A monotonic reading in milliseconds with sub-millisecond precision, for measuring durations. */
  monotonic(): number;
  /** Waits, or rejects as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms` (a timeout); returns what cancels it. Cheaper than sleep for timers that rarely fire. */
  after(ms: number, fn: () => void): () => void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) => (ms <= 0 ? Promise.resolve() : sleep(ms, undefined, signal ? { signal } : {})),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
