import { scopeOf } from "../../auth/tenants.js";
import type { EmbeddingCache } from "../../cache/embedding-cache.js";
import type { Clock } from "../../core/clock.js";
import type { EmbedResult } from "../../core/embeddings.js";
import type { CacheStatus } from "../../core/types.js";
import { tracer } from "../../telemetry.js";
import type { EmbedStage } from "./stage.js";

/**
 * The exact cache of embedding calls: a hit answers by itself, at no cost, with what the original
 * call cost as its saving; fresh vectors are stored before they are returned (they are small, and
 * a store failure is only logged). Without a cache every call says "disabled".
 */
export function embedCache(options: { cache: EmbeddingCache | undefined; clock: Clock }): EmbedStage {
  const { cache, clock } = options;
  return (next) => async (round) => {
    const { call } = round;
    if (!cache) return { ...(await next(round)), cacheStatus: "disabled" };
    const plan = cache.plan(round.request, round.model, scopeOf(call.tenant, round.request.user));
    if (plan.mode === "lookup") {
      const span = tracer().startSpan("cache.lookup", { attributes: { "llm_gateway.cache.semantic": false } }, call.otel);
      const hit = await cache.lookup(plan).finally(() => span.end());
      span.setAttribute("llm_gateway.cache.result", hit ? "hit_exact" : "miss");
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
    const status: CacheStatus = plan.mode === "lookup" ? "miss" : plan.mode;
    const result = { ...(await next(round)), cacheStatus: status };
    await cache.store(plan, result);
    return result;
  };
}
