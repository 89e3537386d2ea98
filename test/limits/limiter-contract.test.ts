import { beforeEach, describe, expect, it } from "vitest";
import type { RateLimiter } from "../../src/limits/limiter.js";
import { createMemoryRateLimiter } from "../../src/limits/memory-limiter.js";
import { createRedisRateLimiter } from "../../src/limits/redis-limiter.js";
import { manualClock, type ManualClock } from "../support/manual-clock.js";
import { redisBackends } from "../support/redis-cluster.js";

const backends: [string, (clock: ManualClock) => RateLimiter][] = [
  ["memory", (clock) => createMemoryRateLimiter(clock)],
  ...redisBackends((client) => (clock: ManualClock) => createRedisRateLimiter(client(), clock)),
];

/** One contract, both stores: what the gateway relies on, whatever the backend. */
describe.each(backends)("rate limiter contract: %s", (_name, make) => {
  let clock: ManualClock;
  let limiter: RateLimiter;
  beforeEach(async () => {
    // Start at a minute boundary plus 10 s, so that window arithmetic is easy to read.
    clock = manualClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    limiter = make(clock);
  });

  it("reports a caller's standing in each window, for operators", async () => {
    expect(await limiter.usage("k")).toEqual({ requestsLastMinute: 0, requestsLastHour: 0, tokensLastMinute: 0 });
    await limiter.admit("k", 100, { tokensPerMinute: 10_000 });
    clock.advance(30_000);
    const r = await limiter.admit("k", 50, { tokensPerMinute: 10_000 });
    if (r.admitted) await r.reservation.reconcile(20);
    expect(await limiter.usage("k")).toEqual({ requestsLastMinute: 2, requestsLastHour: 2, tokensLastMinute: 120 });
    clock.advance(40_000);
    // 70 s on: the first request has left the minute but not the hour.
    expect((await limiter.usage("k")).requestsLastMinute).toBe(1);
    expect((await limiter.usage("k")).requestsLastHour).toBe(2);
    expect(await limiter.usage("other")).toEqual({ requestsLastMinute: 0, requestsLastHour: 0, tokensLastMinute: 0 });
  });

  it("admits up to requestsPerMinute in a sliding minute, then says when the oldest leaves the window", async () => {
    const limits = { requestsPerMinute: 3 };
    for (let i = 0; i < 3; i++) {
      expect((await limiter.admit("k", 0, limits)).admitted).toBe(true);
      clock.advance(1_000);
    }
    const refused = await limiter.admit("k", 0, limits);
    expect(refused).toEqual({ admitted: false, limit: "rpm", retryAfterMs: 60_000 - 3_000 });
    clock.advance(57_000);
    expect((await limiter.admit("k", 0, limits)).admitted).toBe(true);
  });

  it("counts requestsPerHour over the sliding hour", async () => {
    const limits = { requestsPerHour: 2 };
    await limiter.admit("k", 0, limits);
    clock.advance(30 * 60_000);
    await limiter.admit("k", 0, limits);
    const refused = await limiter.admit("k", 0, limits);
    expect(refused).toMatchObject({ admitted: false, limit: "rph", retryAfterMs: 30 * 60_000 });
    clock.advance(30 * 60_000);
    expect((await limiter.admit("k", 0, limits)).admitted).toBe(true);
  });

  it("reserves estimated tokens and gives back what the call did not use", async () => {
    const limits = { tokensPerMinute: 1_000 };
    const first = await limiter.admit("k", 800, limits);
    expect(first.admitted).toBe(true);
    expect((await limiter.admit("k", 300, limits)).admitted).toBe(false);
    if (first.admitted) await first.reservation.reconcile(100);
    expect((await limiter.admit("k", 300, limits)).admitted).toBe(true);
  });

  it("lets the previous minute's tokens fade as the current minute passes", async () => {
    const limits = { tokensPerMinute: 1_000 };
    expect((await limiter.admit("k", 1_000, limits)).admitted).toBe(true);
    // 12:01:10: the previous minute still counts 5/6 of its 1000 tokens.
    clock.advance(60_000);
    const refused = await limiter.admit("k", 500, limits);
    expect(refused.admitted).toBe(false);
    // It fits once 1000·(1 − t) + 500 ≤ 1000, t = 0.5: at 12:01:30, 20 s from now.
    expect(refused.admitted === false && refused.retryAfterMs).toBe(20_000);
    clock.advance(20_000);
    expect((await limiter.admit("k", 500, limits)).admitted).toBe(true);
  });

  it("keeps callers apart", async () => {
    const limits = { requestsPerMinute: 1 };
    expect((await limiter.admit("a", 0, limits)).admitted).toBe(true);
    expect((await limiter.admit("b", 0, limits)).admitted).toBe(true);
    expect((await limiter.admit("a", 0, limits)).admitted).toBe(false);
  });

  it("checks nothing it was not given", async () => {
    for (let i = 0; i < 50; i++) expect((await limiter.admit("k", 10_000, {})).admitted).toBe(true);
  });
});

describe("memory limiter bounds", () => {
  it("tracks at most maxCallers keys: invented callers share one bucket, and idle ones are forgotten", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const limiter = createMemoryRateLimiter(clock, 3);
    const limits = { requestsPerMinute: 2 };
    for (const k of ["a", "b", "c"]) expect((await limiter.admit(k, 1, limits)).admitted).toBe(true);
    // Full: new keys share the overflow bucket, which the limits still apply to.
    expect((await limiter.admit("d", 1, limits)).admitted).toBe(true);
    expect((await limiter.admit("e", 1, limits)).admitted).toBe(true);
    expect((await limiter.admit("f", 1, limits)).admitted).toBe(false);
    // An hour later the idle keys are forgotten and a new key gets its own bucket.
    clock.advance(61 * 60_000);
    expect((await limiter.admit("g", 1, limits)).admitted).toBe(true);
    expect((await limiter.usage("g")).requestsLastMinute).toBe(1);
  });
});
