import CircuitBreaker from "opossum";
import type { Clock } from "../core/clock.js";

export type BreakerState = "closed" | "open" | "half_open";

/** Breaker settings, shared by every deployment. */
export interface BreakerOptions {
  /** Failure percentage over the rolling window at which a breaker opens. */
  errorThresholdPercentage: number;
  /** Calls in the window before the percentage counts at all. */
  volumeThreshold: number;
  /** How long an open breaker waits before letting one probe through. */
  resetTimeoutMs: number;
  /** The rolling window over which failures are counted. */
  rollingWindowMs: number;
}

/** Permission for one call through a breaker; exactly one of its methods must be called. */
export interface Permit {
  /** The deployment answered. */
  success(): void;
  /** The deployment failed in a way that is its own fault. */
  failure(): void;
  /** The call ended for another reason (the caller's bad request or cancellation): no verdict. */
  release(): void;
}

/** One circuit breaker per deployment. */
export interface Breakers {
  /** A permit, or undefined while the deployment's breaker is open (or its half-open probe is out). */
  admit(id: string): Permit | undefined;
  state(id: string): BreakerState;
  /** How long until an open breaker lets a probe through; 0 when not open. */
  retryAfterMs(id: string): number;
  /** Calls the listener on every state change. */
  onChange(listener: (id: string, state: BreakerState) => void): void;
  /** Drops a deployment's breaker (its definition changed on a reload): its next call starts closed. */
  forget(id: string): void;
}

/**
 * Breakers on opossum. Each guards calls it does not run itself: a permit's
 * outcome settles a promise that opossum watches, so streams and unary calls
 * are counted the same way, when they end. Opossum runs its action
 * synchronously inside fire(), which is how admit() knows at once whether the
 * call was let through.
 */
export function createBreakers(options: BreakerOptions, clock: Clock): Breakers {
  const breakers = new Map<string, CircuitBreaker<[() => Promise<void>], void>>();
  const reopensAt = new Map<string, number>();
  const listeners: ((id: string, state: BreakerState) => void)[] = [];
  const notify = (id: string, state: BreakerState) => {
    for (const l of listeners) l(id, state);
  };

  function breakerFor(id: string) {
    let b = breakers.get(id);
    if (!b) {
      b = new CircuitBreaker((run: () => Promise<void>) => run(), {
        timeout: false,
        errorThresholdPercentage: options.errorThresholdPercentage,
        volumeThreshold: options.volumeThreshold,
        resetTimeout: options.resetTimeoutMs,
        rollingCountTimeout: options.rollingWindowMs,
        rollingCountBuckets: 10,
      });
      b.on("open", () => {
        reopensAt.set(id, clock.now() + options.resetTimeoutMs);
        notify(id, "open");
      });
      b.on("halfOpen", () => notify(id, "half_open"));
      b.on("close", () => notify(id, "closed"));
      breakers.set(id, b);
    }
    return b;
  }

  return {
    admit(id) {
      const b = breakerFor(id);
      let admitted = false;
      let settle!: (ok: boolean) => void;
      const outcome = new Promise<void>((resolve, reject) => {
        settle = (ok) => (ok ? resolve() : reject(new Error("deployment failed")));
      });
      b.fire(() => {
        admitted = true;
        return outcome;
      }).catch(() => {});
      if (!admitted) return undefined;
      return { success: () => settle(true), failure: () => settle(false), release: () => settle(true) };
    },
    state(id) {
      const b = breakers.get(id);
      if (!b) return "closed";
      return b.opened ? "open" : b.halfOpen ? "half_open" : "closed";
    },
    retryAfterMs(id) {
      const b = breakers.get(id);
      if (!b?.opened) return 0;
      return Math.max(0, (reopensAt.get(id) ?? 0) - clock.now());
    },
    onChange(listener) {
      listeners.push(listener);
    },
    forget(id) {
      // shutdown() clears the breaker's timers; permits still out settle a breaker nobody reads.
      breakers.get(id)?.shutdown();
      breakers.delete(id);
      reopensAt.delete(id);
    },
  };
}
