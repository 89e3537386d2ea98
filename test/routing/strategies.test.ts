import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/core/catalog.js";
import type { DeploymentStats } from "../../src/routing/stats.js";
import { strategies, type StrategyContext } from "../../src/routing/strategies.js";

const dep = (provider: string, input: number, output: number, weight = 1): Deployment => ({
  id: `${provider}/m`,
  provider,
  providerKind: "openai",
  upstreamModel: "m",
  weight,
  priority: 0,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  inputPricePerMillion: input,
  outputPricePerMillion: output,
});

const a = dep("a", 5, 15, 1);
const b = dep("b", 0.5, 1.5, 3);
const c = dep("c", 1, 1, 1);

const stat = (s: Partial<DeploymentStats>): DeploymentStats => ({
  latencyMs: undefined,
  ttftMs: undefined,
  errorRate: 0,
  calls: 10,
  failures: 0,
  lastError: undefined,
  lastErrorAtMs: undefined,
  ...s,
});

/** A seeded health state: a is fast, b is slow to first token but fine overall, c is failing. */
const seeded: Record<string, DeploymentStats> = {
  "a/m": stat({ latencyMs: 100, ttftMs: 20 }),
  "b/m": stat({ latencyMs: 300, ttftMs: 250 }),
  "c/m": stat({ latencyMs: 50, ttftMs: 400, errorRate: 0.9 }),
};

function ctx(overrides: Partial<StrategyContext> = {}): StrategyContext {
  let turn = 0;
  return {
    model: "m",
    stats: (id) => seeded[id],
    random: () => 0,
    nextTurn: () => turn++,
    streaming: false,
    inputTokens: 1000,
    maxTokens: 100,
    ...overrides,
  };
}

const names = (ds: Deployment[]) => ds.map((d) => d.provider).join("");

describe("routing strategies on a seeded health state", () => {
  it.each<[string, keyof typeof strategies, Partial<StrategyContext>, string]>([
    ["fallback keeps priority order", "fallback", {}, "abc"],
    ["cost puts the cheapest for this request first", "cost", {}, "bca"],
    ["cost weighs output by max_tokens", "cost", { inputTokens: 10, maxTokens: 10_000 }, "cba"],
    ["latency ranks unary calls by whole-call latency", "latency", {}, "cab"],
    ["latency ranks streams by time to first token", "latency", { streaming: true }, "abc"],
    ["weighted at r=0 picks the first by weight", "weighted", { random: () => 0 }, "abc"],
    ["weighted at r=0.99 picks the last remaining by weight", "weighted", { random: () => 0.99 }, "cba"],
  ])("%s", (_what, name, overrides, expected) => {
    expect(names(strategies[name]([a, b, c], ctx(overrides)))).toBe(expected);
  });

  it("latency tries an unmeasured deployment first, so that it gets measured", () => {
    const fresh = dep("d", 1, 1);
    expect(names(strategies.latency([a, fresh], ctx()))).toBe("da");
  });

  it("round-robin rotates the start on every call", () => {
    const context = ctx();
    const firsts = [0, 1, 2, 3].map(() => strategies["round-robin"]([a, b, c], context)[0]!.provider);
    expect(firsts.join("")).toBe("abca");
  });

  it("weighted sends traffic by weight × health, and the failing deployment almost none", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[strategies.weighted([a, b, c], ctx({ random }))[0]!.provider]!++;
    // Effective weights: a 1 × 1, b 3 × 1, c 1 × 0.1 (error rate 0.9) → 24%, 73%, 2.4%.
    expect(counts["a"]! / 10_000).toBeCloseTo(1 / 4.1, 1);
    expect(counts["b"]! / 10_000).toBeCloseTo(3 / 4.1, 1);
    expect(counts["c"]! / 10_000).toBeLessThan(0.05);
    expect(counts["c"]).toBeGreaterThan(0);
  });
});
