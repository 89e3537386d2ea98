import { LRUCache } from "lru-cache";
import type { Logger } from "../../log.js";
import type { AnswerComparator } from "./verify-compare.js";
import { fingerprintOf, fitSigmoid, normalQuantile, type Observations, type SigmoidFit } from "./verify-model.js";
import { decide, type Decision, type VerifyPolicy } from "./verify-policy.js";
import type { VerifyStore } from "./verify-store.js";
import { trustGuard } from "./verify-trust.js";

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
  /**
   * guard: a candidate at or above the embedder's threshold (which the guard passed) is served at once unless
   * verification evidence contradicts it (verify-trust.ts); none: every candidate waits for the bound.
   */
  trust: "guard" | "none";
  /** The share of trusted candidates explored instead, so that the pool learns how right the static layer is. */
  auditRate: number;
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
  /** Candidates served from the cache: servedTrusted + servedVerified. */
  served: number;
  /** Served on the static layer's word (at or above the threshold, passed by the guard, not contradicted). */
  servedTrusted: number;
  /** Served because the learnt bound allowed it. */
  servedVerified: number;
  /** Trusted candidates explored instead, to check the static layer (also counted as verified or refused once compared). */
  audited: number;
  /** Candidates explored whose fresh answer agreed with the cached one. */
  verified: number;
  /** Candidates explored whose fresh answer did not: serving would have been wrong. */
  refused: number;
  /** Explored candidates the comparator could not judge (not recorded). */
  failed: number;
  /**
   * The sum, over served candidates, of the estimate that the answer was wrong: the fitted curve's for a verified
   * one, the share of disagreements among the audits around its similarity for a trusted one.
   */
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
  /** The embedder's similarity threshold: the static layer's confident candidates are those at or above it. */
  threshold?: number | undefined;
  /** Uniform in [0, 1), for audits and the randomized rule; injected so that tests are repeatable. */
  random?: () => number;
}): Verifier {
  const { settings, store, comparator, logger, threshold } = options;
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
      byModel.set(
        model,
        (c = { served: 0, servedTrusted: 0, servedVerified: 0, audited: 0, verified: 0, refused: 0, failed: 0, estimatedWrong: 0 }),
      );
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
      const policy = policyFor(c.tenant, c.model);
      const k = counters(c.model);
      if (settings.trust === "guard" && threshold !== undefined && c.similarity >= threshold) {
        const t = trustGuard(entry, pool, c.similarity, threshold, policy.delta, z);
        if (t.trusted) {
          const p = t.n > 0 ? 1 - t.bad / t.n : 1;
          if (random() < settings.auditRate) {
            k.audited++;
            return { action: "explore", reason: "audit", basis: "guard", p };
          }
          k.served++;
          k.servedTrusted++;
          k.estimatedWrong += 1 - p;
          return { action: "serve", reason: "trusted", basis: "guard", p };
        }
        // Contradicted: the candidate is vCache's to decide, like one below the threshold.
      }
      const d = decide(entry, pool, c.similarity, policy, random, (obs, basis) => fitFor(ids[basis], obs));
      if (d.action === "serve") {
        k.served++;
        k.servedVerified++;
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
