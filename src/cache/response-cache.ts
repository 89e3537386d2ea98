import type { Clock } from "../core/clock.js";
import type { ChatResult } from "../core/types.js";
import type { Logger } from "../log.js";
import { exactKey, semanticScope } from "./key.js";
import type { CacheCounters, CachePlan, CacheSettings, ResponseCache } from "./response-cache-types.js";
import type { SemanticIndex } from "./semantic/index.js";
import type { Verifier } from "./semantic/verify.js";
import { cachedAnswerOf, type CacheStore, type CachedAnswer } from "./store.js";

export type { CacheCounters, CacheHit, CachePlan, CacheSettings, CacheStats, ResponseCache } from "./response-cache-types.js";

const zero = (): CacheCounters => ({
  hitsExact: 0,
  hitsSemantic: 0,
  misses: 0,
  bypassed: 0,
  coalesced: 0,
  stored: 0,
  errors: 0,
  tokensSaved: 0,
  costSavedUsd: 0,
});

/** Tenants whose counters are kept apart; later ones are counted together under OTHER_TENANTS. */
const MAX_COUNTED_TENANTS = 10_000;
const OTHER_TENANTS = "(other tenants)";

// Prompts longer than this are cached exactly, never by meaning: paraphrase detection is for
// questions, and embedding a document costs more than it could save.
const MAX_SEMANTIC_QUERY_CHARS = 4096;

// Answers that say nothing reliable about the next identical request.
const UNCACHEABLE_FINISH = new Set(["content_filter", "unspecified"]);

export interface ResponseCacheOptions {
  settings: CacheSettings;
  store: CacheStore;
  semantic?: SemanticIndex | undefined;
  /** Decides whether a semantic match is served or verified; absent, every match passing the threshold and guard is served. */
  verifier?: Verifier | undefined;
  clock: Clock;
  logger: Logger;
}

/** What a comparator reads of an answer: its text, and its tool calls if it made any. */
function answerText(m: CachedAnswer["message"]): string {
  const calls = m.toolCalls?.map((c) => `${c.name}(${c.argumentsJson})`).join("\n");
  return calls ? `${m.content}\n${calls}` : m.content;
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { settings, store, semantic, verifier, clock, logger } = options;
  const total = zero();
  const byTenant = new Map<string, CacheCounters>();
  let lastWarning = -Infinity;

  function counters(tenant: string): CacheCounters {
    let c = byTenant.get(tenant);
    if (!c) {
      // On an open gateway the tenant is the request's user, the caller's to invent: keep a bounded number apart.
      if (byTenant.size >= MAX_COUNTED_TENANTS && tenant !== OTHER_TENANTS) return counters(OTHER_TENANTS);
      byTenant.set(tenant, (c = zero()));
    }
    return c;
  }

  function bump(tenant: string, field: keyof CacheCounters, by = 1): void {
    total[field] += by;
    counters(tenant)[field] += by;
  }

  /** A store that fails costs a miss and one warning every 10 s, never a request. */
  function failed(op: string, err: unknown, tenant: string): void {
    bump(tenant, "errors");
    const now = clock.monotonic();
    if (now - lastWarning < 10_000) return;
    lastWarning = now;
    logger.warn("cache store failed; serving without the cache", {
      op,
      store: store.kind,
      error: err instanceof Error ? err.message : String(err),
    });
  }

  /**
   * Compares an explored candidate's cached answer with the fresh one and records what it shows. A fresh
   * answer that differs becomes an entry of its own (as a plain miss's would); one that agrees does not,
   * so that later queries keep meeting the entry whose record they extend.
   */
  function verify(plan: CachePlan, explore: NonNullable<CachePlan["explore"]>, result: ChatResult): void {
    verifier!
      .settle(explore.candidate, answerText(explore.cached.message), answerText(result.message))
      .then(async (same) => {
        if (same !== true && plan.store && plan.semantic && semantic)
          await semantic.add(plan.tenant, plan.semantic.scope, plan.semantic.query, plan.key, plan.ttlMs);
      })
      .catch((err: unknown) => failed("verify", err, plan.tenant));
  }

  // Read once: whether the cache is on needs a restart. The other settings are read per call, as a reload may change them.
  const enabled = settings.enabled;

  return {
    plan(request, model, tenant, maxTokens) {
      const opts = request.cache;
      const ttlMs = Math.min(opts?.ttlSeconds ?? settings.ttlSeconds, settings.maxTtlSeconds) * 1000;
      if (!enabled) return { tenant, ttlMs, mode: "disabled", key: "", flight: "", store: false };
      const eligible = opts?.force === true || settings.cacheWhen === "all" || request.temperature === 0;
      // A request that is neither looked up nor stored is not hashed at all.
      if (!eligible) return { tenant, ttlMs, mode: "bypass", key: "", flight: "", store: false };
      const key = exactKey(model.name, request, maxTokens);
      const plan: CachePlan = {
        tenant,
        ttlMs,
        mode: opts?.noCache ? "bypass" : "lookup",
        key,
        flight: `${tenant}\u0000${key}`,
        store: !opts?.noStore,
      };
      const last = request.messages.at(-1);
      if (
        semantic &&
        !opts?.noSemantic &&
        last?.role === "user" &&
        // Its text alone is compared: a question about an image, a file or audio is never matched by meaning.
        !last.parts?.some((p) => p.type !== "text") &&
        last.content.trim().length > 0 &&
        last.content.length <= MAX_SEMANTIC_QUERY_CHARS
      ) {
        plan.semantic = {
          scope: semanticScope(tenant, model.name, request, maxTokens),
          query: last.content,
          model: model.name,
          context: request.messages.slice(0, -1),
        };
      }
      return plan;
    },

    async lookup(plan) {
      if (plan.mode !== "lookup") return undefined;
      try {
        const exact = await store.get(plan.tenant, plan.key);
        if (exact) return { kind: "hit_exact", answer: exact };
        if (!plan.semantic || !semantic) return undefined;
        const found = await semantic.find(plan.tenant, plan.semantic.scope, plan.semantic.query, plan.semantic.context);
        if (!found) return undefined;
        const answer = await store.get(plan.tenant, found.key);
        // The answer expired or was evicted after the index saw it: a miss, and the entry goes.
        if (!answer) {
          semantic.forget(plan.tenant, plan.semantic.scope, found.key);
          return undefined;
        }
        if (verifier) {
          const { query, model } = plan.semantic;
          const ttlMs = Math.max(1, (found.expiresAt ?? clock.now() + plan.ttlMs) - clock.now());
          const candidate = {
            tenant: plan.tenant,
            model,
            key: found.key,
            similarity: found.similarity,
            query,
            cachedQuery: found.query,
            ttlMs,
          };
          if ((await verifier.decide(candidate)).action === "explore") {
            plan.explore = { candidate, cached: answer };
            return undefined;
          }
        }
        return { kind: "hit_semantic", answer, matched: { query: found.query, similarity: found.similarity } };
      } catch (err) {
        failed("lookup", err, plan.tenant);
        return undefined;
      }
    },

    async store(plan, result) {
      const reliable = !UNCACHEABLE_FINISH.has(result.finishReason);
      const { explore } = plan;
      // Nobody waits for the comparison either (a judge model takes a call of its own).
      if (explore && verifier && reliable) verify(plan, explore, result);
      if (!plan.store || plan.mode === "disabled" || !reliable) return;
      const answer = cachedAnswerOf(result, clock.now());
      try {
        await store.set(plan.tenant, plan.key, answer, plan.ttlMs);
        bump(plan.tenant, "stored");
      } catch (err) {
        failed("store", err, plan.tenant);
        return;
      }
      // Indexing may embed the query (milliseconds with a local model): nobody waits for it. An explored
      // query is indexed once verification has found its answer differs from its neighbour's.
      if (plan.semantic && semantic && !explore) {
        semantic
          .add(plan.tenant, plan.semantic.scope, plan.semantic.query, plan.key, plan.ttlMs)
          .catch((err: unknown) => failed("semantic index", err, plan.tenant));
      }
    },

    record(tenant, result) {
      const status = result.cacheStatus;
      if (status === "hit_exact") bump(tenant, "hitsExact");
      else if (status === "hit_semantic") bump(tenant, "hitsSemantic");
      else if (status === "miss") bump(tenant, "misses");
      else if (status === "bypass") bump(tenant, "bypassed");
      else if (status === "coalesced") bump(tenant, "coalesced");
      if (result.savedCostUsd !== undefined) {
        bump(tenant, "tokensSaved", result.usage.inputTokens + result.usage.outputTokens);
        bump(tenant, "costSavedUsd", result.savedCostUsd);
      }
    },

    counters: () => ({ ...total, semanticEntries: semantic?.size() ?? 0 }),

    verification: () => verifier?.counters() ?? new Map(),

    async stats(tenant) {
      const c = tenant === undefined ? total : (byTenant.get(tenant) ?? zero());
      const size = await store.size(tenant).catch((err: unknown) => {
        failed("size", err, tenant ?? "");
        return { entries: 0, bytes: 0 };
      });
      return { ...c, ...size, store: store.kind, semanticEntries: semantic?.size(tenant) ?? 0 };
    },

    async clear(tenant) {
      await semantic?.clear(tenant);
      await verifier?.clear(tenant);
      return store.clear(tenant);
    },

    async warm() {
      await semantic?.warm();
    },

    async close() {
      await semantic?.close();
      await store.close();
    },
  };
}
