import { bucketOf, correctAt, countOf, fitSigmoid, type Observations, type SigmoidFit } from "./verify-model.js";

/** How a verified cache decides, for one model and tenant. */
export interface VerifyPolicy {
  /** The error rate the operator accepts: a candidate is served only while the bound on its error is at most this. */
  delta: number;
  /** Standard errors the bound sits below the estimate (1.645 for one-sided 95%). */
  z: number;
  /** Observations an entry needs before its own model decides; until then the pool's does. */
  minObservations: number;
  /**
   * bound: serve only when the bound on the error is at most δ (never a gamble on one answer);
   * randomized: the vCache paper's rule, which also serves an uncertain candidate with probability
   * δ / (1 − lower bound), keeping the expected error rate at δ while serving more.
   */
  rule: "bound" | "randomized";
}

export interface Decision {
  action: "serve" | "explore";
  /**
   * Why, for logs and tests. trusted: a confident candidate (at or above the threshold, passed by the guard)
   * served on the static layer's word; audit: one explored instead, to check that word (verify-trust.ts).
   */
  reason:
    | "too few observations"
    | "entry was wrong at this similarity"
    | "bound under 1 − δ"
    | "bound met"
    | "randomized"
    | "trusted"
    | "audit";
  /** Whose observations decided: the entry's own, every entry's of the model and tenant, or the static layer's word. */
  basis?: "entry" | "pool" | "guard";
  /** The point estimate and the lower bound of P(correct | s), when a model was fitted. */
  p?: number;
  lower?: number;
}

/**
 * Serve or explore a candidate at similarity s. The entry's own model serves
 * it once its bound allows. Until then the pool (what verification has seen
 * across the model's entries, for this tenant) speaks for an entry with a
 * clean record at this similarity: none of its own observations at s or
 * closer disagreed. An entry that was wrong that close is served only on its
 * own evidence.
 */
export function decide(
  entry: Observations | undefined,
  pool: Observations | undefined,
  s: number,
  policy: VerifyPolicy,
  random: () => number,
  fitOf: (obs: Observations, basis: "entry" | "pool") => SigmoidFit | undefined = (obs) => fitSigmoid(obs),
): Decision {
  const at = bucketOf(s);
  const bound = (basis: "entry" | "pool", obs: Observations | undefined) => {
    if (countOf(obs) < policy.minObservations) return undefined;
    const model = fitOf(obs!, basis);
    if (!model) return undefined;
    const { p } = correctAt(model, s, policy.z);
    // P(correct) does not fall as the query comes closer, so the bound at an observed similarity below s
    // holds at s too; above the data the curve's bound widens, and this keeps what the data showed.
    let lower = correctAt(model, s, policy.z).lower;
    for (const bucket of obs!.keys()) if (bucket <= at) lower = Math.max(lower, correctAt(model, bucket / 1000, policy.z).lower);
    return { basis, p, lower };
  };
  const own = bound("entry", entry);
  if (own && 1 - own.lower <= policy.delta) return { action: "serve", reason: "bound met", ...own };
  let clean = true;
  if (entry) for (const [bucket, { bad }] of entry) if (bad > 0 && bucket >= at) clean = false;
  const pooled = clean ? bound("pool", pool) : undefined;
  if (pooled && 1 - pooled.lower <= policy.delta) return { action: "serve", reason: "bound met", ...pooled };
  const best = pooled && (!own || pooled.lower > own.lower) ? pooled : own;
  if (!best) return { action: "explore", reason: clean ? "too few observations" : "entry was wrong at this similarity" };
  // P(wrong answer served) = P(serve) · P(wrong) ≤ δ / (1 − lower) · (1 − lower) = δ, while the bound holds.
  if (policy.rule === "randomized" && random() < policy.delta / (1 - best.lower)) return { action: "serve", reason: "randomized", ...best };
  return { action: "explore", reason: "bound under 1 − δ", ...best };
}
