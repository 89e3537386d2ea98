import { LRUCache } from "lru-cache";
import type { Logger } from "../../log.js";
import type { AnswerComparator } from "./verify-compare.js";
import { fingerprintOf, fitSigmoid, normalQuantile, type Observations, type SigmoidFit } from "./verify-model.js";
import { decide, type Decision, type VerifyPolicy } from "./verify-policy.js";
import type { VerifyStore } from "./verify-store.js";

/** The operator's settings (cache.semantic.verify), δ per model and per tenant beside the default. */
export interface VerifySettings {
  delta: number;
  /** One-sided confidence of the bound, e.g. 0.95. */
  confidence: number;
  minObservations: number;
  rule: VerifyPolicy["rule"];
  /** δ for a model (catalogue name) or a tenant; the strictest that applies wins. */
  models: Record<string, number>;
  tenants: Record<string, number>;
}

/** A semantic match the verifier decides on: the new query, the cached entry it matched, and how closely. */
export interface Candidate {
  tenant: string;
  model: string;
  /** The entry: its exact-cache key. */
  key: string;
  similarity: number;
  query: string;
  cachedQuery: string;
  /** How much longer the entry lives: its observations live as long. */
  ttlMs: number;
}

/** Per model, since start-up on this replica. */
export interface VerifyCounters {
  /** Candidates served from the cache: the bound allowed it. */
  served: number;
  /** Candidates explored whose fresh answer agreed with the cached one. */
  verified: number;
  /** Candidates explored whose fresh answer did not: serving would have been wrong. */
  refused: number;
  /** Explored candidates the comparator could not judge (not recorded). */
  failed: number;
  /** The sum, over served candidates, of the model's estimate that the answer was wrong. */
  estimatedWrong: number;
}

export interface Verifier {
  decide(c: Candidate): Promise<Decision>;
  /** After exploring: compares the answers and records the observation; undefined when the comparator failed. */
  settle(c: Candidate, cached: string, fresh: string): Promise<boolean | undefined>;
  counters(): ReadonlyMap<string, Readonly<VerifyCounters>>;
  clear(tenant?: string): Promise<void>;
}

/** How long a pool (every entry of a model, for one tenant) keeps what it learnt after its last observation. */
export const POOL_TTL_MS = 7 * 86_400_000;

/** Fits kept for reuse, per replica. */
const FITS_KEPT = 10_000;

/** Catalogue models whose counters are kept apart; later ones are counted together. */
const MAX_COUNTED_MODELS = 1_000;

export function createVerifier(options: {
  settings: VerifySettings;
  store: VerifyStore;
  comparator: AnswerComparator;
  logger: Logger;
  /** Uniform in [0, 1), for the randomized rule; injected so that tests are repeatable. */
  random?: () => number;
}): Verifier {
  const { settings, store, comparator, logger } = options;
  const random = options.random ?? Math.random;
  const z = normalQuantile(settings.confidence);
  const byModel = new Map<string, VerifyCounters>();
  const poolOf = (model: string) => `pool:${model}`;
  // The last fit of each entry and pool: reused while nothing new was observed, and the start of the next fit.
  const fits = new LRUCache<string, { fingerprint: string; fit: SigmoidFit }>({ max: FITS_KEPT });
  function fitFor(id: string, obs: Observations): SigmoidFit | undefined {
    const fingerprint = fingerprintOf(obs);
    const last = fits.get(id);
    if (last?.fingerprint === fingerprint) return last.fit;
    const fit = fitSigmoid(obs, last?.fit);
    if (fit) fits.set(id, { fingerprint, fit });
    return fit;
  }

  function counters(model: string): VerifyCounters {
    let c = byModel.get(model);
    if (!c) {
      if (byModel.size >= MAX_COUNTED_MODELS) return counters("(other models)");
      byModel.set(model, (c = { served: 0, verified: 0, refused: 0, failed: 0, estimatedWrong: 0 }));
    }
    return c;
  }

  function policyFor(tenant: string, model: string): VerifyPolicy {
    const delta = Math.min(settings.delta, settings.models[model] ?? 1, settings.tenants[tenant] ?? 1);
    return { delta, z, minObservations: settings.minObservations, rule: settings.rule };
  }

  return {
    async decide(c) {
      const [entry, pool] = await store.get(c.tenant, [c.key, poolOf(c.model)]);
      const ids = { entry: `${c.tenant}\u0000${c.key}`, pool: `${c.tenant}\u0000${poolOf(c.model)}` };
      const d = decide(entry, pool, c.similarity, policyFor(c.tenant, c.model), random, (obs, basis) => fitFor(ids[basis], obs));
      if (d.action === "serve") {
        const k = counters(c.model);
        k.served++;
        k.estimatedWrong += 1 - (d.p ?? 0);
      }
      return d;
    },

    async settle(c, cached, fresh) {
      let same: boolean;
      try {
        same = await comparator.same({ query: c.query, cachedQuery: c.cachedQuery, cached, fresh });
      } catch (err) {
        counters(c.model).failed++;
        logger.warn("semantic cache: the answer comparator failed; the observation is dropped", {
          comparator: comparator.name,
          error: err instanceof Error ? err.message : String(err),
        });
        return undefined;
      }
      counters(c.model)[same ? "verified" : "refused"]++;
      if (!same)
        logger.debug("semantic cache: verification found a candidate's answer differs; it was not served", {
          similarity: Number(c.similarity.toFixed(3)),
          query: c.query,
          cached: c.cachedQuery,
          comparator: comparator.name,
        });
      await store.record(
        c.tenant,
        [
          { id: c.key, ttlMs: c.ttlMs },
          { id: poolOf(c.model), ttlMs: POOL_TTL_MS },
        ],
        c.similarity,
        same,
      );
      return same;
    },

    counters: () => byModel,

    clear: (tenant) => store.clear(tenant),
  };
}
