import { describe, expect, it, vi } from "vitest";
import { manualClock } from "../../../test/support/manual-clock.js";
import { createEmbeddingCache } from "../../cache/embedding-cache.js";
import { createFlights } from "../../cache/flights.js";
import { createMemoryCacheStore } from "../../cache/memory-store.js";
import { createGatewayEmbedder } from "../../cache/semantic/gateway.js";
import { validateConfig } from "../../config/load.js";
import type { CallContext, Tenant } from "../../core/call.js";
import { createCatalog } from "../../core/catalog.js";
import type { EmbedRequest } from "../../core/embeddings.js";
import { GatewayError } from "../../core/errors.js";
import { createHealthMonitor } from "../../core/health.js";
import { createMemoryRateLimiter } from "../../limits/memory-limiter.js";
import { silentLogger } from "../../log.js";
import type { Provider, ProviderEmbedRequest, ProviderEmbedResult } from "../../providers/provider.js";
import { createBreakers } from "../../resilience/breakers.js";
import { createRetryBudget } from "../../resilience/retry.js";
import { createRouter } from "../../routing/router.js";
import { createDeploymentStats } from "../../routing/stats.js";
import { createMemoryUsageStore } from "../../usage/memory-store.js";
import { createEmbedPipeline } from "./embed.js";
import { MicroCarry } from "./usage.js";

type Script = (request: ProviderEmbedRequest, signal: AbortSignal) => Promise<ProviderEmbedResult>;

const vectors = (request: ProviderEmbedRequest, usage = true): ProviderEmbedResult => ({
  // Three values, or as many as asked for (dimensions), as a provider that shortens vectors gives them.
  vectors: request.inputs.map((_, i) => Float32Array.of(i, 1, 2).subarray(0, request.dimensions ?? 3)),
  model: request.model,
  ...(usage ? { usage: { inputTokens: 7 } } : {}),
});
const ok: Script = async (r) => vectors(r);
const failing =
  (reason: "UPSTREAM_UNAVAILABLE" | "UPSTREAM_BAD_REQUEST" | "UPSTREAM_RATE_LIMITED", retryAfterMs?: number): Script =>
  async () => {
    throw new GatewayError(reason, "upstream said no", retryAfterMs === undefined ? {} : { retryAfterMs });
  };
/** Waits until the attempt's signal aborts, then fails as an HTTP client would. */
const hang: Script = (_r, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));

/** The embedding pipeline over scripted providers (p1, p2 with embeddings; chat-only without), on a manual clock. */
function setup(
  scripts: { p1?: Script[]; p2?: Script[] },
  tenant?: Tenant,
  retry = { budgetRatio: 0, budgetBurst: 0 },
  breakerVolume = 1,
  prices = { p1: 1, p2: 10 },
) {
  const clock = manualClock(Date.UTC(2026, 0, 5));
  const config = validateConfig(
    {
      providers: ["p1", "p2", "chat-only"].map((name) => ({ name, kind: "openai-compatible", baseUrl: "http://127.0.0.1:9" })),
      models: [
        {
          name: "emb",
          type: "embedding",
          dimensions: 3,
          tokenizer: "o200k_base",
          contextWindow: 100,
          deployments: [
            { provider: "chat-only", upstreamModel: "e-0", pricing: { inputPerMillion: 1 } },
            { provider: "p1", upstreamModel: "e-1", pricing: { inputPerMillion: prices.p1 } },
            { provider: "p2", upstreamModel: "e-2", pricing: { inputPerMillion: prices.p2 } },
          ],
        },
        { name: "only-chat-providers", type: "embedding", provider: "chat-only" },
        { name: "chat", provider: "p1" },
      ],
    },
    {},
  );
  const calls: { provider: string; request: ProviderEmbedRequest; signal: AbortSignal }[] = [];
  const provider = (name: string, list: Script[] | undefined): Provider => {
    const p: Provider = { name, kind: "openai-compatible", translateError: () => undefined, stream: () => (async function* () {})() };
    if (!list) return p;
    let n = 0;
    p.embed = (request, signal) => {
      calls.push({ provider: name, request, signal });
      return (list[n++] ?? list.at(-1)!)(request, signal);
    };
    return p;
  };
  const timeouts = { timeoutMs: 10_000, firstTokenTimeoutMs: 10_000, headersTimeoutMs: 5_000 };
  const stats = createDeploymentStats(clock);
  const breakers = createBreakers(
    { errorThresholdPercentage: 50, volumeThreshold: breakerVolume, resetTimeoutMs: 30_000, rollingWindowMs: 60_000 },
    clock,
  );
  const limiter = createMemoryRateLimiter(clock);
  const usage = createMemoryUsageStore();
  const settings = { enabled: true, ttlSeconds: 60, maxTtlSeconds: 600, cacheWhen: "deterministic" as const };
  const embed = createEmbedPipeline({
    catalog: createCatalog(config),
    providers: new Map([
      ["p1", { provider: provider("p1", scripts.p1 ?? [ok]), ...timeouts }],
      ["p2", { provider: provider("p2", scripts.p2 ?? [ok]), ...timeouts }],
      ["chat-only", { provider: provider("chat-only", undefined), ...timeouts }],
    ]),
    router: createRouter({ defaultStrategy: "fallback", stats }),
    breakers,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, ...retry },
    retryBudget: createRetryBudget(retry.budgetRatio, retry.budgetBurst),
    stats,
    health: createHealthMonitor({ clock, providers: ["p1", "p2", "chat-only"] }),
    limiter,
    limits: {},
    usage,
    embeddingCache: createEmbeddingCache({
      settings,
      store: createMemoryCacheStore(clock, { maxEntries: 100, maxBytes: 1e6 }),
      clock,
      logger: silentLogger,
    }),
    flights: createFlights(),
    clock,
    random: () => 0.5,
  });
  const controller = new AbortController();
  const call: CallContext = { signal: controller.signal, requestId: "r1", receivedAt: clock.monotonic(), tenant };
  const request = (extra: Partial<EmbedRequest> = {}): EmbedRequest => ({
    model: "emb",
    inputs: ["hello world"],
    user: "",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
    ...extra,
  });
  return {
    clock,
    stats,
    breakers,
    limiter,
    usage,
    calls,
    controller,
    call,
    request,
    run: (r = request(), c = call) => embed(r, c),
    /** Another caller's call context. */
    caller: (id: string, signal = new AbortController().signal): CallContext => ({
      signal,
      requestId: id,
      receivedAt: clock.monotonic(),
      tenant,
    }),
  };
}

describe("the embedding pipeline", () => {
  it("skips deployments whose provider has no embeddings, and prices the call at the deployment that answered", async () => {
    const s = setup({});
    const r = await s.run();
    expect(s.calls.map((c) => [c.provider, c.request.model])).toEqual([["p1", "e-1"]]);
    expect(r).toMatchObject({ provider: "p1", model: "e-1", usage: { inputTokens: 7, estimated: false }, cacheStatus: "miss" });
    expect(r.costUsd).toBeCloseTo(7e-6, 12);
    const refused = await s.run(s.request({ model: "only-chat-providers" })).catch((e: unknown) => e);
    expect(refused).toMatchObject({ reason: "CAPABILITY_UNSUPPORTED", metadata: { field: "model" } });
    await expect(s.run(s.request({ model: "chat" }))).rejects.toMatchObject({ reason: "INVALID_REQUEST", metadata: { field: "model" } });
  });

  it("falls back on a provider failure, which counts against its breaker; a bad request does not fall back", async () => {
    const s = setup({ p1: [failing("UPSTREAM_UNAVAILABLE"), failing("UPSTREAM_BAD_REQUEST")] });
    const r = await s.run();
    expect(r.provider).toBe("p2");
    expect(r.costUsd).toBeCloseTo(70e-6, 12);
    expect(r.attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["p1", "UPSTREAM_UNAVAILABLE"],
      ["p2", undefined],
    ]);
    expect(s.stats.get("p1/e-1")?.failures).toBe(1);
    expect(s.breakers.state("p1/e-1")).toBe("open");
    // With p1's breaker open, p2 answers alone; its bad request would be refused as it is.
    const t = setup({ p1: [failing("UPSTREAM_BAD_REQUEST")] });
    await expect(t.run()).rejects.toMatchObject({ reason: "UPSTREAM_BAD_REQUEST" });
    expect(t.calls.map((c) => c.provider)).toEqual(["p1"]);
  });

  it("refuses vectors of another size than asked for (a server that ignores dimensions): the next deployment answers, no breaker trips", async () => {
    const ignoresDimensions: Script = async (r) => ({ vectors: r.inputs.map(() => Float32Array.of(1, 2, 3)), model: r.model });
    const ragged: Script = async (r) => ({ vectors: [Float32Array.of(1, 2, 3), Float32Array.of(1, 2)], model: r.model });
    const s = setup({ p1: [ignoresDimensions, ragged] });
    const r = await s.run(s.request({ dimensions: 2 }));
    expect(r.provider).toBe("p2");
    expect(r.vectors.map((v) => v.length)).toEqual([2]);
    expect(r.attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["p1", "INVALID_OUTPUT"],
      ["p2", undefined],
    ]);
    expect(r.attempts[0]!.errorMessage).toMatch(/vector 0 has 3 values, not the 2 asked for \(dimensions\)/);
    expect(s.breakers.state("p1/e-1")).toBe("closed");
    // Vectors of different sizes in one answer are refused too, whatever was asked.
    const t = setup({ p1: [ragged], p2: [ragged] });
    await expect(t.run(t.request({ inputs: ["a", "b"] }))).rejects.toMatchObject({ reason: "INVALID_OUTPUT" });
  });

  it("routes by the embedding price under the cost strategy, by configured order under fallback, and by the hints", async () => {
    const dearFirst = { p1: 10, p2: 1 };
    const hints = (strategy: "cost" | "fallback") => ({ routing: { strategy, preferredProviders: [], excludedProviders: [] } });
    const s = setup({}, undefined, undefined, undefined, dearFirst);
    expect((await s.run(s.request(hints("cost")))).provider).toBe("p2");
    expect((await s.run(s.request({ ...hints("fallback"), dimensions: 2 }))).provider).toBe("p1");
    const excluded = { routing: { preferredProviders: [], excludedProviders: ["p2"] } };
    expect((await s.run(s.request({ ...excluded, dimensions: 1 }))).provider).toBe("p1");
    const preferred = { routing: { preferredProviders: ["p2"], excludedProviders: [] } };
    expect((await s.run(s.request({ ...preferred, dimensions: 1 }))).cacheStatus).toBe("hit_exact");
    expect((await s.run(s.request({ ...preferred, inputs: ["another"] }))).provider).toBe("p2");
  });

  it("retries a 429 after at least its retry delay when the retry budget allows", async () => {
    const s = setup(
      { p1: [failing("UPSTREAM_RATE_LIMITED", 1500), ok], p2: [failing("UPSTREAM_RATE_LIMITED", 1500)] },
      undefined,
      { budgetRatio: 1, budgetBurst: 5 },
      10,
    );
    const r = await s.run();
    expect(r.provider).toBe("p1");
    expect(s.clock.sleeps).toEqual([1500]);
    expect(r.attempts.map((a) => a.provider)).toEqual(["p1", "p2", "p1"]);
  });

  it("times an attempt out at the provider's timeout, and the next deployment answers", async () => {
    const s = setup({ p1: [hang] });
    const pending = s.run();
    for (let i = 0; i < 100 && s.calls.length === 0; i++) await new Promise((r) => setImmediate(r));
    s.clock.advance(10_000);
    const r = await pending;
    expect(r.provider).toBe("p2");
    expect(r.attempts[0]).toMatchObject({ provider: "p1", errorReason: "UPSTREAM_TIMEOUT" });
  });

  it("blames a provider that hangs under the semantic cache's gateway embedder: its own timeout fires before the lookup stops waiting", async () => {
    const s = setup({ p1: [hang], p2: [hang] });
    const embedder = createGatewayEmbedder({ model: "emb", embed: () => (r, c) => s.run(r, c), clock: s.clock, timeoutMs: 10_000 });
    const lookup = embedder.embed(["hello"]).catch((e: unknown) => e);
    for (let i = 0; i < 100 && s.calls.length === 0; i++) await new Promise((r) => setImmediate(r));
    s.clock.advance(10_000);
    await vi.waitFor(() => expect(s.calls).toHaveLength(2), { timeout: 30_000 });
    expect(s.stats.get("p1/e-1")?.failures).toBe(1);
    s.clock.advance(1_000);
    expect(await lookup).toMatchObject({ reason: "DEADLINE_EXCEEDED" });
  });

  it("ends as CANCELLED when the caller cancels: no provider is blamed, nothing is billed", async () => {
    const s = setup({ p1: [hang] }, { name: "t", admin: false, allowedModels: undefined, limits: undefined, budget: { dailyUsd: 1 } });
    const pending = s.run();
    // Counting the input for the budget loads the tokenizer first.
    await vi.waitFor(() => expect(s.calls).toHaveLength(1), { timeout: 30_000 });
    s.controller.abort();
    await expect(pending).rejects.toMatchObject({ reason: "CANCELLED" });
    expect(s.calls[0]!.signal.aborted).toBe(true);
    expect(s.stats.get("p1/e-1")?.failures ?? 0).toBe(0);
    expect(s.breakers.state("p1/e-1")).toBe("closed");
    expect((await s.usage.spent("t", "2026-01-05", "2026-01")).dayMicros).toBe(0);
  });

  it("settles budgets to the cost, fractions of a micro-dollar carried rather than rounded away", async () => {
    const tenant: Tenant = { name: "t", admin: false, allowedModels: undefined, limits: undefined, budget: { dailyUsd: 1 } };
    // Seven tokens at $0.10 per million: $0.0000007 a call.
    const s = setup({}, tenant, undefined, undefined, { p1: 0.1, p2: 10 });
    for (let i = 0; i < 10; i++) await s.run(s.request({ inputs: [`call ${i}`] }));
    expect((await s.usage.spent("t", "2026-01-05", "2026-01")).dayMicros).toBe(7);
  });

  it("settles the token limit to the provider's count, and a cache hit to nothing", async () => {
    const tenant: Tenant = { name: "t", admin: false, allowedModels: undefined, limits: { tokensPerMinute: 1000 }, budget: undefined };
    const s = setup({}, tenant);
    const text = "word ".repeat(40).trim();
    await s.run(s.request({ inputs: [text] }));
    // 40 tokens were reserved; the provider counted 7.
    expect((await s.limiter.usage("t")).tokensLastMinute).toBe(7);
    const hit = await s.run(s.request({ inputs: [text] }));
    expect(hit).toMatchObject({ cacheStatus: "hit_exact", costUsd: 0, savedCostUsd: 7e-6 });
    expect(Array.from(hit.vectors[0]!)).toEqual([0, 1, 2]);
    expect((await s.limiter.usage("t")).tokensLastMinute).toBe(7);
    expect(s.calls).toHaveLength(1);
  });

  it("applies a runtime key's own limits beside its tenant's, counted per key", async () => {
    const tenant: Tenant = { name: "t", admin: false, allowedModels: undefined, limits: { requestsPerMinute: 100 }, budget: undefined };
    const s = setup({}, tenant);
    const keyed = { ...s.call, key: { id: "key_1", limits: { requestsPerMinute: 2 } } };
    await s.run(s.request({ inputs: ["a"] }), keyed);
    await s.run(s.request({ inputs: ["b"] }), keyed);
    await expect(s.run(s.request({ inputs: ["c"] }), keyed)).rejects.toMatchObject({ reason: "RATE_LIMITED", metadata: { limit: "rpm" } });
    expect((await s.limiter.usage("key:key_1")).requestsLastMinute).toBe(2);
    expect((await s.limiter.usage("t")).requestsLastMinute).toBe(3);
    // The tenant's other callers are not held back by the key's limit.
    expect((await s.run(s.request({ inputs: ["d"] }))).vectors).toHaveLength(1);
  });

  it("honours the cache options: no_cache looks nothing up, no_store keeps nothing, another size is another entry", async () => {
    const s = setup({});
    await s.run(s.request({ cache: { noStore: true } }));
    expect((await s.run()).cacheStatus).toBe("miss");
    expect((await s.run()).cacheStatus).toBe("hit_exact");
    expect((await s.run(s.request({ cache: { noCache: true } }))).cacheStatus).toBe("bypass");
    expect((await s.run(s.request({ dimensions: 2 }))).cacheStatus).toBe("miss");
    expect(s.calls).toHaveLength(4);
  });

  it("shares one upstream call among identical calls in flight; a follower that goes does not end the others'", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = setup({
      p1: [
        async (r) => {
          await gate;
          return vectors(r);
        },
      ],
    });
    const first = s.run();
    await vi.waitFor(() => expect(s.calls).toHaveLength(1), { timeout: 30_000 });
    const leaving = new AbortController();
    const second = s.run(s.request(), s.caller("r2"));
    const third = s.run(s.request(), s.caller("r3", leaving.signal));
    leaving.abort();
    await expect(third).rejects.toMatchObject({ reason: "CANCELLED" });
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0]!.signal.aborted).toBe(false);
    expect([a.cacheStatus, a.costUsd]).toEqual(["miss", 7e-6]);
    expect(b).toMatchObject({ id: "r2", cacheStatus: "coalesced", costUsd: 0, savedCostUsd: 7e-6, attempts: [] });
    expect(b.vectors).toEqual(a.vectors);
    expect((await s.run()).cacheStatus).toBe("hit_exact");
  });

  it("bills a shared call to the first caller that takes its vectors when the caller that started it went first", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = setup({
      p1: [
        async (r) => {
          await gate;
          return vectors(r);
        },
      ],
    });
    const first = s.run();
    await vi.waitFor(() => expect(s.calls).toHaveLength(1), { timeout: 30_000 });
    const second = s.run(s.request(), s.caller("r2"));
    const third = s.run(s.request(), s.caller("r3"));
    // Their admission and cache lookup are promises over memory: settled before the next turn, so both have joined.
    await new Promise<void>((resolve) => setImmediate(resolve));
    s.controller.abort();
    await expect(first).rejects.toMatchObject({ reason: "CANCELLED" });
    release();
    const [b, c] = await Promise.all([second, third]);
    // The upstream call was made and answered: one caller pays for it, the other is coalesced.
    expect(s.calls).toHaveLength(1);
    expect(b).toMatchObject({ id: "r2", cacheStatus: "miss", costUsd: 7e-6 });
    expect(c).toMatchObject({ id: "r3", cacheStatus: "coalesced", costUsd: 0, savedCostUsd: 7e-6 });
    const rows = await s.usage.query({ tenant: "anonymous", fromDay: "2026-01-05", toDay: "2026-01-05" });
    expect(rows.map((r) => [r.requests, r.inputTokens, r.costMicros])).toEqual([[2, 7, 7]]);
  });

  it("counts the inputs in the model's tokenizer when the provider reports no usage", async () => {
    const s = setup({ p1: [async (r) => vectors(r, false)] });
    const r = await s.run(s.request({ inputs: ["hello world"] }));
    expect(r.usage).toEqual({ inputTokens: 2, estimated: true });
    const ids = await s.run(s.request({ inputs: [[1, 2, 3]] }));
    expect(ids.usage).toEqual({ inputTokens: 3, estimated: true });
    // Past the model's window of 100 tokens: refused before any provider is asked.
    await expect(s.run(s.request({ inputs: ["ok", "word ".repeat(150)] }))).rejects.toMatchObject({ metadata: { field: "input[1]" } });
    expect(s.calls).toHaveLength(2);
  });
});

describe("MicroCarry", () => {
  it("adds remainders below a micro-dollar up, per key, without losing or inventing money", () => {
    const carry = new MicroCarry();
    const taken = Array.from({ length: 10 }, () => carry.take("a", 0.3e-6));
    expect(taken.reduce((a, b) => a + b, 0)).toBe(3);
    expect(carry.take("b", 2.5e-6)).toBe(2);
    expect(carry.take("b", 0.5e-6)).toBe(1);
  });
});
