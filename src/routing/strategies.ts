import type { Deployment } from "../core/catalog.js";
import type { RoutingStrategy } from "../core/types.js";
import type { DeploymentStats } from "./stats.js";

/** What a strategy may consult. */
export interface StrategyContext {
  /** The model being routed, for per-model state such as round-robin turns. */
  model: string;
  stats(id: string): DeploymentStats | undefined;
  /** Uniform in [0, 1); injected so that tests are deterministic. */
  random(): number;
  /** The next turn of a per-key counter (round-robin). */
  nextTurn(key: string): number;
  streaming: boolean;
  /** A cheap estimate of the prompt's tokens, for the cost strategy. */
  inputTokens: number;
  maxTokens: number;
}

/** Orders candidates: the first is tried first, the rest are the fallbacks, in order. */
export type Strategy = (candidates: readonly Deployment[], ctx: StrategyContext) => Deployment[];

// A deployment with no successes yet has no latency; trying it first is how it gets one.
const UNMEASURED = -1;
// Even a failing deployment keeps a little weight, so that it is probed and can recover.
const MIN_HEALTH_FACTOR = 0.05;

const byKey = (candidates: readonly Deployment[], key: (d: Deployment) => number) =>
  candidates
    .map((d, i) => ({ d, i, k: key(d) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.d);

/** Every strategy, by name; the config and the routing hints choose among them. */
export const strategies = {
  fallback: (candidates) => [...candidates],

  "round-robin": (candidates, ctx) => {
    const start = ctx.nextTurn(ctx.model) % candidates.length;
    return [...candidates.slice(start), ...candidates.slice(0, start)];
  },

  cost: (candidates, ctx) => byKey(candidates, (d) => d.inputPricePerMillion * ctx.inputTokens + d.outputPricePerMillion * ctx.maxTokens),

  latency: (candidates, ctx) =>
    byKey(candidates, (d) => {
      const s = ctx.stats(d.id);
      return (ctx.streaming ? (s?.ttftMs ?? s?.latencyMs) : s?.latencyMs) ?? UNMEASURED;
    }),

  weighted: (candidates, ctx) => {
    // Weighted sampling without replacement: the first pick gets traffic in proportion to
    // weight × health, the rest follow as fallbacks in the same spirit.
    const pool = candidates.map((d) => ({ d, w: d.weight * Math.max(MIN_HEALTH_FACTOR, 1 - (ctx.stats(d.id)?.errorRate ?? 0)) }));
    const out: Deployment[] = [];
    while (pool.length > 0) {
      let r = ctx.random() * pool.reduce((sum, x) => sum + x.w, 0);
      let i = 0;
      while (i < pool.length - 1 && (r -= pool[i]!.w) >= 0) i++;
      out.push(pool.splice(i, 1)[0]!.d);
    }
    return out;
  },
} satisfies Record<RoutingStrategy, Strategy>;
