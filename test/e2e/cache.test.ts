import { createClient, type Client } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { CacheStatus, Role, type Completion } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();

interface Ask {
  model: string;
  user: string;
  messages: { role: Role; content: string }[];
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: bigint;
  cache?: { noCache?: boolean; noStore?: boolean; force?: boolean; noSemantic?: boolean; ttlSeconds?: number };
}

const start = async (cache: Record<string, unknown> = {}, redisUrl?: string): Promise<Harness> =>
  redis.track(await startHarness({ cache, ...(redisUrl ? { redisUrl } : {}) }));
const clients = (h: Harness) => {
  const transport = h.rpcTransport();
  return { completion: createClient(CompletionService, transport), cache: createClient(CacheService, transport) };
};
const ask = (content: string, extra: Partial<Ask> = {}): Ask => ({
  model: "gpt-test",
  temperature: 0,
  user: "ann",
  messages: [{ role: Role.USER, content }],
  ...extra,
});
const upstreamCalls = (h: Harness) => h.upstream.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

async function complete(c: Client<typeof CompletionService>, req: Ask) {
  let header: string | null = null;
  const res = await c.complete(req, { onHeader: (h) => (header = h.get("x-cache-status")) });
  return { completion: res.completion!, header };
}

async function stream(c: Client<typeof CompletionService>, req: Ask, signal?: AbortSignal) {
  let header: string | null = null;
  const deltas: string[] = [];
  let completion: Completion | undefined;
  for await (const ev of c.streamComplete(req, { onHeader: (h) => (header = h.get("x-cache-status")), ...(signal ? { signal } : {}) })) {
    if (ev.event.case === "delta") deltas.push(ev.event.value.text);
    else if (ev.event.case === "completion") completion = ev.event.value;
  }
  return { deltas, completion: completion!, header };
}

describe("exact cache", () => {
  it("answers the second identical deterministic request from the cache: no upstream call, no cost, same answer", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    h.upstream.setDefault({ text: "Paris is the capital." });
    const first = await complete(c, ask("Capital of France?"));
    expect(first.completion.cacheStatus).toBe(CacheStatus.MISS);
    expect(first.header).toBe("miss");
    const second = await complete(c, ask("Capital of France?"));
    expect(upstreamCalls(h)).toBe(1);
    expect(second.header).toBe("hit_exact");
    const hit = second.completion;
    expect(hit.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect(hit.message?.content).toBe("Paris is the capital.");
    expect(hit.usage).toEqual(first.completion.usage);
    expect(hit.costUsd).toBe(0);
    expect(hit.attempts).toEqual([]);
    expect(hit.provider).toBe("fake-openai");
    expect(hit.id).not.toBe(first.completion.id);
    // An alias names the same model, so it shares the entry; trailing spaces and CRLF do not matter.
    expect((await complete(c, ask("Capital of France?  \r\n", { model: "fast" }))).completion.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect(upstreamCalls(h)).toBe(1);
  });

  it("keys on every parameter that changes the output, and on the tenant", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    await complete(c, ask("q"));
    const variants: Ask[] = [
      ask("q", { maxTokens: 7 }),
      ask("q", { stop: ["."] }),
      ask("q", { seed: 3n }),
      ask("q", { topP: 0.5 }),
      ask("q", { topK: 5 }),
      ask("q", { user: "bob" }),
      // Another model (claude-test would refuse temperature, which the Messages API does not take).
      ask("q", { model: "gpt-sdk" }),
      ask("Q"),
      ask("q", {
        messages: [
          { role: Role.SYSTEM, content: "be brief" },
          { role: Role.USER, content: "q" },
        ],
      }),
    ];
    for (const v of variants) expect((await complete(c, v)).completion.cacheStatus).toBe(CacheStatus.MISS);
    expect(h.upstream.requests.length).toBe(1 + variants.length);
    // top_k, new on the gRPC face, reached the openai-compatible upstream.
    expect(h.upstream.requests.filter((r) => r.body["top_k"] === 5)).toHaveLength(1);
  });

  it("does not cache a sampled request unless asked to (force), and honours no_cache and no_store", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    const sampled = ask("tell me a story", { temperature: 0.9 });
    expect((await complete(c, sampled)).completion.cacheStatus).toBe(CacheStatus.BYPASS);
    expect((await complete(c, sampled)).completion.cacheStatus).toBe(CacheStatus.BYPASS);
    const forced = ask("tell me a story", { temperature: 0.9, cache: { force: true } });
    expect((await complete(c, forced)).completion.cacheStatus).toBe(CacheStatus.MISS);
    expect((await complete(c, forced)).completion.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect(upstreamCalls(h)).toBe(3);

    // no_store: answered and not kept.
    expect((await complete(c, ask("a", { cache: { noStore: true } }))).completion.cacheStatus).toBe(CacheStatus.MISS);
    expect((await complete(c, ask("a"))).completion.cacheStatus).toBe(CacheStatus.MISS);
    // no_cache: not looked up, but the fresh answer replaces the stored one.
    h.upstream.enqueue({ text: "fresh" });
    const fresh = await complete(c, ask("a", { cache: { noCache: true } }));
    expect(fresh.completion.cacheStatus).toBe(CacheStatus.BYPASS);
    const again = await complete(c, ask("a"));
    expect(again.completion.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect(again.completion.message?.content).toBe("fresh");
  });

  it("replays a cached answer as a stream, in several deltas, and caches a streamed answer for unary callers", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    const text = "The quick brown fox jumps over the lazy dog, and then it runs far away into the quiet forest.";
    h.upstream.setDefault({ text });
    const unary = await complete(c, ask("fox"));
    const replayed = await stream(c, ask("fox"));
    expect(replayed.header).toBe("hit_exact");
    expect(replayed.deltas.length).toBeGreaterThan(1);
    expect(replayed.deltas.join("")).toBe(text);
    expect(replayed.completion.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect(replayed.completion.usage).toEqual(unary.completion.usage);
    expect(replayed.completion.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);

    const streamed = await stream(c, ask("dog"));
    expect(streamed.header).toBe("miss");
    expect(streamed.completion.cacheStatus).toBe(CacheStatus.MISS);
    expect((await complete(c, ask("dog"))).completion.message?.content).toBe(text);
    expect(upstreamCalls(h)).toBe(2);
  });

  it("does not store a stream that failed part-way", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    h.upstream.enqueue({ text: "one two three four five", abortAfterChunks: 2 });
    await expect(stream(c, ask("cut"))).rejects.toThrow();
    h.upstream.setDefault({ text: "whole" });
    expect((await complete(c, ask("cut"))).completion.message?.content).toBe("whole");
  });

  it("is off when disabled: every response says DISABLED", async () => {
    const h = await start({ enabled: false });
    const { completion: c } = clients(h);
    await complete(c, ask("x"));
    const again = await complete(c, ask("x"));
    expect(again.completion.cacheStatus).toBe(CacheStatus.DISABLED);
    expect(again.header).toBe("disabled");
    expect(upstreamCalls(h)).toBe(2);
  });
});

describe("request coalescing", () => {
  it("makes one upstream call for identical unary requests in flight together", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    h.upstream.setDefault({ text: "shared answer", firstByteDelayMs: 200 });
    const results = await Promise.all(Array.from({ length: 10 }, () => complete(c, ask("same"))));
    expect(upstreamCalls(h)).toBe(1);
    const statuses = results.map((r) => r.completion.cacheStatus).sort();
    expect(statuses).toEqual([CacheStatus.MISS, ...Array<CacheStatus>(9).fill(CacheStatus.COALESCED)]);
    for (const r of results) expect(r.completion.message?.content).toBe("shared answer");
    expect(new Set(results.map((r) => r.completion.id)).size).toBe(10);
    expect(results.filter((r) => r.completion.costUsd > 0)).toHaveLength(1);
    // The nine that shared the call saved what it cost, each.
    const leaderCost = results.find((r) => r.completion.costUsd > 0)!.completion.costUsd;
    const stats = (await clients(h).cache.getCacheStats({})).stats!;
    expect(stats.coalesced).toBe(9n);
    expect(stats.costSavedUsd).toBeCloseTo(9 * leaderCost, 12);
    // Tenants do not share: the same request from two callers at once makes two calls.
    await Promise.all([complete(c, ask("tenants", { user: "ann" })), complete(c, ask("tenants", { user: "bob" }))]);
    expect(upstreamCalls(h)).toBe(3);
  });

  it("fans one upstream stream out to every identical stream, each reading every delta", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    const text = "one two three four five six seven eight";
    h.upstream.setDefault({ text, chunkDelayMs: 20 });
    const results = await Promise.all(Array.from({ length: 5 }, () => stream(c, ask("streamed"))));
    expect(upstreamCalls(h)).toBe(1);
    for (const r of results) {
      expect(r.deltas.join("")).toBe(text);
      expect(r.completion.message?.content).toBe(text);
    }
    expect(results.map((r) => r.header).sort()).toEqual(["coalesced", "coalesced", "coalesced", "coalesced", "miss"]);
  });

  it("a caller that cancels does not cancel the others; when every caller has gone, the upstream call is aborted", async () => {
    const h = await start();
    const { completion: c } = clients(h);
    h.upstream.setDefault({ text: "a b c d e f g h i j", chunkDelayMs: 30 });
    const leaving = new AbortController();
    const first = stream(c, ask("cancel me"), leaving.signal).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const staying = stream(c, ask("cancel me"));
    await new Promise((r) => setTimeout(r, 40));
    leaving.abort();
    expect(await first).toBeInstanceOf(Error);
    const rest = await staying;
    expect(rest.deltas.join("")).toBe("a b c d e f g h i j");
    expect(h.upstream.requests[0]?.aborted).toBe(false);

    const alone = new AbortController();
    h.upstream.setDefault({ text: "x y z", firstByteDelayMs: 5_000 });
    const lone = c.complete(ask("nobody waits"), { signal: alone.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    alone.abort();
    await lone;
    await h.upstream.waitForAbort(1);
  });
});

describe("cache in Redis", () => {
  it("is shared by replicas: an answer one stored, another serves", async () => {
    const [a, b] = [await start({ store: "redis" }, redis.server.url), await start({ store: "redis" }, redis.server.url)];
    await complete(clients(a!).completion, ask("shared?"));
    const fromB = await complete(clients(b!).completion, ask("shared?"));
    expect(fromB.completion.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect(upstreamCalls(b!)).toBe(0);
  });

  it("degrades to a miss while Redis is down, never failing a request, and recovers by itself", async () => {
    const h = await start({ store: "redis" }, redis.server.url);
    const { completion: c, cache } = clients(h);
    await redis.server.stop();
    for (let i = 0; i < 3; i++) {
      const r = await complete(c, ask("down"));
      expect(r.completion.cacheStatus).toBe(CacheStatus.MISS);
    }
    expect(Number((await cache.getCacheStats({})).stats?.errors)).toBeGreaterThan(0);
    await redis.server.start();
    // The client reconnects on its own; once it has, answers are stored and served again.
    let status = CacheStatus.MISS;
    for (let i = 0; i < 100 && status !== CacheStatus.HIT_EXACT; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await complete(c, ask("down"))).completion.cacheStatus;
    }
    expect(status).toBe(CacheStatus.HIT_EXACT);
  });
});

describe("cache in a Redis that stops answering", () => {
  it("serves the request as a miss once the command times out, then uses Redis again", async () => {
    const h = await start({ store: "redis" }, redis.server.url);
    const { completion: c } = clients(h);
    await complete(c, ask("hung"));
    // Redis accepts the connection and the commands but answers nothing for 2 s.
    const sleeper = redis.client();
    const sleeping = sleeper.call("DEBUG", "SLEEP", "2");
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const during = await complete(c, ask("hung"));
    expect(during.completion.cacheStatus).toBe(CacheStatus.MISS);
    expect(during.completion.message?.content).toBeTruthy();
    expect(Date.now() - started).toBeLessThan(1_900);
    await sleeping;
    expect((await complete(c, ask("hung"))).completion.cacheStatus).toBe(CacheStatus.HIT_EXACT);
  });
});

describe("CacheService", () => {
  it.each(["memory", "redis"])("reports statistics and clears one tenant or all (%s)", async (store) => {
    const h = await start({ store }, redis.server.url);
    const { completion: c, cache } = clients(h);
    await complete(c, ask("one"));
    await complete(c, ask("one"));
    await complete(c, ask("two"));
    await complete(c, ask("one", { user: "bob" }));
    await complete(c, ask("sampled", { temperature: 1 }));
    const stats = (await cache.getCacheStats({})).stats!;
    expect(stats.store).toBe(store);
    expect(stats.entries).toBe(3n);
    expect(stats.bytes).toBeGreaterThan(0n);
    expect(stats.hitsExact).toBe(1n);
    expect(stats.misses).toBe(3n);
    expect(stats.bypassed).toBe(1n);
    expect(stats.hitRatio).toBeCloseTo(1 / 4);
    expect(stats.tokensSaved).toBeGreaterThan(0n);
    expect(stats.costSavedUsd).toBeGreaterThan(0);
    // The same figures for Prometheus.
    const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
    expect(metrics).toContain('llmgw_cache_requests_total{result="hit_exact"} 1');
    expect(metrics).toContain('llmgw_cache_requests_total{result="miss"} 3');
    expect(metrics).toContain("llmgw_cache_entries 3");
    const ann = (await cache.getCacheStats({ tenant: "ann" })).stats!;
    expect(ann.entries).toBe(2n);
    expect(ann.hitsExact).toBe(1n);

    expect((await cache.clearCache({ tenant: "ann" })).removed).toBe(2n);
    expect((await complete(c, ask("one"))).completion.cacheStatus).toBe(CacheStatus.MISS);
    expect((await complete(c, ask("one", { user: "bob" }))).completion.cacheStatus).toBe(CacheStatus.HIT_EXACT);
    expect((await cache.clearCache({})).removed).toBe(2n);
    expect((await cache.getCacheStats({})).stats?.entries).toBe(0n);
  });
});
