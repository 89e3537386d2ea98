import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryCacheStore } from "../../src/cache/memory-store.js";
import { createRedisCacheStore } from "../../src/cache/redis-store.js";
import type { CacheStore, CachedAnswer } from "../../src/cache/store.js";
import { manualClock, type ManualClock } from "../support/manual-clock.js";
import { redisBackends } from "../support/redis-cluster.js";

interface Backend {
  store: CacheStore;
  /** Lets `ms` pass as the store measures TTLs. */
  pass(ms: number): Promise<void>;
}

const backends: [string, () => Backend][] = [
  [
    "memory",
    () => {
      const clock: ManualClock = manualClock(Date.UTC(2026, 0, 1));
      return {
        store: createMemoryCacheStore(clock, { maxEntries: 1000, maxBytes: 1_000_000 }),
        pass: async (ms) => clock.advance(ms),
      };
    },
  ],
  // Redis keeps its own time: a TTL passes in real time.
  ...redisBackends(
    (client) => (): Backend => ({ store: createRedisCacheStore(client()), pass: (ms) => new Promise((r) => setTimeout(r, ms)) }),
  ),
];

const answer = (content: string): CachedAnswer => ({
  message: { role: "assistant", content },
  finishReason: "stop",
  usage: { inputTokens: 12, outputTokens: 3, estimated: false },
  costUsd: 0.000042,
  provider: "fake-openai",
  model: "gpt-test-2026",
  storedAt: 1_700_000_000_000,
});

/** One contract, both stores: what the cache relies on, whatever the backend. */
describe.each(backends)("cache store contract: %s", (_name, make) => {
  let b: Backend;
  beforeEach(() => {
    b = make();
  });

  it("returns what was stored, unchanged, and nothing for an unknown key", async () => {
    const a = {
      ...answer("Paris."),
      message: { role: "assistant" as const, content: "Paris. ✓ 日本", toolCalls: [{ id: "c1", name: "f", argumentsJson: '{"x":1}' }] },
    };
    await b.store.set("acme", "h1", a, 60_000);
    expect(await b.store.get("acme", "h1")).toEqual(a);
    expect(await b.store.get("acme", "h2")).toBeUndefined();
  });

  it("keeps tenants apart: the same hash under another tenant is another entry", async () => {
    await b.store.set("acme", "h", answer("for acme"), 60_000);
    await b.store.set("globex", "h", answer("for globex"), 60_000);
    expect((await b.store.get("acme", "h"))?.message.content).toBe("for acme");
    expect((await b.store.get("globex", "h"))?.message.content).toBe("for globex");
    expect(await b.store.get("initech", "h")).toBeUndefined();
  });

  it("forgets an entry once its TTL has passed, and keeps one whose TTL has not", async () => {
    await b.store.set("acme", "short", answer("short"), 30);
    await b.store.set("acme", "long", answer("long"), 60_000);
    await b.pass(80);
    expect(await b.store.get("acme", "short")).toBeUndefined();
    expect(await b.store.get("acme", "long")).toBeDefined();
  });

  it("overwrites an entry stored again under the same key", async () => {
    await b.store.set("acme", "h", answer("one"), 60_000);
    await b.store.set("acme", "h", answer("two"), 60_000);
    expect((await b.store.get("acme", "h"))?.message.content).toBe("two");
    expect((await b.store.size("acme")).entries).toBe(1);
  });

  it("sizes entries and payload bytes, overall and per tenant", async () => {
    await b.store.set("acme", "a", answer("x".repeat(100)), 60_000);
    await b.store.set("acme", "b", answer("y".repeat(100)), 60_000);
    await b.store.set("globex", "a", answer("z"), 60_000);
    const acme = await b.store.size("acme");
    expect(acme.entries).toBe(2);
    const one = Buffer.byteLength(JSON.stringify(answer("x".repeat(100))));
    expect(acme.bytes).toBe(2 * one);
    expect((await b.store.size()).entries).toBe(3);
    expect(await b.store.size("initech")).toEqual({ entries: 0, bytes: 0 });
  });

  it("clears one tenant without touching another, then everything", async () => {
    for (let i = 0; i < 25; i++) await b.store.set("acme", `h${i}`, answer(`a${i}`), 60_000);
    await b.store.set("globex", "h0", answer("g"), 60_000);
    expect(await b.store.clear("acme")).toBe(25);
    expect(await b.store.get("acme", "h3")).toBeUndefined();
    expect((await b.store.get("globex", "h0"))?.message.content).toBe("g");
    expect(await b.store.clear()).toBe(1);
    expect((await b.store.size()).entries).toBe(0);
  });

  it("takes tenant names with glob and separator characters literally", async () => {
    await b.store.set("a*", "h", answer("star"), 60_000);
    await b.store.set("ab", "h", answer("plain"), 60_000);
    expect(await b.store.clear("a*")).toBe(1);
    expect((await b.store.get("ab", "h"))?.message.content).toBe("plain");
  });
});

describe("memory cache store bounds", () => {
  it("evicts the least recently used entry once maxEntries is reached", async () => {
    const store = createMemoryCacheStore(manualClock(0), { maxEntries: 2, maxBytes: 1_000_000 });
    await store.set("t", "a", answer("a"), 60_000);
    await store.set("t", "b", answer("b"), 60_000);
    await store.get("t", "a"); // a is now the most recently used
    await store.set("t", "c", answer("c"), 60_000);
    expect(await store.get("t", "b")).toBeUndefined();
    expect(await store.get("t", "a")).toBeDefined();
    expect(await store.get("t", "c")).toBeDefined();
  });

  it("evicts by bytes, and refuses an entry larger than the whole cache instead of emptying it", async () => {
    const one = Buffer.byteLength(JSON.stringify(answer("x".repeat(500))));
    const store = createMemoryCacheStore(manualClock(0), { maxEntries: 100, maxBytes: one * 2 + 10 });
    await store.set("t", "a", answer("x".repeat(500)), 60_000);
    await store.set("t", "b", answer("y".repeat(500)), 60_000);
    await store.set("t", "c", answer("z".repeat(500)), 60_000);
    expect(await store.size()).toEqual({ entries: 2, bytes: 2 * one });
    expect(await store.get("t", "a")).toBeUndefined();
    await store.set("t", "huge", answer("h".repeat(one * 3)), 60_000);
    expect(await store.get("t", "huge")).toBeUndefined();
    expect((await store.size()).entries).toBe(2);
  });
});
