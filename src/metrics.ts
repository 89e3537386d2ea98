import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ResponseCache } from "./cache/response-cache.js";
import type { VerifyCounters } from "./cache/semantic/verify.js";
import type { ModelEntry } from "./core/catalog.js";
import type { HealthMonitor } from "./core/health.js";
import type { EmbedResult } from "./core/embeddings.js";
import type { ChatResult } from "./core/types.js";
import type { Breakers } from "./resilience/breakers.js";

/** What the gateway reports to Prometheus; counted where things happen, or read from components when scraped. */
export interface GatewayMetrics {
  readonly registry: Registry;
  rpc(service: string, method: string, code: string, seconds: number): void;
  streamOpened(): void;
  streamClosed(): void;
  completed(model: ModelEntry, result: ChatResult): void;
  /** An answered embedding call: its latency, input tokens and cost, under the same model and provider labels. */
  embedded(model: ModelEntry, result: EmbedResult): void;
  refused(limit: string): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The Prometheus registry served at GET /metrics on the browser listener.
 * Cache, breaker and provider figures are read from the components when
 * Prometheus scrapes, so nothing is counted twice on the hot path.
 */
export function createMetrics(parts: {
  cache: ResponseCache;
  breakers: Breakers;
  health: HealthMonitor;
  deployments: () => { id: string; model: string; provider: string }[];
}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  // The process's own figures: CPU, memory, heap, GC, handles, and the event loop's lag (max and
  // percentiles since the last scrape), which is what a caller feels when something holds the loop.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const { cache } = parts;

  const requests = new Counter({
    name: "llmgw_requests_total",
    help: "Calls by service, method and status code.",
    labelNames: ["service", "method", "code"],
    registers,
  });
  const duration = new Histogram({
    name: "llmgw_request_duration_seconds",
    help: "Call duration by service and method (streams: until the last message).",
    labelNames: ["service", "method"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const inFlight = new Gauge({ name: "llmgw_streams_in_flight", help: "Response streams open now.", registers });
  const ttft = new Histogram({
    name: "llmgw_time_to_first_token_seconds",
    help: "Streams: from the call to the first text delta, by model.",
    labelNames: ["model"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const completion = new Histogram({
    name: "llmgw_completion_duration_seconds",
    help: "Answered model calls: latency by model and provider.",
    labelNames: ["model", "provider"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: "llmgw_tokens_total",
    help: "Tokens by model, provider and direction (input, output).",
    labelNames: ["model", "provider", "direction"],
    registers,
  });
  const cost = new Counter({
    name: "llmgw_cost_usd_total",
    help: "Cost of upstream calls in USD, by model and provider.",
    labelNames: ["model", "provider"],
    registers,
  });
  const refusals = new Counter({
    name: "llmgw_limit_refusals_total",
    help: "Calls refused by a rate limit (rpm, rph, tpm) or a budget (budget_daily, budget_monthly).",
    labelNames: ["limit"],
    registers,
  });

  new Gauge({
    name: "llmgw_breaker_state",
    help: "Circuit breaker per deployment: 0 closed, 1 half open, 2 open.",
    labelNames: ["model", "provider"],
    registers,
    collect() {
      this.reset();
      for (const d of parts.deployments()) {
        const state = parts.breakers.state(d.id);
        this.set({ model: d.model, provider: d.provider }, state === "closed" ? 0 : state === "half_open" ? 1 : 2);
      }
    },
  });
  new Gauge({
    name: "llmgw_dependency_up",
    help: "1 when a dependency (provider, Redis) is serving, 0.5 degraded, 0 not serving.",
    labelNames: ["name", "kind"],
    registers,
    collect() {
      this.reset();
      for (const d of parts.health.snapshot().dependencies)
        this.set({ name: d.name, kind: d.kind }, d.status === "serving" ? 1 : d.status === "degraded" ? 0.5 : 0);
    },
  });

  // Counters are read on every scrape; the store's size only once a minute, since a shared
  // Redis store is sized by walking its keys.
  const counters = () => cache.counters();
  let sized: { at: number; size: Promise<{ entries: number; bytes: number }> } | undefined;
  const size = () => {
    const now = Date.now();
    if (!sized || now - sized.at > 60_000) sized = { at: now, size: cache.stats().then((s) => ({ entries: s.entries, bytes: s.bytes })) };
    return sized.size;
  };
  new Counter({
    name: "llmgw_cache_requests_total",
    help: "Requests by how the cache answered (hit_exact, hit_semantic, coalesced, miss, bypass).",
    labelNames: ["result"],
    registers,
    collect() {
      const s = counters();
      this.reset();
      this.inc({ result: "hit_exact" }, s.hitsExact);
      this.inc({ result: "hit_semantic" }, s.hitsSemantic);
      this.inc({ result: "coalesced" }, s.coalesced);
      this.inc({ result: "miss" }, s.misses);
      this.inc({ result: "bypass" }, s.bypassed);
    },
  });
  const counter = (name: string, help: string, read: (s: ReturnType<typeof counters>) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read(counters()));
      },
    });
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        this.set(await read());
      },
    });
  counter("llmgw_cache_tokens_saved_total", "Tokens hits and coalesced requests did not spend upstream.", (s) => s.tokensSaved);
  counter("llmgw_cache_cost_saved_usd_total", "What those tokens would have cost, in USD.", (s) => s.costSavedUsd);
  counter("llmgw_cache_stored_total", "Answers stored.", (s) => s.stored);
  counter("llmgw_cache_errors_total", "Cache store operations that failed (served as misses).", (s) => s.errors);
  gauge(
    "llmgw_cache_entries",
    "Stored answers (in the shared store when it is Redis); refreshed once a minute.",
    async () => (await size()).entries,
  );
  gauge("llmgw_cache_bytes", "Bytes of stored answers; refreshed once a minute.", async () => (await size()).bytes);
  gauge("llmgw_cache_semantic_entries", "Queries in this replica's semantic index.", () => counters().semanticEntries);
  const verification = () => cache.verification?.() ?? new Map<string, VerifyCounters>();
  new Counter({
    name: "llmgw_cache_semantic_verify_total",
    help: "Semantic candidates by what verification did: served_trusted (at or above the threshold, passed by the guard, not contradicted), served_verified (the bound allowed), audited (trusted but explored to check the guard), verified (explored, answers agreed), refused (explored, they differed), failed (not compared).",
    labelNames: ["model", "result"],
    registers,
    collect() {
      this.reset();
      for (const [model, c] of verification())
        for (const [result, n] of [
          ["served_trusted", c.servedTrusted],
          ["served_verified", c.servedVerified],
          ["audited", c.audited],
          ["verified", c.verified],
          ["refused", c.refused],
          ["failed", c.failed],
        ] as const)
          this.inc({ model, result }, n);
    },
  });
  new Gauge({
    name: "llmgw_cache_semantic_verify_error_rate",
    help: "Estimated share of served semantic answers that were wrong: the mean, over those served, of the learnt P(wrong | similarity) (for a trusted hit, the share of audits around its similarity that disagreed).",
    labelNames: ["model"],
    registers,
    collect() {
      this.reset();
      for (const [model, c] of verification()) this.set({ model }, c.served > 0 ? c.estimatedWrong / c.served : 0);
    },
  });

  // Label children cached per model and provider: prom-client validates labels on every call otherwise.
  type Children = {
    completion: Histogram.Internal<string>;
    input: Counter.Internal;
    output: Counter.Internal;
    cost: Counter.Internal;
    ttft: Histogram.Internal<string>;
  };
  const perModel = new Map<string, Children>();
  const childrenOf = (model: string, provider: string) => {
    const key = `${model}\u0000${provider}`;
    let c = perModel.get(key);
    if (!c) {
      c = {
        completion: completion.labels({ model, provider }),
        input: tokens.labels({ model, provider, direction: "input" }),
        output: tokens.labels({ model, provider, direction: "output" }),
        cost: cost.labels({ model, provider }),
        ttft: ttft.labels({ model }),
      };
      perModel.set(key, c);
    }
    return c;
  };

  const perCall = new Map<string, { requests: Counter.Internal; duration: Histogram.Internal<string> }>();

  return {
    registry,
    rpc(service, method, code, seconds) {
      // Services, methods and codes are a small fixed set (the faces name them, not callers).
      const key = `${service}/${method}/${code}`;
      let c = perCall.get(key);
      if (!c) {
        c = { requests: requests.labels({ service, method, code }), duration: duration.labels({ service, method }) };
        perCall.set(key, c);
      }
      c.requests.inc();
      c.duration.observe(seconds);
    },
    streamOpened: () => inFlight.inc(),
    streamClosed: () => inFlight.dec(),
    completed(model, result) {
      const c = childrenOf(model.name, result.provider);
      c.completion.observe(result.latencyMs / 1000);
      if (result.timeToFirstTokenMs !== undefined) c.ttft.observe(result.timeToFirstTokenMs / 1000);
      // Served from the cache or shared with another caller: no tokens were spent upstream.
      if (result.savedCostUsd !== undefined) return;
      c.input.inc(result.usage.inputTokens);
      c.output.inc(result.usage.outputTokens);
      if (result.costUsd > 0) c.cost.inc(result.costUsd);
    },
    embedded(model, result) {
      const c = childrenOf(model.name, result.provider);
      c.completion.observe(result.latencyMs / 1000);
      if (result.savedCostUsd !== undefined) return;
      c.input.inc(result.usage.inputTokens);
      if (result.costUsd > 0) c.cost.inc(result.costUsd);
    },
    refused: (limit) => refusals.inc({ limit }),
  };
}
