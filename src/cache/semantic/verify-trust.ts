import { bucketOf, type Observations } from "./verify-model.js";

/**
 * How far below a candidate's similarity the pool's observations still speak
 * for it. The static layer's mistakes are structural (a role swapped, a
 * qualifier added, 9 am for 9 pm), not a matter of distance: a near miss the
 * guard let through at 0.90 says about as much about the guard as one at 0.93.
 * Observations closer than the candidate count too: P(correct) does not fall
 * as the query comes closer, so errors seen there are errors it can make here.
 */
export const TRUST_WINDOW = 0.05;

/** What the static layer's record says about one confident candidate. */
export interface TrustVerdict {
  /** False when the record contradicts the static layer: the candidate goes to vCache's rule instead. */
  trusted: boolean;
  why?: "entry was wrong at this similarity" | "pool error above δ";
  /** Pool observations in the window, and how many of them disagreed. */
  n: number;
  bad: number;
  /** The one-sided lower confidence bound on the error rate in the window (0 with no observations). */
  lowerError: number;
}

/**
 * Wilson's score interval, its lower end: a lower bound on a rate from `bad`
 * failures in `n` trials, z standard errors down. Unlike the normal
 * approximation it is not zero for small counts with a failure in them
 * (1 of 1 gives 0.27 at z = 1.645), and unlike the sigmoid it assumes no
 * shape, so a guard wrong at a flat 5% across the band is seen as such.
 */
export function wilsonLower(bad: number, n: number, z: number): number {
  if (n === 0) return 0;
  const p = bad / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + z2 / n));
}

/**
 * Whether a candidate at or above the embedder's threshold, that the guard
 * passed, is served on the static layer's word. It is, unless verification
 * evidence contradicts it, in the conservative direction: the entry's own
 * record has a disagreement at this similarity or closer, or the pool's
 * observations within the trusted band, from TRUST_WINDOW below s upwards,
 * put the error rate likely above δ (the lower end of its one-sided interval
 * at the configured confidence exceeds δ). A bound, not a point estimate: one
 * disagreement among a few dozen agreements is not yet evidence of an error
 * rate above 1%; but nothing waits for evidence that it is below δ either,
 * which no one-shot pair could ever give.
 */
export function trustGuard(
  entry: Observations | undefined,
  pool: Observations | undefined,
  s: number,
  threshold: number,
  delta: number,
  z: number,
): TrustVerdict {
  const at = bucketOf(s);
  // Only what the static layer itself would have served: candidates below the threshold are vCache's.
  const from = Math.max(bucketOf(threshold), bucketOf(s - TRUST_WINDOW));
  let n = 0;
  let bad = 0;
  if (pool)
    for (const [bucket, o] of pool)
      if (bucket >= from) {
        n += o.ok + o.bad;
        bad += o.bad;
      }
  const lowerError = wilsonLower(bad, n, z);
  if (entry)
    for (const [bucket, o] of entry)
      if (o.bad > 0 && bucket >= at) return { trusted: false, why: "entry was wrong at this similarity", n, bad, lowerError };
  if (lowerError > delta) return { trusted: false, why: "pool error above δ", n, bad, lowerError };
  return { trusted: true, n, bad, lowerError };
}
