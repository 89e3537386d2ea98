import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { EmbeddingCache } from "../cache/embedding-cache.js";
import type { CacheStats, ResponseCache } from "../cache/response-cache.js";
import { requireAdmin } from "./auth.js";
import {
  type CacheService,
  CacheStatsSchema,
  ClearCacheResponseSchema,
  GetCacheStatsResponseSchema,
  SemanticVerificationSchema,
} from "../../gen/ts/llmgateway/v1/cache_service_pb.js";

const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);

/**
 * The CacheService: statistics and clearing, overall or per tenant. Clearing empties the embedding
 * cache too (its entries are counted in `removed`); the statistics are the response cache's.
 */
export function createCacheService(cache: ResponseCache, vectors?: EmbeddingCache): ServiceImpl<typeof CacheService> {
  return {
    async getCacheStats(req, ctx) {
      requireAdmin(ctx);
      const stats = toStats(await cache.stats(req.tenant || undefined));
      stats.verification = [...(cache.verification?.() ?? [])].map(([model, c]) =>
        create(SemanticVerificationSchema, {
          model,
          served: BigInt(c.served),
          servedTrusted: BigInt(c.servedTrusted),
          servedVerified: BigInt(c.servedVerified),
          audited: BigInt(c.audited),
          verified: BigInt(c.verified),
          refused: BigInt(c.refused),
          failed: BigInt(c.failed),
          estimatedErrorRate: c.served > 0 ? c.estimatedWrong / c.served : 0,
        }),
      );
      return create(GetCacheStatsResponseSchema, { stats });
    },
    async clearCache(req, ctx) {
      requireAdmin(ctx);
      const tenant = req.tenant || undefined;
      const [answers, embeddings] = await Promise.all([cache.clear(tenant), vectors?.clear(tenant) ?? 0]);
      return create(ClearCacheResponseSchema, { removed: BigInt(answers + embeddings) });
    },
  };
}

export function toStats(s: CacheStats) {
  const lookedUp = s.hitsExact + s.hitsSemantic + s.coalesced + s.misses;
  return create(CacheStatsSchema, {
    store: s.store,
    entries: BigInt(s.entries),
    bytes: BigInt(s.bytes),
    semanticEntries: BigInt(s.semanticEntries),
    hitsExact: BigInt(s.hitsExact),
    hitsSemantic: BigInt(s.hitsSemantic),
    misses: BigInt(s.misses),
    bypassed: BigInt(s.bypassed),
    coalesced: BigInt(s.coalesced),
    hitRatio: ratio(s.hitsExact + s.hitsSemantic + s.coalesced, lookedUp),
    exactHitRatio: ratio(s.hitsExact, lookedUp),
    semanticHitRatio: ratio(s.hitsSemantic, lookedUp),
    tokensSaved: BigInt(s.tokensSaved),
    costSavedUsd: s.costSavedUsd,
    stored: BigInt(s.stored),
    errors: BigInt(s.errors),
  });
}
