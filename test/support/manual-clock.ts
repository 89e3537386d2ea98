import type { Clock } from "../../src/core/clock.js";

/** A clock that moves only when told to; sleeping moves it at once and is recorded. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Every sleep asked for, in order. */
  sleeps: number[];
}

export function manualClock(start = 1_000): ManualClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    monotonic: () => t,
    advance: (ms) => void (t += ms),
    sleeps,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      t += Math.max(0, ms);
    },
  };
}
