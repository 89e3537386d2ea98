import { describe, expect, it } from "vitest";
import { cacheTestModel } from "../../test/support/cache-fixtures.js";
import { manualClock } from "../../test/support/manual-clock.js";
import { createFlights } from "../cache/flights.js";
import { cachedAnswerOf } from "../cache/store.js";
import type { CacheHit, CachePlan, ResponseCache } from "../cache/response-cache.js";
import type { CallContext } from "../core/call.js";
import type { ChatResult, ChatStreamEvent } from "../core/types.js";
import { cacheStage, deltasOf } from "./cache.js";
import type { Round, RoundHandler } from "./stage.js";

const model = cacheTestModel;

const LONG = "The quick brown fox jumps over the lazy dog, and then the dog wakes up and chases the fox across the field.";

const result = (over: Partial<ChatResult> = {}): ChatResult => ({
  id: "leader",
  message: { role: "assistant", content: "fresh answer" },
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 20, estimated: false },
  costUsd: 0.003,
  provider: "p1",
  model: "m-up-2026",
  cacheStatus: "miss",
  latencyMs: 40,
  gatewayOverheadMs: 2,
  attempts: [{ provider: "p1", model: "m-up", latencyMs: 38 }],
  ...over,
});

const hit: CacheHit = {
  kind: "hit_exact",
  answer: { ...result({ message: { role: "assistant", content: LONG }, costUsd: 0.0042, provider: "p2" }), storedAt: 0 },
};

/** A response cache that plans and answers as scripted and records what it stores and counts. */
function fakeCache(plan: Partial<CachePlan>, answer?: CacheHit) {
  const stored: [CachePlan, ChatResult][] = [];
  const recorded: [string, ChatResult][] = [];
  let lookups = 0;
  const p: CachePlan = { mode: "lookup", tenant: "acme", key: "k", flight: "acme\u0000k", store: true, ttlMs: 60_000, ...plan };
  const cache: ResponseCache = {
    plan: () => p,
    lookup: async () => {
      lookups++;
      return answer;
    },
    store: async (pl, r) => void stored.push([pl, r]),
    record: (tenant, r) => void recorded.push([tenant, r]),
    stats: () => Promise.reject(new Error("unused")),
    counters: () => {
      throw new Error("unused");
    },
    clear: async () => 0,
    warm: async () => {},
    close: async () => {},
  };
  return { cache, stored, recorded, lookups: () => lookups };
}

/** An upstream that answers `r` and counts its calls. */
function upstream(r = result()) {
  let calls = 0;
  const next: RoundHandler = async function* () {
    calls++;
    yield { type: "answering", provider: r.provider };
    yield { type: "delta", text: r.message.content };
    yield { type: "done", result: r };
  };
  return { next, calls: () => calls };
}

const callOf = (id: string, receivedAt: number): CallContext => ({
  signal: new AbortController().signal,
  requestId: id,
  receivedAt,
  tenant: { name: "acme", admin: false, allowedModels: undefined, limits: undefined, budget: undefined },
});

const roundOf = (call: CallContext, buffered: boolean): Round => ({
  request: {
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    user: "",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
    stop: [],
    temperature: 0,
  },
  call,
  buffered,
  model,
  upstream: { messages: [], maxTokens: 500, stop: [] },
  promptTokens: 1,
});

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const doneOf = (events: ChatStreamEvent[]): ChatResult => {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`the stream ended with ${last?.type}`);
  return last.result;
};

describe("cache stage: hits", () => {
  it("answers a streamed round from the cache in word-sized deltas, without calling next", async () => {
    const clock = manualClock(5_000);
    const { cache, recorded } = fakeCache({}, hit);
    const up = upstream();
    const events = await drain(cacheStage({ cache, clock })(up.next)(roundOf(callOf("r2", 4_990), false)));
    expect(up.calls()).toBe(0);
    expect(events.slice(0, 2)).toEqual([
      { type: "cache", status: "hit_exact" },
      { type: "answering", provider: "p2" },
    ]);
    const deltas = events.filter((e) => e.type === "delta").map((e) => e.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas).toEqual(deltasOf(LONG));
    expect(deltas.join("")).toBe(LONG);
    // Cut between words: every delta but the last ends in a space.
    for (const d of deltas.slice(0, -1)) expect(d).toMatch(/ $/);
    const r = doneOf(events);
    expect(r).toMatchObject({ id: "r2", costUsd: 0, savedCostUsd: 0.0042, cacheStatus: "hit_exact", provider: "p2", attempts: [] });
    expect(r.message.content).toBe(LONG);
    expect(r.latencyMs).toBe(10);
    expect(r.timeToFirstTokenMs).toBe(10);
    expect(recorded).toEqual([["acme", r]]);
  });

  it("replays an answer's reasoning as its own event before the text, and its logprobs with the text", async () => {
    const logprobs = [{ token: "Yes", logprob: -0.1, topLogprobs: [] }];
    const stored = result({ message: { role: "assistant", content: "Yes", reasoning: "Thought about it." }, logprobs });
    const withMore: CacheHit = { kind: "hit_exact", answer: { ...cachedAnswerOf(stored, 0) } };
    const { cache } = fakeCache({}, withMore);
    const events = await drain(cacheStage({ cache, clock: manualClock(5_000) })(upstream().next)(roundOf(callOf("r3", 4_990), false)));
    expect(events.filter((e) => e.type === "reasoning" || e.type === "delta")).toEqual([
      { type: "reasoning", text: "Thought about it." },
      { type: "delta", text: "Yes", logprobs },
    ]);
    expect(doneOf(events).logprobs).toEqual(logprobs);
  });

  it("answers a buffered round with one delta holding the whole text", async () => {
    const { cache } = fakeCache({}, hit);
    const up = upstream();
    const events = await drain(cacheStage({ cache, clock: manualClock() })(up.next)(roundOf(callOf("r", 1_000), true)));
    expect(up.calls()).toBe(0);
    expect(events.filter((e) => e.type === "delta")).toEqual([{ type: "delta", text: LONG }]);
    expect(events.map((e) => e.type)).toEqual(["cache", "answering", "delta", "done"]);
    const r = doneOf(events);
    expect(r).toMatchObject({ costUsd: 0, savedCostUsd: 0.0042 });
    expect(r).not.toHaveProperty("timeToFirstTokenMs");
  });
});

describe("cache stage: misses", () => {
  it("calls next, says miss first, stores the answer and records it", async () => {
    const { cache, stored, recorded } = fakeCache({});
    const up = upstream();
    const events = await drain(cacheStage({ cache, clock: manualClock() })(up.next)(roundOf(callOf("r", 1_000), false)));
    expect(up.calls()).toBe(1);
    expect(events.map((e) => e.type)).toEqual(["cache", "answering", "delta", "done"]);
    expect(events[0]).toEqual({ type: "cache", status: "miss" });
    const r = doneOf(events);
    expect(r).toEqual({ ...result(), cacheStatus: "miss" });
    expect(stored).toEqual([[expect.objectContaining({ key: "k", store: true }), result()]]);
    expect(recorded).toEqual([["acme", r]]);
  });

  it("does not store when the plan says not to, and says bypass without a lookup", async () => {
    const { cache, stored, recorded, lookups } = fakeCache({ mode: "bypass", store: false });
    const up = upstream();
    const events = await drain(cacheStage({ cache, clock: manualClock() })(up.next)(roundOf(callOf("r", 1_000), true)));
    expect(events[0]).toEqual({ type: "cache", status: "bypass" });
    expect(up.calls()).toBe(1);
    expect(lookups()).toBe(0);
    expect(stored).toEqual([]);
    expect(doneOf(events).cacheStatus).toBe("bypass");
    expect(recorded).toHaveLength(1);
  });

  it("lets an upstream failure through to the caller", async () => {
    const { cache, stored } = fakeCache({});
    const failing: RoundHandler = async function* () {
      yield* [];
      throw new Error("upstream broke");
    };
    const events: ChatStreamEvent[] = [];
    await expect(
      (async () => {
        for await (const e of cacheStage({ cache, clock: manualClock() })(failing)(roundOf(callOf("r", 1_000), false))) events.push(e);
      })(),
    ).rejects.toThrow("upstream broke");
    expect(events).toEqual([{ type: "cache", status: "miss" }]);
    expect(stored).toEqual([]);
  });
});

describe("cache stage: coalescing", () => {
  it("shares one upstream call between two identical rounds in flight; the second is coalesced and costs nothing", async () => {
    const clock = manualClock(2_000);
    const { cache, stored, recorded } = fakeCache({});
    const up = upstream();
    const stage = cacheStage({ cache, clock, flights: createFlights() })(up.next);
    const first = stage(roundOf(callOf("leader", 2_000), false))[Symbol.asyncIterator]();
    const second = stage(roundOf(callOf("follower", 1_990), false))[Symbol.asyncIterator]();
    // Both are in flight once each has said how the cache answers.
    expect((await first.next()).value).toEqual({ type: "cache", status: "miss" });
    expect((await second.next()).value).toEqual({ type: "cache", status: "coalesced" });
    const rest = async (it: AsyncIterator<ChatStreamEvent>) => {
      const out: ChatStreamEvent[] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value);
      return out;
    };
    const [a, b] = await Promise.all([rest(first), rest(second)]);
    expect(up.calls()).toBe(1);
    expect(a.map((e) => e.type)).toEqual(["answering", "delta", "done"]);
    expect(b.map((e) => e.type)).toEqual(["answering", "delta", "done"]);
    expect(doneOf(a)).toMatchObject({ id: "leader", costUsd: 0.003, cacheStatus: "miss" });
    expect(doneOf(a)).not.toHaveProperty("savedCostUsd");
    const follower = doneOf(b);
    expect(follower).toMatchObject({ id: "follower", costUsd: 0, savedCostUsd: 0.003, cacheStatus: "coalesced", attempts: [] });
    expect(follower.message.content).toBe("fresh answer");
    expect(follower.latencyMs).toBe(10);
    // Its overhead is at most the leader's: the upstream wait was not the gateway's.
    expect(follower.gatewayOverheadMs).toBe(2);
    expect(stored).toHaveLength(1);
    expect(recorded.map(([, r]) => r.cacheStatus).sort()).toEqual(["coalesced", "miss"]);
  });

  it("does not coalesce a streamed round with a buffered one", async () => {
    const { cache } = fakeCache({});
    const up = upstream();
    const stage = cacheStage({ cache, clock: manualClock(), flights: createFlights() })(up.next);
    const first = stage(roundOf(callOf("a", 1_000), false))[Symbol.asyncIterator]();
    const second = stage(roundOf(callOf("b", 1_000), true))[Symbol.asyncIterator]();
    expect((await first.next()).value).toEqual({ type: "cache", status: "miss" });
    expect((await second.next()).value).toEqual({ type: "cache", status: "miss" });
    await Promise.all([drain({ [Symbol.asyncIterator]: () => first }), drain({ [Symbol.asyncIterator]: () => second })]);
    expect(up.calls()).toBe(2);
  });
});
