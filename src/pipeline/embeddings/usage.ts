import { trace } from "@opentelemetry/api";
import { scopeOf } from "../../auth/tenants.js";
import type { CallContext } from "../../core/call.js";
import type { ModelEntry } from "../../core/catalog.js";
import type { Clock } from "../../core/clock.js";
import type { EmbedRequest, EmbedResult } from "../../core/embeddings.js";
import type { Logger } from "../../log.js";
import { dayOf, type UsageStore } from "../../usage/store.js";
import type { EmbedStage } from "./stage.js";

/** Remainders kept at most; the oldest go first (each is less than a micro-dollar). */
const MAX_CARRIED = 10_000;

/**
 * Whole micro-dollars out of costs far below one, without losing the rest: the usage store counts
 * money in micro-USD, and an embedding call costs less than that (ten tokens at $0.02 per million
 * is $0.0000002). Rounding each call would count most of them as free; instead each tenant, model
 * and day carries its remainder on this replica, and adds it to its next call's cost.
 */
export class MicroCarry {
  private readonly rest = new Map<string, number>();

  take(key: string, usd: number): number {
    const exact = usd * 1_000_000 + (this.rest.get(key) ?? 0);
    // A hair of slack: 0.3 + 0.7 is 0.9999999999999999 in doubles, and must count as one.
    const whole = Math.floor(exact + 1e-9);
    this.rest.delete(key);
    if (exact - whole > 1e-9) {
      this.rest.set(key, exact - whole);
      if (this.rest.size > MAX_CARRIED) this.rest.delete(this.rest.keys().next().value!);
    }
    return whole;
  }
}

/**
 * What every answered embedding call leaves behind, as a completion does: its day's usage totals
 * per tenant (input tokens and cost; a cache hit's saving), its span's GenAI attributes, the
 * access log's fields and the metrics. A usage store that fails is logged, never the caller's.
 */
export function embedUsage(options: {
  usage: UsageStore;
  clock: Clock;
  logger?: Logger | undefined;
  onEmbedded?: ((model: ModelEntry, result: EmbedResult, call: CallContext) => void) | undefined;
}): EmbedStage {
  const carry = new MicroCarry();
  return (next) => async (round) => {
    const result = await next(round);
    const { request, call, model } = round;
    annotate(call, model, result);
    report(request, call, model, result);
    try {
      options.onEmbedded?.(model, result, call);
    } catch (err) {
      options.logger?.warn("embedding call not counted in the metrics", { error: err instanceof Error ? err.message : String(err) });
    }
    const saved = result.savedCostUsd !== undefined;
    const tenant = scopeOf(call.tenant, request.user);
    const day = dayOf(options.clock.now());
    const key = `${tenant}\u0000${request.user}\u0000${model.name}\u0000${day}`;
    options.usage
      .add({
        tenant,
        user: request.user,
        model: model.name,
        day,
        requests: 1,
        inputTokens: saved ? 0 : result.usage.inputTokens,
        outputTokens: 0,
        costMicros: carry.take(`c${key}`, result.costUsd),
        savedTokens: saved ? result.usage.inputTokens : 0,
        savedMicros: saved ? carry.take(`s${key}`, result.savedCostUsd ?? 0) : 0,
      })
      .catch((err: unknown) => options.logger?.warn("usage not recorded", { error: err instanceof Error ? err.message : String(err) }));
    return result;
  };
}

/** The access log's fields. */
function report(request: EmbedRequest, call: CallContext, model: ModelEntry, result: EmbedResult): void {
  const report = call.report;
  if (!report) return;
  report.model = model.name;
  report.provider = result.provider;
  report.cache = result.cacheStatus;
  report.input_tokens = result.usage.inputTokens;
  report.output_tokens = 0;
  report.cost_usd = result.costUsd;
  if (Object.keys(request.metadata).length > 0) report.metadata = request.metadata;
  report.detail = { ...report.detail, attempts: result.attempts };
}

/** Describes the answer on the call's own span (GenAI conventions, plus what the gateway adds). */
function annotate(call: CallContext, model: ModelEntry, result: EmbedResult): void {
  const span = call.otel ? trace.getSpan(call.otel) : undefined;
  if (!span?.isRecording()) return;
  span.setAttributes({
    "gen_ai.operation.name": "embeddings",
    "gen_ai.request.model": model.name,
    "gen_ai.response.model": result.model,
    "gen_ai.usage.input_tokens": result.usage.inputTokens,
    "llm_gateway.provider": result.provider,
    "llm_gateway.cache_status": result.cacheStatus,
    "llm_gateway.cost_usd": result.costUsd,
    "llm_gateway.attempts": result.attempts.length,
    "llm_gateway.embedding.inputs": result.vectors.length,
    ...(call.tenant ? { "llm_gateway.tenant": call.tenant.name } : {}),
  });
}
