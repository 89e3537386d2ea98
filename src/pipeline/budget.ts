import { costOf } from "../core/catalog.js";
import type { CallContext } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { GatewayError, isGatewayError } from "../core/errors.js";
import type { ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import type { BudgetAlerts } from "../usage/budget-alerts.js";
import { dayOf, monthOf, type BudgetAdmission, type BudgetCrossing, type BudgetLevel, type UsageStore } from "../usage/store.js";
import type { Round, RoundStage } from "./stage.js";

const micros = (usd: number) => Math.round(usd * 1_000_000);

/**
 * The spending caps of every level a call counts against: its tenant, its
 * key's project, its key, and the request's end user (levelsOf). A round
 * reserves the most it can cost (the prompt estimate and max_tokens at the
 * dearest deployment's prices) on every capped level at once, and is refused
 * when that would pass any cap; it settles to what it cost, to nothing if it
 * failed before any text, and keeps the reservation if it was cut short after
 * text. Money is not spent on a guess: if the store cannot answer, the round
 * is refused with a retry delay.
 */
export function budget(options: {
  usage: UsageStore;
  clock: Clock;
  logger?: Logger | undefined;
  alerts?: BudgetAlerts | undefined;
  onRefused?: ((limit: string) => void) | undefined;
}): RoundStage {
  const { usage, clock } = options;
  return (next) => {
    async function* budgeted(round: Round, levels: BudgetLevel[]): AsyncGenerator<ChatStreamEvent> {
      const tokens = { inputTokens: round.promptTokens, outputTokens: round.upstream.maxTokens };
      const most = Math.max(...round.model.deployments.map((d) => costOf(d, tokens)));
      const tenant = round.call.tenant!.name;
      const admission = await reserveBudget(usage, clock, tenant, levels, most, options.onRefused);
      yield* spending(admission, next(round), options.logger, (crossings) => options.alerts?.report(tenant, crossings));
    }
    return (round) => {
      const levels = levelsOf(round.call, round.request.user);
      return levels.length > 0 ? budgeted(round, levels) : next(round);
    };
  };
}

type Caps = { dailyUsd?: number | undefined; monthlyUsd?: number | undefined } | undefined;

/**
 * The levels of a call that have a cap, outermost first: the tenant; the
 * project its key belongs to (caps declared with the tenant); the key itself;
 * and the request's end user (the tenant's per-user cap, since users are not
 * declared). A call with no key (an open gateway) has no levels.
 */
export function levelsOf(call: CallContext, user: string): BudgetLevel[] {
  const tenant = call.tenant;
  if (!tenant) return [];
  const out: BudgetLevel[] = [];
  const add = (level: BudgetLevel["level"], id: string, caps: Caps) => {
    if (caps && (caps.dailyUsd !== undefined || caps.monthlyUsd !== undefined))
      out.push({
        level,
        id,
        caps: {
          dailyMicros: caps.dailyUsd === undefined ? undefined : micros(caps.dailyUsd),
          monthlyMicros: caps.monthlyUsd === undefined ? undefined : micros(caps.monthlyUsd),
        },
      });
  };
  add("tenant", tenant.name, tenant.budget);
  const key = call.key;
  if (key?.project) add("project", key.project, tenant.projects?.get(key.project));
  if (key) add("key", key.id, key.budget);
  if (user) add("user", user, tenant.userBudget);
  return out;
}

/** Passes events through, then settles the reservation to the cost, to nothing, or to itself (cut after text). */
async function* spending(
  reservation: Extract<BudgetAdmission, { admitted: true }>,
  events: AsyncIterable<ChatStreamEvent>,
  logger: Logger | undefined,
  crossed: (crossings: BudgetCrossing[]) => void,
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
    // Cut short after text: what it cost is unknown, so the reservation stands (settled to itself, which
    // still reports the thresholds it crossed).
    const spent = cost !== undefined ? micros(cost) : delivered ? reservation.reservedMicros : 0;
    settleBudget(reservation, spent, logger, crossed);
  }
}

/**
 * Settles a reservation in the background: the answer is out either way. A settle that fails leaves
 * the reservation standing, which errs on the side of the cap; it is logged, not thrown.
 */
export function settleBudget(
  reservation: Extract<BudgetAdmission, { admitted: true }>,
  spentMicros: number,
  logger: Logger | undefined,
  crossed: (crossings: BudgetCrossing[]) => void,
): void {
  reservation.settle(spentMicros).then(
    (crossings) => {
      if (crossings.length > 0) crossed(crossings);
    },
    (err: unknown) =>
      logger?.warn("budget not settled; the reservation stands", { error: err instanceof Error ? err.message : String(err) }),
  );
}

/**
 * Reserves the most a call can cost on every level of its budget (a completion's round, an
 * embedding call), or refuses it: BUDGET_EXCEEDED with the level, the period, what was spent, and
 * when the period resets; LIMITER_UNAVAILABLE when the store cannot answer (money is not spent on
 * a guess).
 */
export async function reserveBudget(
  usage: UsageStore,
  clock: Clock,
  tenant: string,
  levels: readonly BudgetLevel[],
  mostUsd: number,
  onRefused: ((limit: string) => void) | undefined,
): Promise<Extract<BudgetAdmission, { admitted: true }>> {
  const now = clock.now();
  const admission = await usage.reserve(tenant, dayOf(now), monthOf(now), micros(mostUsd), levels).catch((err: unknown) => {
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
  const who = admission.level === "tenant" ? `tenant "${tenant}"` : `${admission.level} "${admission.id}" of tenant "${tenant}"`;
  throw new GatewayError(
    "BUDGET_EXCEEDED",
    `${who} has reached its ${admission.period} budget of $${(admission.capMicros / 1e6).toFixed(2)} (this call could cost up to $${most})`,
    {
      metadata: {
        level: admission.level,
        period: admission.period,
        spent_usd: (admission.spentMicros / 1e6).toFixed(6),
        budget_usd: (admission.capMicros / 1e6).toFixed(6),
      },
      retryAfterMs: reset - now,
    },
  );
}
