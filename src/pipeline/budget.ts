import { costOf } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { GatewayError, isGatewayError } from "../core/errors.js";
import type { ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import { dayOf, monthOf, type BudgetAdmission, type UsageStore } from "../usage/store.js";
import type { Round, RoundStage } from "./stage.js";

const micros = (usd: number) => Math.round(usd * 1_000_000);

/**
 * The tenant's daily and monthly spending caps. A round reserves the most it
 * can cost (the prompt estimate and max_tokens at the dearest deployment's
 * prices) and is refused when that would pass a cap; it settles to what it
 * cost, to nothing if it failed before any text, and keeps the reservation
 * if it was cut short after text. Money is not spent on a guess: if the
 * store cannot answer, the round is refused with a retry delay.
 */
export function budget(options: {
  usage: UsageStore;
  clock: Clock;
  logger?: Logger | undefined;
  onRefused?: ((limit: string) => void) | undefined;
}): RoundStage {
  const { usage, clock } = options;
  return (next) => {
    async function* budgeted(
      round: Round,
      caps: { dailyUsd?: number | undefined; monthlyUsd?: number | undefined },
    ): AsyncGenerator<ChatStreamEvent> {
      const tokens = { inputTokens: round.promptTokens, outputTokens: round.upstream.maxTokens };
      const most = Math.max(...round.model.deployments.map((d) => costOf(d, tokens)));
      const admission = await reserveBudget(usage, clock, round.call.tenant!, caps, most, options.onRefused);
      yield* spending(admission, next(round), options.logger);
    }
    return (round) => {
      const caps = round.call.tenant?.budget;
      return caps && (caps.dailyUsd !== undefined || caps.monthlyUsd !== undefined) ? budgeted(round, caps) : next(round);
    };
  };
}

/** Passes events through, then settles the reservation to the cost, to nothing, or not at all (cut after text). */
async function* spending(
  reservation: Extract<BudgetAdmission, { admitted: true }>,
  events: AsyncIterable<ChatStreamEvent>,
  logger: Logger | undefined,
): AsyncGenerator<ChatStreamEvent> {
  let cost: number | undefined;
  let delivered = false;
  try {
    for await (const e of events) {
      if (e.type === "done") cost = e.result.costUsd;
      else if (e.type === "delta" || e.type === "reasoning") delivered = true;
      yield e;
    }
  } catch (err) {
    // A call that failed after answers it could not pass on (not in the format asked for) spent this much.
    const spent = isGatewayError(err) ? Number(err.metadata["spent_usd"]) : Number.NaN;
    if (Number.isFinite(spent)) cost = spent;
    throw err;
  } finally {
    const spent = cost !== undefined ? micros(cost) : delivered ? undefined : 0;
    if (spent !== undefined) {
      // The answer is out either way; a settle that fails leaves the reservation standing, which errs
      // on the side of the cap. It is logged, not thrown.
      reservation
        .settle(spent)
        .catch((err: unknown) =>
          logger?.warn("budget not settled; the reservation stands", { error: err instanceof Error ? err.message : String(err) }),
        );
    }
  }
}

/**
 * Reserves the most a call can cost against its tenant's caps (a completion's round, an embedding
 * call), or refuses it: BUDGET_EXCEEDED with the period, what was spent, and when the period
 * resets; LIMITER_UNAVAILABLE when the store cannot answer (money is not spent on a guess).
 */
export async function reserveBudget(
  usage: UsageStore,
  clock: Clock,
  tenant: { name: string },
  caps: { dailyUsd?: number | undefined; monthlyUsd?: number | undefined },
  mostUsd: number,
  onRefused: ((limit: string) => void) | undefined,
): Promise<Extract<BudgetAdmission, { admitted: true }>> {
  const now = clock.now();
  const admission = await usage
    .reserve(tenant.name, dayOf(now), monthOf(now), micros(mostUsd), {
      dailyMicros: caps.dailyUsd === undefined ? undefined : micros(caps.dailyUsd),
      monthlyMicros: caps.monthlyUsd === undefined ? undefined : micros(caps.monthlyUsd),
    })
    .catch((err: unknown) => {
      throw new GatewayError("LIMITER_UNAVAILABLE", "the budget cannot be checked right now; retry shortly", {
        cause: err,
        retryAfterMs: 1000,
      });
    });
  if (admission.admitted) return admission;
  onRefused?.(`budget_${admission.period}`);
  const day = new Date(now);
  const reset =
    admission.period === "daily"
      ? Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1)
      : Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1);
  // Enough digits that an embedding call's fraction of a cent does not read as $0.0000.
  const most = mostUsd >= 0.0001 ? mostUsd.toFixed(4) : mostUsd.toPrecision(2);
  throw new GatewayError(
    "BUDGET_EXCEEDED",
    `tenant "${tenant.name}" has reached its ${admission.period} budget of $${(admission.capMicros / 1e6).toFixed(2)} (this call could cost up to $${most})`,
    {
      metadata: {
        period: admission.period,
        spent_usd: (admission.spentMicros / 1e6).toFixed(6),
        budget_usd: (admission.capMicros / 1e6).toFixed(6),
      },
      retryAfterMs: reset - now,
    },
  );
}
