import { scopeOf } from "../../auth/tenants.js";
import type { EmbeddingCache } from "../../cache/embedding-cache.js";
import type { Flights } from "../../cache/flights.js";
import { callAbortedError } from "../../core/call.js";
import type { Clock } from "../../core/clock.js";
import { isGatewayError } from "../../core/errors.js";
import type { EmbedResult } from "../../core/embeddings.js";
import type { CacheStatus } from "../../core/types.js";
import { tracer } from "../../telemetry.js";
import { detached } from "../cache.js";
import type { EmbedStage } from "./stage.js";

/**
 * The exact cache of embedding calls: a hit answers by itself, at no cost, with what the original
 * call cost as its saving; identical calls in flight at once share one upstream call (the others
 * are "coalesced", at no cost either); fresh vectors are stored before they are returned (they are
 * small, and a store failure is only logged). Without a cache every call says "disabled". The first
 * caller to take a shared call's vectors pays for them, the caller that started it unless it went first.
 */
export function embedCache(options: { cache: EmbeddingCache | undefined; flights?: Flights | undefined; clock: Clock }): EmbedStage {
  const { cache, flights, clock } = options;
  // The runs of flights whose cost a caller has taken on.
  const paid = new WeakSet<EmbedResult>();
  return (next) => async (round) => {
    const { call } = round;
    if (!cache) return { ...(await next(round)), cacheStatus: "disabled" };
    const plan = cache.plan(round.request, round.model, scopeOf(call.tenant, round.request.user));
    if (plan.mode === "lookup") {
      const span = tracer().startSpan("cache.lookup", { attributes: { "llm_gateway.cache.semantic": false } }, call.otel);
      let hit: Awaited<ReturnType<EmbeddingCache["lookup"]>>;
      try {
        hit = await cache.lookup(plan);
        span.setAttribute("llm_gateway.cache.result", hit ? "hit_exact" : "miss");
      } finally {
        span.end();
      }
      if (hit) {
        const result: EmbedResult = {
          id: call.requestId,
          vectors: hit.vectors,
          model: hit.model,
          usage: hit.usage,
          costUsd: 0,
          provider: hit.provider,
          cacheStatus: "hit_exact",
          attempts: [],
          latencyMs: clock.monotonic() - call.receivedAt,
          savedCostUsd: hit.costUsd,
        };
        return result;
      }
    }
    if (plan.mode === "lookup" && flights) {
      // Identical calls in flight share one upstream call; the run stays joinable while its vectors are stored.
      const joined = await flights
        .unary(
          `e\u0000${plan.tenant}\u0000${plan.key}`,
          call.signal,
          async (signal): Promise<EmbedResult> => ({ ...(await next({ ...round, call: detached(call, signal) })), cacheStatus: "miss" }),
          (r) => cache.store(plan, r),
        )
        .catch((err: unknown) => {
          throw !isGatewayError(err) && call.signal.aborted ? callAbortedError(call, clock, err) : err;
        });
      const r = joined.value;
      // Whoever takes the run's vectors first pays for them: the caller that started it or, when that one
      // went before they came, the first of those who waited (else nobody would pay for the upstream call).
      if (!paid.has(r)) {
        paid.add(r);
        return joined.leader ? r : { ...r, id: call.requestId, latencyMs: clock.monotonic() - call.receivedAt };
      }
      // It waited on another caller's call, who paid: the same vectors, at no cost of its own.
      return {
        ...r,
        id: call.requestId,
        cacheStatus: "coalesced",
        costUsd: 0,
        savedCostUsd: r.costUsd,
        attempts: [],
        latencyMs: clock.monotonic() - call.receivedAt,
      };
    }
    const status: CacheStatus = plan.mode === "lookup" ? "miss" : plan.mode;
    const result = { ...(await next(round)), cacheStatus: status };
    await cache.store(plan, result);
    return result;
  };
}
