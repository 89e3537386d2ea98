import type { ModelEntry } from "../core/catalog.js";
import type { ChatRequest, ChatResult } from "../core/types.js";
import type { Candidate, VerifyCounters } from "./semantic/verify.js";
import type { CacheSize, CachedAnswer } from "./store.js";

/* The response cache's contract (its implementation is response-cache.ts). */

/** What the cache will do for one request, decided before anything runs. */
export interface CachePlan {
  /** disabled: the cache is off; bypass: not looked up (by request, or not deterministic); lookup: looked up. */
  mode: "disabled" | "bypass" | "lookup";
  tenant: string;
  /** The exact key, within the tenant. */
  key: string;
  /** Identical calls in flight share one upstream call: tenant and exact key. */
  flight: string;
  /** Whether the answer is stored afterwards. */
  store: boolean;
  ttlMs: number;
  /** For the semantic index: the scope (all but the last user message), the query (that message) and the catalogue model. */
  semantic?: { scope: string; query: string; model: string; context?: { role: string; content: string }[] };
  /**
   * Set by lookup when verification explores a semantic candidate: the request goes upstream as on a
   * miss, and once its answer is complete it is compared with the candidate's (store() does it).
   */
  explore?: { candidate: Candidate; cached: CachedAnswer };
}

export interface CacheHit {
  kind: "hit_exact" | "hit_semantic";
  answer: CachedAnswer;
  /** For a semantic hit: the cached query it matched and how closely. */
  matched?: { query: string; similarity: number };
}

/** Counts since start-up, on this replica. */
export interface CacheCounters {
  hitsExact: number;
  hitsSemantic: number;
  misses: number;
  bypassed: number;
  coalesced: number;
  stored: number;
  errors: number;
  tokensSaved: number;
  costSavedUsd: number;
}

export interface CacheStats extends CacheCounters, CacheSize {
  store: "memory" | "redis";
  semanticEntries: number;
}

export interface CacheSettings {
  enabled: boolean;
  ttlSeconds: number;
  maxTtlSeconds: number;
  cacheWhen: "deterministic" | "all";
}

export interface ResponseCache {
  plan(request: ChatRequest, model: ModelEntry, tenant: string, maxTokens: number): CachePlan;
  /** An answer for the plan, exact first, then semantic; never throws (a store failure is a miss). */
  lookup(plan: CachePlan): Promise<CacheHit | undefined>;
  /** Stores a fresh answer if the plan says so, resolving once the exact store has it; never throws. */
  store(plan: CachePlan, result: ChatResult): Promise<void>;
  /** Counts how a request was answered, and what it saved when no upstream call was its own. */
  record(tenant: string, result: ChatResult): void;
  stats(tenant?: string): Promise<CacheStats>;
  /** Verified caching's counters per model, on this replica; empty when verification is off. */
  verification?(): ReadonlyMap<string, Readonly<VerifyCounters>>;
  /** This replica's counters alone: no store round trip. */
  counters(): Readonly<CacheCounters> & { semanticEntries: number };
  clear(tenant?: string): Promise<number>;
  /** Loads the semantic model, if any, so that the first request does not wait for it. */
  warm(): Promise<void>;
  close(): Promise<void>;
}
