import { hash } from "node:crypto";
import type { RedisClient } from "../redis-client.js";
import type { ModelEntry } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { type EmbedRequest, type EmbedResult, type EmbedUsage, vectorFromBase64, vectorToBase64 } from "../core/embeddings.js";
import type { Logger } from "../log.js";
import type { CacheSettings } from "./response-cache.js";
import { createMemoryCacheStore } from "./memory-store.js";
import { createRedisCacheStore } from "./redis-store.js";
import type { CacheStore } from "./store.js";

// Bump when the key's inputs change, so that old entries are never read with a new meaning.
const VERSION = "e1";

/** An embedding call's vectors as the cache keeps them: each vector as base64 of its float32 values. */
export interface CachedVectors {
  vectors: string[];
  model: string;
  provider: string;
  usage: EmbedUsage;
  /** What the original call cost, so what a hit saves. */
  costUsd: number;
  storedAt: number;
}

/** What the cache does for one embedding call, decided before anything runs. */
export interface EmbeddingCachePlan {
  /** disabled: the cache is off; bypass: not looked up (cache.no_cache); lookup: looked up. */
  mode: "disabled" | "bypass" | "lookup";
  tenant: string;
  key: string;
  store: boolean;
  ttlMs: number;
}

/** The vectors of a hit, rebuilt. */
export interface EmbeddingHit {
  vectors: Float32Array[];
  model: string;
  provider: string;
  usage: EmbedUsage;
  costUsd: number;
}

/**
 * The exact cache of embedding calls. An embedding is deterministic, so every call is eligible
 * (temperature and cacheWhen do not apply); it is never answered by meaning: a similar text is
 * not the same vector. Store failures are misses and are logged, never the caller's.
 */
export interface EmbeddingCache {
  plan(request: EmbedRequest, model: ModelEntry, tenant: string): EmbeddingCachePlan;
  lookup(plan: EmbeddingCachePlan): Promise<EmbeddingHit | undefined>;
  store(plan: EmbeddingCachePlan, result: EmbedResult): Promise<void>;
  /** Removes every entry, or one tenant's; returns how many went. */
  clear(tenant?: string): Promise<number>;
}

/**
 * The exact key: the model's catalogue name (aliases share entries), the vector size asked for, and
 * the inputs exactly as sent (no normalising: a trailing space changes a vector).
 */
export function embeddingKey(model: string, request: EmbedRequest): string {
  return hash("sha256", JSON.stringify([VERSION, model, request.dimensions ?? null, request.inputs]), "base64url");
}

export function createEmbeddingCache(options: {
  settings: CacheSettings;
  store: CacheStore<CachedVectors>;
  clock: Clock;
  logger: Logger;
}): EmbeddingCache {
  const { settings, store, clock, logger } = options;
  let lastWarning = -Infinity;

  function failed(op: string, err: unknown): void {
    const now = clock.monotonic();
    if (now - lastWarning < 10_000) return;
    lastWarning = now;
    logger.warn("embedding cache store failed; serving without the cache", {
      op,
      store: store.kind,
      error: err instanceof Error ? err.message : String(err),
    });
  }

  return {
    plan(request, model, tenant) {
      const opts = request.cache;
      const ttlMs = Math.min(opts?.ttlSeconds ?? settings.ttlSeconds, settings.maxTtlSeconds) * 1000;
      if (!settings.enabled) return { mode: "disabled", tenant, key: "", store: false, ttlMs };
      return { mode: opts?.noCache ? "bypass" : "lookup", tenant, key: embeddingKey(model.name, request), store: !opts?.noStore, ttlMs };
    },

    async lookup(plan) {
      if (plan.mode !== "lookup") return undefined;
      try {
        const held = await store.get(plan.tenant, plan.key);
        if (!held) return undefined;
        const { model, provider, usage, costUsd } = held;
        return { vectors: held.vectors.map(vectorFromBase64), model, provider, usage, costUsd };
      } catch (err) {
        failed("lookup", err);
        return undefined;
      }
    },

    async store(plan, result) {
      if (!plan.store || plan.mode === "disabled") return;
      const entry: CachedVectors = {
        vectors: result.vectors.map(vectorToBase64),
        model: result.model,
        provider: result.provider,
        usage: result.usage,
        costUsd: result.costUsd,
        storedAt: clock.now(),
      };
      await store.set(plan.tenant, plan.key, entry, plan.ttlMs).catch((err: unknown) => failed("store", err));
    },

    clear: (tenant) => store.clear(tenant),
  };
}

/**
 * The embedding cache the configuration asks for: the response cache's settings, in a store of its
 * own (memory: bounded like the response cache's; Redis: under its own prefix), so that vectors
 * never crowd out answers nor answers vectors.
 */
export function createEmbeddingCacheOf(
  settings: CacheSettings & { store: "memory" | "redis"; maxEntries: number; maxBytes: number },
  clock: Clock,
  logger: Logger,
  redis: () => RedisClient,
): EmbeddingCache {
  const store =
    settings.store === "redis"
      ? createRedisCacheStore<CachedVectors>(redis(), "llmgw:embed")
      : createMemoryCacheStore<CachedVectors>(clock, settings);
  return createEmbeddingCache({ settings, store, clock, logger });
}
