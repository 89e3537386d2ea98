import type { Clock } from "../../src/core/clock.js";

/**
 * A clock that moves only when told to. Sleeping moves it at once and is
 * recorded (so retries and backoffs run without waiting); timers set with
 * after() fire when the clock is moved past them.
 */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Every sleep asked for, in order. */
  sleeps: number[];
}

export function manualClock(start = 1_000): ManualClock {
  let t = start;
  const sleeps: number[] = [];
  let timers: { at: number; fn: () => void }[] = [];
  const fireDue = () => {
    for (;;) {
      const due = timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      timers = timers.filter((x) => x !== due);
      due.fn();
    }
  };
  const advance = (ms: number) => {
    t += Math.max(0, ms);
    fireDue();
  };
  return {
    now: () => t,
    monotonic: () => t,
    advance,
    sleeps,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      advance(ms);
    },
    after: (ms, fn) => {
      const timer = { at: t + ms, fn };
      timers.push(timer);
      return () => {
        timers = timers.filter((x) => x !== timer);
      };
    },
  };
}
