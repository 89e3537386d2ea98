/**
 * What verification has learnt about one cached entry (or about every entry of a
 * model, the pool): how many times a query at a given similarity to it was
 * answered the same (ok) or differently (bad) by the upstream. Similarities are
 * kept in thousandths, so an entry's state is bounded (at most 2,001 buckets)
 * whatever its traffic, and a bucket is one Redis hash field.
 */
export type Observations = Map<number, { ok: number; bad: number }>;

/** The bucket a similarity falls in: thousandths, clamped to [-1, 1]. */
export const bucketOf = (similarity: number): number => Math.max(-1000, Math.min(1000, Math.round(similarity * 1000)));

export function countOf(obs: Observations | undefined): number {
  let n = 0;
  if (obs) for (const { ok, bad } of obs.values()) n += ok + bad;
  return n;
}

/** Adds one observation in place (the memory store and the tests). */
export function observe(obs: Observations, similarity: number, correct: boolean): void {
  const b = bucketOf(similarity);
  const o = obs.get(b) ?? { ok: 0, bad: 0 };
  if (correct) o.ok++;
  else o.bad++;
  obs.set(b, o);
}

/**
 * The fitted model P(correct | s) = σ(a + b·(s − c)), with b ≥ 0 (a query closer to
 * the entry is never less likely to share its answer) and the curvature of the
 * log posterior at its mode, whose inverse is the Laplace approximation of the
 * parameters' covariance. The threshold of the vCache paper is t = c − a/b, its
 * steepness γ = b.
 */
export interface SigmoidFit {
  a: number;
  b: number;
  /** The centre the slope is measured from: the observations' mean similarity, for a well-conditioned fit. */
  c: number;
  /** Posterior covariance [[aa, ab], [ab, bb]]. */
  cov: [number, number, number];
}

/**
 * The prior: weakly informative, centred on "no idea" (P = 0.5 at the
 * observations' mean similarity). It keeps the fit finite when the observations
 * are all agreements, all disagreements or perfectly separated (the usual cases
 * with few observations, where plain maximum likelihood runs to infinity), and it
 * makes the bound more cautious, never less: with n agreements and nothing else,
 * the lower bound reaches 0.95 only after about 100 (an exact binomial bound
 * would take 59).
 */
const PRIOR_SD_A = 2.5;
const PRIOR_SD_B = 50;

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * Fits the model by Newton's method on the log posterior, with step halving; undefined when there is
 * nothing to fit. `start`, a fit of fewer of the same observations, saves most of the iterations.
 */
export function fitSigmoid(obs: Observations, start?: SigmoidFit): SigmoidFit | undefined {
  const rows: [x: number, ok: number, bad: number][] = [];
  let n = 0;
  let sum = 0;
  for (const [bucket, { ok, bad }] of obs) {
    if (ok + bad === 0) continue;
    rows.push([bucket / 1000, ok, bad]);
    n += ok + bad;
    sum += (bucket / 1000) * (ok + bad);
  }
  if (n === 0) return undefined;
  const c = sum / n;
  const la = 1 / PRIOR_SD_A ** 2;
  const lb = 1 / PRIOR_SD_B ** 2;

  const logPosterior = (a: number, b: number): number => {
    let l = -0.5 * (la * a * a + lb * b * b);
    for (const [s, ok, bad] of rows) {
      const eta = a + b * (s - c);
      // log σ(η) and log(1 − σ(η)), written to stay finite for large |η|.
      const logP = -Math.log1p(Math.exp(-Math.abs(eta))) + Math.min(0, eta);
      const logQ = -Math.log1p(Math.exp(-Math.abs(eta))) + Math.min(0, -eta);
      l += ok * logP + bad * logQ;
    }
    return l;
  };

  const curvature = (a: number, b: number) => {
    let ga = -la * a;
    let gb = -lb * b;
    let haa = la;
    let hab = 0;
    let hbb = lb;
    for (const [s, ok, bad] of rows) {
      const x = s - c;
      const p = sigmoid(a + b * x);
      const r = ok - (ok + bad) * p;
      const w = (ok + bad) * p * (1 - p);
      ga += r;
      gb += r * x;
      haa += w;
      hab += w * x;
      hbb += w * x * x;
    }
    return { ga, gb, haa, hab, hbb };
  };

  // A previous fit's curve, re-centred: the same a + b·(s − c) about the new centre.
  let a = start ? start.a + start.b * (c - start.c) : 0;
  let b = start?.b ?? 0;
  let current = logPosterior(a, b);
  for (let iter = 0; iter < 100; iter++) {
    const { ga, gb, haa, hab, hbb } = curvature(a, b);
    const det = haa * hbb - hab * hab;
    let da = (hbb * ga - hab * gb) / det;
    let db = (haa * gb - hab * ga) / det;
    let improved = false;
    for (let half = 0; half < 30; half++) {
      // The slope stays at or above zero: a fit that wants it negative gets a flat curve.
      const na = a + da;
      const nb = Math.max(0, b + db);
      const next = logPosterior(na, nb);
      if (next >= current) {
        improved = Math.abs(na - a) + Math.abs(nb - b) > 1e-9;
        a = na;
        b = nb;
        current = next;
        break;
      }
      da /= 2;
      db /= 2;
    }
    if (!improved) break;
  }
  const { haa, hab, hbb } = curvature(a, b);
  const det = haa * hbb - hab * hab;
  return { a, b, c, cov: [hbb / det, -hab / det, haa / det] };
}

/**
 * Identifies a set of observations, for reusing its fit: an entry's observations only grow (until it
 * expires), so their count, with the sums that change with each new one, tells one state from another.
 */
export function fingerprintOf(obs: Observations): string {
  let n = 0;
  let ok = 0;
  let bad = 0;
  for (const [bucket, o] of obs) {
    n += o.ok + o.bad;
    ok += bucket * o.ok;
    bad += bucket * o.bad;
  }
  return `${n}:${ok}:${bad}`;
}

/** The point estimate of P(correct | s) and its one-sided lower confidence bound, z standard errors down on the logit scale. */
export function correctAt(fit: SigmoidFit, s: number, z: number): { p: number; lower: number } {
  const x = s - fit.c;
  const eta = fit.a + fit.b * x;
  const [vaa, vab, vbb] = fit.cov;
  const sd = Math.sqrt(Math.max(0, vaa + 2 * vab * x + vbb * x * x));
  return { p: sigmoid(eta), lower: sigmoid(eta - z * sd) };
}

/** Φ⁻¹(q): the standard normal quantile, by bisection on an erf approximation (absolute error under 1e-6). */
export function normalQuantile(q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile ${q} is not in (0, 1)`);
  const erf = (x: number): number => {
    // Abramowitz and Stegun 7.1.26, error under 1.5e-7.
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  };
  const cdf = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
