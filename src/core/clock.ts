/**
 * A source of time. Injected everywhere time matters so that tests can
 * drive timeouts and windows without sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** A monotonic reading in milliseconds with sub-millisecond precision, for measuring durations. */
  monotonic(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};
