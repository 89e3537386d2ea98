import { describe, expect, it } from "vitest";
import { bucketOf, correctAt, countOf, fitSigmoid, normalQuantile, observe, type Observations } from "./verify-model.js";
import { decide, type VerifyPolicy } from "./verify-policy.js";

const z95 = normalQuantile(0.95);
const policy = (over: Partial<VerifyPolicy> = {}): VerifyPolicy => ({ delta: 0.05, z: z95, minObservations: 8, rule: "bound", ...over });
const never = () => 1;

/** n observations at similarity s, all with the same label. */
function many(n: number, s: number, correct: boolean, obs: Observations = new Map()): Observations {
  for (let i = 0; i < n; i++) observe(obs, s, correct);
  return obs;
}

describe("the normal quantile", () => {
  it.each([
    [0.5, 0],
    [0.95, 1.6448536],
    [0.975, 1.959964],
    [0.99, 2.3263479],
    [0.05, -1.6448536],
  ])("Φ⁻¹(%s) = %s", (q, z) => {
    expect(normalQuantile(q)).toBeCloseTo(z, 5);
  });

  it("refuses a probability outside (0, 1)", () => {
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe("the sigmoid model of P(correct | similarity)", () => {
  it("keeps similarities in thousandths, so that an entry's state is bounded", () => {
    expect([bucketOf(0.91249), bucketOf(0.9125), bucketOf(1.2), bucketOf(-3)]).toEqual([912, 913, 1000, -1000]);
    const obs = many(3, 0.9001, true, many(2, 0.9004, false));
    expect(obs.size).toBe(1);
    expect(countOf(obs)).toBe(5);
  });

  it("finds the threshold where answers stop agreeing, steep when the data are", () => {
    const obs: Observations = new Map();
    // Agreement above 0.9, disagreement below, spread over 0.8 to 1.
    for (let i = 0; i < 400; i++) {
      const s = 0.8 + ((i * 0.618034) % 1) * 0.2;
      observe(obs, s, s > 0.9);
    }
    const fit = fitSigmoid(obs)!;
    const t = fit.c - fit.a / fit.b;
    expect(t).toBeGreaterThan(0.89);
    expect(t).toBeLessThan(0.91);
    expect(fit.b).toBeGreaterThan(100);
    expect(correctAt(fit, 0.95, z95).lower).toBeGreaterThan(0.99);
    expect(correctAt(fit, 0.85, z95).p).toBeLessThan(0.01);
  });

  it("stays finite and cautious when every observation agrees (plain maximum likelihood would not)", () => {
    const fit = fitSigmoid(many(10, 0.9, true))!;
    expect(Number.isFinite(fit.a) && Number.isFinite(fit.b)).toBe(true);
    const { p, lower } = correctAt(fit, 0.9, z95);
    expect(p).toBeGreaterThan(0.8);
    expect(lower).toBeLessThan(0.9);
  });

  it("never learns a falling curve: disagreements above agreements give a flat one", () => {
    const obs = many(20, 0.95, false, many(20, 0.85, true));
    const fit = fitSigmoid(obs)!;
    expect(fit.b).toBe(0);
    expect(correctAt(fit, 0.99, z95).p).toBeCloseTo(correctAt(fit, 0.8, z95).p, 6);
  });

  it("grows more certain with more of the same evidence", () => {
    const lowers = [10, 40, 160].map((n) => correctAt(fitSigmoid(many(n, 0.9, true))!, 0.9, z95).lower);
    expect(lowers[0]).toBeLessThan(lowers[1]!);
    expect(lowers[1]).toBeLessThan(lowers[2]!);
  });
});

describe("serve or explore", () => {
  it("explores an entry nobody has verified, and a pool too young to speak for it", () => {
    expect(decide(undefined, undefined, 0.99, policy(), never)).toMatchObject({ action: "explore", reason: "too few observations" });
    expect(decide(new Map(), many(7, 0.99, true), 0.99, policy(), never).action).toBe("explore");
  });

  it("serves once the bound on the error is under δ, and not for a similarity below what was seen", () => {
    const entry = many(150, 0.9, true);
    expect(decide(entry, undefined, 0.9, policy(), never)).toMatchObject({ action: "serve", basis: "entry" });
    // Further from the entry than anything verified: the bound widens past δ.
    expect(decide(entry, undefined, 0.75, policy(), never).action).toBe("explore");
    // A stricter δ needs more evidence than 150 agreements.
    expect(decide(entry, undefined, 0.9, policy({ delta: 0.005 }), never).action).toBe("explore");
  });

  it("lets a young entry be served on the pool's evidence, unless it was itself wrong this close", () => {
    const pool = many(300, 0.92, true);
    expect(decide(new Map(), pool, 0.95, policy(), never)).toMatchObject({ action: "serve", basis: "pool" });
    const burnt = many(1, 0.96, false);
    expect(decide(burnt, pool, 0.95, policy(), never)).toMatchObject({ action: "explore", reason: "entry was wrong at this similarity" });
    // Wrong further out says nothing against a closer query.
    expect(decide(many(1, 0.93, false), pool, 0.95, policy(), never).action).toBe("serve");
  });

  it("lets the pool speak for an entry with a record of its own, but never past a disagreement that close", async () => {
    const pool = many(1000, 0.9, true);
    // Wrong at 0.9 and below, right above: clean at 0.95, so the pool's confidence applies.
    const sharp = many(4, 0.91, true, many(8, 0.9, false));
    expect(decide(sharp, pool, 0.95, policy(), never)).toMatchObject({ action: "serve", basis: "pool" });
    // Wrong at 0.96: at 0.95 only its own observations speak, and they do not allow it.
    const burnt = many(12, 0.92, true, many(3, 0.96, false));
    expect(decide(burnt, pool, 0.95, policy(), never)).toMatchObject({ action: "explore", reason: "bound under 1 − δ", basis: "entry" });
  });

  it("randomized: serves an uncertain candidate with probability δ / (1 − lower bound), never above 1", () => {
    const entry = many(10, 0.9, true);
    const d = decide(entry, undefined, 0.9, policy(), never);
    expect(d.action).toBe("explore");
    const chance = 0.05 / (1 - d.lower!);
    const just = (u: number) => decide(entry, undefined, 0.9, policy({ rule: "randomized" }), () => u);
    expect(just(chance * 0.99)).toMatchObject({ action: "serve", reason: "randomized" });
    expect(just(chance * 1.01).action).toBe("explore");
  });
});
