import { describe, expect, it } from "vitest";
import { manualClock } from "../../test/support/manual-clock.js";
import type { CachePlan, ResponseCache } from "../cache/response-cache.js";
import type { CallContext, Tenant } from "../core/call.js";
import type { Catalog, ModelEntry } from "../core/catalog.js";
import { GatewayError } from "../core/errors.js";
import { createHealthMonitor } from "../core/health.js";
import type { ChatRequest, ChatStreamEvent } from "../core/types.js";
import type { Admission, RateLimiter } from "../limits/limiter.js";
import type { Provider, ProviderChunk } from "../providers/provider.js";
import { createBreakers } from "../resilience/breakers.js";
import { createRetryBudget } from "../resilience/retry.js";
import { createRouter } from "../routing/router.js";
import { createDeploymentStats } from "../routing/stats.js";
import type { Sessions } from "../sessions/sessions.js";
import type { Tools } from "../tools/registry.js";
import type { UsageStore } from "../usage/store.js";
import { createGateway } from "./pipeline.js";

const model: ModelEntry = {
  name: "m",
  aliases: [],
  deployments: [
    {
      id: "p1/up",
      provider: "p1",
      providerKind: "openai",
      upstreamModel: "up",
      weight: 1,
      priority: 0,
      inputPricePerMillion: 1_000,
      outputPricePerMillion: 2_000,
      cachedInputPricePerMillion: 0,
      cacheWritePricePerMillion: 0,
      cacheWrite1hPricePerMillion: 0,
    },
  ],
  provider: "p1",
  providerKind: "openai",
  upstreamModel: "up",
  contextWindow: 100_000,
  maxOutputTokens: 100,
  inputPricePerMillion: 1_000,
  outputPricePerMillion: 2_000,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  capabilities: { streaming: true, tools: true, vision: false, jsonMode: false, documents: false, audio: false, reasoning: false },
  tokenizer: "estimate",
  hedgeAfterMs: undefined,
};

const unused = () => {
  throw new Error("not used here");
};

/** A gateway of real stages around fakes: every store writes what it was asked into one log, in order. */
function setup(opts: { upstream?: ProviderChunk[] | GatewayError; refuse?: boolean; storeGate?: Promise<void> } = {}) {
  const log: string[] = [];
  let upstreamCalls = 0;
  let reconciled!: () => void;
  const settledAll = new Promise<void>((resolve) => (reconciled = resolve));
  const clock = manualClock(Date.UTC(2026, 4, 1));
  const chunks = opts.upstream ?? [
    { type: "started" },
    { type: "delta", text: "Hello " },
    { type: "delta", text: "there" },
    { type: "end", finishReason: "stop", model: "up-2026", usage: { inputTokens: 100, outputTokens: 50 } },
  ];
  const provider: Provider = {
    name: "p1",
    kind: "openai",
    translateError: () => undefined,
    async *stream() {
      upstreamCalls++;
      if (chunks instanceof GatewayError) throw chunks;
      yield* chunks;
    },
  };
  const limiter: RateLimiter = {
    async admit(): Promise<Admission> {
      log.push("admit");
      if (opts.refuse) return { admitted: false, limit: "rpm", retryAfterMs: 2_000 };
      return {
        admitted: true,
        reservation: {
          reconcile: async (n) => {
            log.push(`reconcile ${n}`);
            reconciled();
          },
        },
      };
    },
    usage: unused,
    close: async () => {},
  };
  const usage: UsageStore = {
    kind: "memory",
    add: async (e) => void log.push(`add ${e.costMicros}`),
    query: unused,
    spent: unused,
    close: async () => {},
    async reserve() {
      log.push("reserve");
      return {
        admitted: true,
        reservedMicros: 0,
        settle: async (n) => {
          log.push(`settle ${n}`);
          return [];
        },
      };
    },
  };
  const plan: CachePlan = { mode: "lookup", tenant: "acme", key: "k", flight: "f", store: true, ttlMs: 1000 };
  const cache: ResponseCache = {
    plan: () => plan,
    lookup: async () => undefined,
    async store() {
      log.push("store");
      await opts.storeGate;
    },
    record: () => {},
    stats: unused,
    counters: unused,
    clear: unused,
    warm: unused,
    close: unused,
  };
  const catalog: Catalog = { models: [model], defaultModel: "m", resolve: () => model };
  const stats = createDeploymentStats(clock);
  const tools: Tools = { list: () => [], get: () => undefined, breakerState: () => "closed", execute: unused, call: unused };
  const sessions = { continue: unused } as unknown as Sessions;
  const gateway = createGateway({
    catalog,
    providers: new Map([["p1", { provider, timeoutMs: 60_000, firstTokenTimeoutMs: 60_000, headersTimeoutMs: 5_000 }]]),
    router: createRouter({ defaultStrategy: "fallback", stats }),
    stats,
    breakers: createBreakers({ errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 1000, rollingWindowMs: 10_000 }, clock),
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100, budgetRatio: 0, budgetBurst: 0 },
    retryBudget: createRetryBudget(0, 0),
    limiter,
    limits: {},
    health: createHealthMonitor({ clock, providers: ["p1"] }),
    cache,
    sessions,
    tools,
    usage,
    clock,
    random: () => 0.5,
  });
  const tenant: Tenant = {
    name: "acme",
    admin: false,
    allowedModels: undefined,
    limits: { requestsPerMinute: 10 },
    budget: { dailyUsd: 5 },
  };
  const call: CallContext = { signal: new AbortController().signal, requestId: "req-9", receivedAt: clock.monotonic(), tenant };
  return { gateway, call, log, settledAll, upstreamCalls: () => upstreamCalls };
}

const request: ChatRequest = {
  model: "m",
  messages: [{ role: "user", content: "hello" }],
  user: "",
  metadata: {},
  routing: { preferredProviders: [], excludedProviders: [] },
  stop: [],
};

describe("gateway pipeline", () => {
  it("complete() returns the done result of the whole pipeline", async () => {
    const t = setup();
    const r = await t.gateway.complete(request, t.call);
    expect(r).toMatchObject({
      id: "req-9",
      message: { role: "assistant", content: "Hello there" },
      provider: "p1",
      model: "up-2026",
      cacheStatus: "miss",
      usage: { inputTokens: 100, outputTokens: 50, estimated: false },
      attempts: [{ provider: "p1", model: "up" }],
    });
    expect(r.costUsd).toBeCloseTo(0.2, 10);
    expect(t.upstreamCalls()).toBe(1);
  });

  it("stream() yields the cache status first, then the answer, then done", async () => {
    const t = setup();
    const events: ChatStreamEvent[] = [];
    for await (const e of t.gateway.stream(request, t.call)) events.push(e);
    expect(events.map((e) => (e.type === "delta" ? e.text : e.type))).toEqual(["cache", "answering", "Hello ", "there", "done"]);
  });

  it("stages settle in reverse order, after the caller has its answer", async () => {
    let open!: () => void;
    const t = setup({ storeGate: new Promise<void>((resolve) => (open = resolve)) });
    const r = await t.gateway.complete(request, t.call);
    expect(r.message.content).toBe("Hello there");
    // The answer is out while the cache is still storing it: nothing has settled yet.
    expect(t.log).toEqual(["admit", "reserve", "add 200000", "store"]);
    open();
    await t.settledAll;
    expect(t.log).toEqual(["admit", "reserve", "add 200000", "store", "settle 200000", "reconcile 150"]);
  });

  it("a streamed call settles in the same order once it is read to the end", async () => {
    const t = setup();
    for await (const _ of t.gateway.stream(request, t.call));
    expect(t.log).toEqual(["admit", "reserve", "add 200000", "store", "settle 200000", "reconcile 150"]);
  });

  it("an error thrown inside a stream reaches the caller, and the reservations are given back", async () => {
    const t = setup({ upstream: new GatewayError("UPSTREAM_BAD_REQUEST", "p1: bad request", { metadata: { provider: "p1" } }) });
    await expect(t.gateway.complete(request, t.call)).rejects.toMatchObject({ reason: "UPSTREAM_BAD_REQUEST", message: "p1: bad request" });
    expect(t.log).toEqual(["admit", "reserve", "settle 0", "reconcile 0"]);
    const streamed = setup({ upstream: new GatewayError("UPSTREAM_BAD_REQUEST", "p1: bad request") });
    const events: ChatStreamEvent[] = [];
    const failure = (async () => {
      for await (const e of streamed.gateway.stream(request, streamed.call)) events.push(e);
    })();
    await expect(failure).rejects.toMatchObject({ reason: "UPSTREAM_BAD_REQUEST" });
    expect(events).toEqual([{ type: "cache", status: "miss" }]);
  });

  it("a stage that refuses answers by itself: nothing further runs", async () => {
    const t = setup({ refuse: true });
    await expect(t.gateway.complete(request, t.call)).rejects.toMatchObject({ reason: "RATE_LIMITED", retryAfterMs: 2_000 });
    expect(t.log).toEqual(["admit"]);
    expect(t.upstreamCalls()).toBe(0);
  });
});
