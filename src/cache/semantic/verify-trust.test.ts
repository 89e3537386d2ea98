import { describe, expect, it } from "vitest";
import { normalQuantile, type Observations, observe } from "./verify-model.js";
import { trustGuard, wilsonLower } from "./verify-trust.js";

const z95 = normalQuantile(0.95);

/** Observations from [similarity, agreed] pairs. */
function obs(...rows: [number, boolean][]): Observations {
  const o: Observations = new Map();
  for (const [s, ok] of rows) observe(o, s, ok);
  return o;
}
const repeat = (n: number, s: number, ok: boolean): [number, boolean][] => Array.from({ length: n }, () => [s, ok]);

describe("wilsonLower", () => {
  it.each([
    [0, 0, 0],
    [0, 100, 0],
    [1, 1, 0.2699],
    [5, 100, 0.0245],
    [1, 25, 0.0089],
  ])("%s bad in %s: a lower bound of about %s", (bad, n, expected) => {
    expect(wilsonLower(bad, n, z95)).toBeCloseTo(expected, 3);
  });

  it("never exceeds the observed rate, and closes on it as observations grow", () => {
    for (const n of [10, 100, 1000, 10_000]) expect(wilsonLower(n / 20, n, z95)).toBeLessThan(0.05);
    expect(wilsonLower(500, 10_000, z95)).toBeGreaterThan(0.045);
  });
});

describe("trustGuard", () => {
  it("trusts a confident candidate nothing is known about", () => {
    expect(trustGuard(undefined, undefined, 0.9, 0.85, 0.01, z95)).toMatchObject({ trusted: true, n: 0 });
  });

  it("stops trusting an entry that was wrong at this similarity or closer, not one wrong only further out", () => {
    expect(trustGuard(obs([0.93, false]), undefined, 0.9, 0.85, 0.01, z95)).toMatchObject({
      trusted: false,
      why: "entry was wrong at this similarity",
    });
    expect(trustGuard(obs([0.88, false]), undefined, 0.9, 0.85, 0.01, z95).trusted).toBe(true);
  });

  it("stops trusting once the pool's audits put the error around s likely above δ, and not on one slip among many", () => {
    const wrongOften = obs(...repeat(95, 0.9, true), ...repeat(5, 0.91, false));
    expect(trustGuard(undefined, wrongOften, 0.9, 0.85, 0.01, z95)).toMatchObject({
      trusted: false,
      why: "pool error above δ",
      n: 100,
      bad: 5,
    });
    const oneSlip = obs(...repeat(99, 0.9, true), [0.92, false]);
    expect(trustGuard(undefined, oneSlip, 0.9, 0.85, 0.01, z95)).toMatchObject({ trusted: true, n: 100, bad: 1 });
    // The same error rate under δ (0.5%) is no evidence against the guard.
    expect(trustGuard(undefined, obs(...repeat(995, 0.95, true), ...repeat(5, 0.95, false)), 0.95, 0.85, 0.01, z95).trusted).toBe(true);
  });

  it("reads only the trusted band around s: not vCache's explorations below the threshold, nor far below s", () => {
    const belowThreshold = obs(...repeat(50, 0.8, false));
    expect(trustGuard(undefined, belowThreshold, 0.86, 0.85, 0.01, z95)).toMatchObject({ trusted: true, n: 0 });
    const farBelow = obs(...repeat(50, 0.86, false));
    expect(trustGuard(undefined, farBelow, 0.97, 0.85, 0.01, z95)).toMatchObject({ trusted: true, n: 0 });
    expect(trustGuard(undefined, farBelow, 0.9, 0.85, 0.01, z95).trusted).toBe(false);
  });
});
