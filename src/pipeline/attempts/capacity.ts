import { callAbortedError } from "../../core/call.js";
import type { Clock } from "../../core/clock.js";
import { GatewayError } from "../../core/errors.js";
import type { Permit } from "../../resilience/breakers.js";
import type { AttemptSchedule, Scheduled } from "../../resilience/schedule.js";
import type { Queues } from "../../queue/queues.js";
import type { Slot } from "../../queue/slots.js";
import type { Round } from "../stage.js";

/** The breaker's permit, also giving back the deployment's slot when the attempt's outcome is known. */
function holding(permit: Permit, slot: Slot): Permit {
  return {
    success() {
      slot.release();
      permit.success();
    },
    failure() {
      slot.release();
      permit.failure();
    },
    release() {
      slot.release();
      permit.release();
    },
  };
}

/**
 * Takes a slot of the scheduled deployment's concurrency cap before its
 * attempt starts, waiting for one if they are all taken and the call's
 * deadline allows. Gives a GatewayError instead when it cannot: the caller's
 * own ending if it cancelled while waiting, or CAPACITY_EXHAUSTED (with the
 * expected wait) when the wait would outlive the deadline, after which the
 * next deployment is tried. The breaker's permit is left to the ledger,
 * which releases it without a verdict: a full deployment is not a failing one.
 */
export async function withSlot(next: Scheduled, round: Round, queues: Queues | undefined, clock: Clock): Promise<Scheduled | GatewayError> {
  if (!queues || next.deployment.maxConcurrent === undefined) return next;
  const { deployment: d } = next;
  let got: Awaited<ReturnType<Queues["slots"]["acquire"]>>;
  try {
    got = await queues.slots.acquire(round.model.name, d, queues.ticket(round.request, round.call));
  } catch (err) {
    return err instanceof GatewayError ? err : callAbortedError(round.call, clock, err);
  }
  if (!got.slot) {
    return new GatewayError(
      "CAPACITY_EXHAUSTED",
      `${d.provider}: all ${d.maxConcurrent} concurrent calls of ${round.model.name} are taken and the wait would outlive the call's deadline; retry in ${Math.ceil(got.retryAfterMs / 1000)} s`,
      { metadata: { provider: d.provider, max_concurrent: String(d.maxConcurrent) }, retryAfterMs: got.retryAfterMs },
    );
  }
  if (round.call.signal.aborted) {
    got.slot.release();
    return callAbortedError(round.call, clock);
  }
  return { deployment: d, permit: holding(next.permit, got.slot) };
}

/** The schedule as a hedged race sees it: a hedge goes only to a deployment with a free slot, and never waits for one. */
export function hedgingWithin(schedule: AttemptSchedule, round: Round, queues: Queues | undefined): AttemptSchedule {
  if (!queues) return schedule;
  return {
    get skipped() {
      return schedule.skipped;
    },
    next: (failed) => schedule.next(failed),
    failed: (failure) => schedule.failed(failure),
    nextUntried() {
      const next = schedule.nextUntried();
      if (!next) return undefined;
      const slot = queues.slots.tryAcquire(round.model.name, next.deployment);
      if (!slot) {
        next.permit.release();
        return undefined;
      }
      return { deployment: next.deployment, permit: holding(next.permit, slot) };
    },
  };
}
