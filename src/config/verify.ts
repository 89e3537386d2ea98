import { z } from "zod";

const delta = z.number().gt(0).lt(1);

/**
 * cache.semantic.verify: verified semantic caching (src/cache/semantic/verify.ts).
 * On by default whenever the semantic cache is on: a threshold and a guard alone
 * have no error bound (docs/caching.md), and verification costs a semantic
 * candidate nothing beyond the upstream call a miss makes anyway.
 */
export const verifySchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The error rate accepted: a candidate is served only while the bound on its chance of being wrong is at most δ. */
    delta: delta.default(0.01),
    /** δ per catalogue model and per tenant; the strictest of these and the default applies. */
    models: z.record(z.string(), delta).default({}),
    tenants: z.record(z.string(), delta).default({}),
    /** One-sided confidence of the bound on P(correct | similarity). */
    confidence: z.number().min(0.5).lt(1).default(0.95),
    /** Observations an entry needs before its own model decides; until then every entry's of the model (the pool) does. */
    minObservations: z.number().int().min(1).default(8),
    /**
     * guard (default): a candidate at or above the embedder's threshold that the near-miss guard passed is served at
     * once, unless verification evidence contradicts it (a disagreement of the entry's at that similarity or closer,
     * or audits putting the static layer's error there likely above δ); below the threshold the bound decides.
     * none: every candidate waits for the bound, so a pair seen once is never served (pure vCache).
     */
    trust: z.enum(["guard", "none"]).default("guard"),
    /**
     * The share of trusted candidates explored instead of served (the caller gets the fresh answer, the comparison
     * is recorded), so that the pool learns how often the static layer is wrong, and stops trusting it where that is
     * more often than δ. 0.05 costs a twentieth of the trusted hits; see docs/caching.md "Trusting the guard".
     */
    auditRate: z.number().min(0).max(1).default(0.05),
    /** bound: serve only when the bound allows (default); randomized: also serve uncertain candidates with probability δ/(1 − bound), as the vCache paper does. */
    rule: z.enum(["bound", "randomized"]).default("bound"),
    /**
     * The lowest similarity a candidate needs to be considered (then served or explored); by default the
     * embedder's threshold minus 0.1, so that entries learn how far below the threshold their answer still holds.
     */
    minSimilarity: z.number().min(-1).max(1).optional(),
    /**
     * How a fresh answer is compared with the cached one. exact (default): the same text up to case and spacing,
     * never mistaking a wrong hit for a right one; embedding: the semantic embedder on the answers at
     * answerThreshold plus the near-miss guard; judge: judgeModel, a catalogue chat model, through the gateway.
     */
    comparator: z.enum(["exact", "embedding", "judge"]).default("exact"),
    answerThreshold: z.number().min(0).max(1).default(0.97),
    judgeModel: z.string().optional(),
    /** Entries whose observations each replica keeps with the memory store; Redis keeps them with the entry. */
    maxEntries: z.number().int().positive().default(100_000),
  })
  .strict()
  .prefault({});
