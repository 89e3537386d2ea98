import { scopeOf } from "../../auth/tenants.js";
import { type CallContext, noteCaller } from "../../core/call.js";
import { type Catalog, costOf } from "../../core/catalog.js";
import type { Clock } from "../../core/clock.js";
import { type EmbedInput, type EmbedRequest, type EmbedResult, validateEmbedRequest } from "../../core/embeddings.js";
import { invalidRequest } from "../../core/errors.js";
import { countTextTokens, type TokenizerName } from "../../core/tokens.js";
import type { LimitSettings, RateLimiter } from "../../limits/limiter.js";
import type { Logger } from "../../log.js";
import type { UsageStore } from "../../usage/store.js";
import { limited, rateLimited, resolveModel } from "../admission.js";
import type { BudgetAlerts } from "../../usage/budget-alerts.js";
import { levelsOf, reserveBudget, settleBudget } from "../budget.js";
import { type EmbedHandler, type EmbedStage, embedTokensUsed } from "./stage.js";
import { MicroCarry } from "./usage.js";

/**
 * Admits an embedding call: resolves its model (an embedding model the tenant may use), checks the
 * request, and refuses an input longer than the model takes (what OpenAI refuses too; some
 * compatible servers would cut it silently). Only inputs that could be that long are counted here:
 * a token is at least one UTF-8 byte, so text of fewer bytes than the window fits. The call's total
 * is counted only when a stage needs it (a limit, a budget, a provider that reports no usage), once.
 */
export function embedAdmission(
  catalog: Catalog,
): (next: EmbedHandler) => (request: EmbedRequest, call: CallContext) => Promise<EmbedResult> {
  return (next) => async (request, call) => {
    noteCaller(call, request.model, request.user);
    const model = resolveModel(catalog, request.model, call, "embedding");
    validateEmbedRequest(request, model);
    const counts = await countLong(request.inputs, model.tokenizer, model.contextWindow);
    let total: Promise<number> | undefined;
    const inputTokens = () => (total ??= countAll(request.inputs, counts, model.tokenizer));
    return next({ request, call, model, inputTokens });
  };
}

/** Each input's tokens where it could pass the window (else undefined), refusing one that does. */
async function countLong(inputs: readonly EmbedInput[], tokenizer: TokenizerName, window: number): Promise<(number | undefined)[]> {
  const counts: (number | undefined)[] = new Array(inputs.length);
  for (const [i, input] of inputs.entries()) {
    // A UTF-16 unit is at most three UTF-8 bytes: a shorter text cannot have more tokens than the window.
    if (typeof input === "string" && input.length * 3 <= window) continue;
    const n = typeof input === "string" ? await countTextTokens(input, tokenizer) : input.length;
    if (n > window) throw invalidRequest(`input[${i}]`, `has ${n} tokens; the model takes at most ${window} per input`);
    counts[i] = n;
  }
  return counts;
}

async function countAll(inputs: readonly EmbedInput[], counts: readonly (number | undefined)[], tokenizer: TokenizerName): Promise<number> {
  let total = 0;
  for (const [i, input] of inputs.entries()) total += counts[i] ?? (await countTextTokens(input as string, tokenizer));
  return total;
}

/**
 * The caller's rate limits, as for completions: the call reserves its input tokens and settles to
 * what the provider counted (nothing for a cache hit or a failure).
 */
export function embedLimits(options: {
  limiter: RateLimiter;
  limits: LimitSettings;
  onRefused?: ((limit: string) => void) | undefined;
}): EmbedStage {
  return (next) => {
    const admitted = async (round: Parameters<typeof next>[0], scope: string, applied: LimitSettings, inner: typeof next) => {
      const admission = await options.limiter.admit(scope, await round.inputTokens(), applied);
      if (!admission.admitted) {
        options.onRefused?.(admission.limit);
        throw rateLimited(admission);
      }
      let used = 0;
      try {
        const result = await inner(round);
        used = embedTokensUsed(result);
        return result;
      } finally {
        // A store failure here only loses accuracy of the limit; the answer is already decided.
        admission.reservation.reconcile(used).catch(() => {});
      }
    };
    // A runtime key's own limits apply after its tenant's admitted the call: a call must fit both.
    const keyed: typeof next = (round) => {
      const key = round.call.key;
      return key?.limits && limited(key.limits) ? admitted(round, `key:${key.id}`, key.limits, next) : next(round);
    };
    return (round) => {
      const applied = round.call.tenant?.limits ?? options.limits;
      return limited(applied) ? admitted(round, scopeOf(round.call.tenant, round.request.user), applied, keyed) : keyed(round);
    };
  };
}

/**
 * The budget levels' caps, as for completions: the call reserves its input tokens at the dearest
 * deployment's embedding price on every capped level, is refused when that would pass a cap, and
 * settles to its cost (nothing for a failure or a cache hit), fractions of a micro-dollar carried over.
 */
export function embedBudget(options: {
  usage: UsageStore;
  clock: Clock;
  logger?: Logger | undefined;
  alerts?: BudgetAlerts | undefined;
  onRefused?: ((limit: string) => void) | undefined;
}): EmbedStage {
  const { usage, clock } = options;
  // A call cheaper than a micro-dollar (the budget's unit) settles its remainder into the tenant's next one.
  const carry = new MicroCarry();
  return (next) => async (round) => {
    const levels = levelsOf(round.call, round.request.user);
    if (levels.length === 0) return next(round);
    const tokens = { inputTokens: await round.inputTokens(), outputTokens: 0 };
    const most = Math.max(...round.model.deployments.map((d) => costOf(d, tokens)));
    const tenant = round.call.tenant!.name;
    const admission = await reserveBudget(usage, clock, tenant, levels, most, options.onRefused);
    let cost = 0;
    try {
      const result = await next(round);
      cost = result.costUsd;
      return result;
    } finally {
      settleBudget(admission, carry.take(tenant, cost), options.logger, (crossings) => options.alerts?.report(tenant, crossings));
    }
  };
}
