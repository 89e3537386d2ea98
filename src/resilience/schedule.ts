import type { CallContext } from "../core/call.js";
import type { Deployment } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { isRetryable, type GatewayError } from "../core/errors.js";
import type { Breakers, Permit } from "./breakers.js";
import { backoffMs, type RetryBudget, type RetryOptions } from "./retry.js";

/** A deployment to call now, with its breaker's permission. */
export interface Scheduled {
  deployment: Deployment;
  permit: Permit;
}

/** Decides, attempt by attempt, which deployment a call tries next. */
export interface AttemptSchedule {
  /** The next deployment, after any backoff; undefined when nothing is left to try. */
  next(failed?: { deployment: Deployment; error: GatewayError }): Promise<Scheduled | undefined>;
  /** Notes a failure without asking for the next deployment (another racer's, in a hedged race). */
  failed(failure: { deployment: Deployment; error: GatewayError }): void;
  /** A deployment not tried yet, at once, or undefined: hedges never wait for a retry's backoff. */
  nextUntried(): Scheduled | undefined;
  /** Deployments passed over because their breaker was open. */
  readonly skipped: readonly Deployment[];
}

/** What a schedule needs. */
export interface ScheduleOptions {
  order: readonly Deployment[];
  breakers: Breakers;
  retry: RetryOptions;
  budget: RetryBudget;
  clock: Clock;
  call: CallContext;
  random: () => number;
}

/**
 * First every deployment in routing order, at once (another provider adds
 * no load to the failing one); then retries of those whose failure may pass,
 * after a jittered backoff (at least the upstream's Retry-After), while the
 * attempt limit, the retry budget and the caller's deadline allow.
 */
export function createAttemptSchedule(options: ScheduleOptions): AttemptSchedule {
  const { order, breakers, retry, budget, clock, call, random } = options;
  const skipped: Deployment[] = [];
  const lastErrors = new Map<Deployment, GatewayError>();
  let index = 0;
  let attempts = 0;
  let retries = 0;
  budget.deposit();

  const admit = (d: Deployment): Scheduled | undefined => {
    const permit = breakers.admit(d.id);
    if (!permit) {
      skipped.push(d);
      return undefined;
    }
    attempts++;
    return { deployment: d, permit };
  };

  const untried = (): Scheduled | undefined => {
    if (attempts >= retry.maxAttempts || call.signal.aborted) return undefined;
    while (index < order.length) {
      const s = admit(order[index++]!);
      if (s) return s;
    }
    return undefined;
  };

  return {
    skipped,
    failed(failure) {
      lastErrors.set(failure.deployment, failure.error);
    },
    nextUntried: untried,
    async next(failed) {
      if (failed) lastErrors.set(failed.deployment, failed.error);
      const fresh = untried();
      if (fresh || attempts >= retry.maxAttempts || call.signal.aborted) return fresh;
      for (;;) {
        const candidates = order.filter((d) => {
          const e = lastErrors.get(d);
          return e !== undefined && isRetryable(e.reason);
        });
        if (candidates.length === 0) return undefined;
        const d = candidates[retries % candidates.length]!;
        retries++;
        const delay = Math.max(backoffMs(retries, retry, random), lastErrors.get(d)!.retryAfterMs ?? 0);
        // A wait that outlasts the caller's deadline helps nobody: fail now, with the retry delay in the error.
        if (call.deadlineAt !== undefined && clock.monotonic() + delay >= call.deadlineAt) return undefined;
        if (!budget.withdraw()) return undefined;
        try {
          await clock.sleep(delay, call.signal);
        } catch {
          return undefined;
        }
        const s = admit(d);
        if (s) return s;
        // Its breaker opened meanwhile: stop retrying it.
        lastErrors.delete(d);
      }
    },
  };
}
