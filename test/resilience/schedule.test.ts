import { describe, expect, it } from "vitest";
import type { CallContext } from "../../src/core/call.js";
import type { Deployment } from "../../src/core/catalog.js";
import { GatewayError, type GatewayErrorReason } from "../../src/core/errors.js";
import type { Breakers } from "../../src/resilience/breakers.js";
import { backoffMs, createRetryBudget, type RetryOptions } from "../../src/resilience/retry.js";
import { createAttemptSchedule, type AttemptSchedule } from "../../src/resilience/schedule.js";
import { manualClock } from "../support/manual-clock.js";

const dep = (provider: string): Deployment => ({
  id: `${provider}/m`,
  provider,
  providerKind: "openai",
  upstreamModel: "m",
  weight: 1,
  priority: 0,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  inputPricePerMillion: 0,
  outputPricePerMillion: 0,
});
const a = dep("a");
const b = dep("b");
const retry: RetryOptions = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, budgetRatio: 0.2, budgetBurst: 10 };

function breakers(open: Set<string> = new Set()): Breakers {
  const permit = { success() {}, failure() {}, release() {} };
  return { admit: (id) => (open.has(id) ? undefined : permit), state: () => "closed", retryAfterMs: () => 0, onChange() {}, forget() {} };
}

function setup(
  overrides: { retry?: Partial<RetryOptions>; deadlineIn?: number; open?: Set<string>; budget?: ReturnType<typeof createRetryBudget> } = {},
) {
  const clock = manualClock();
  const call: CallContext = {
    signal: new AbortController().signal,
    requestId: "r",
    receivedAt: clock.monotonic(),
    deadlineAt: overrides.deadlineIn === undefined ? undefined : clock.monotonic() + overrides.deadlineIn,
  };
  const options = { ...retry, ...overrides.retry };
  const schedule = createAttemptSchedule({
    order: [a, b],
    breakers: breakers(overrides.open),
    retry: options,
    budget: overrides.budget ?? createRetryBudget(options.budgetRatio, options.budgetBurst),
    clock,
    call,
    random: () => 0.5,
  });
  return { clock, schedule };
}

const fail = (reason: GatewayErrorReason, retryAfterMs?: number) =>
  new GatewayError(reason, "x", retryAfterMs === undefined ? {} : { retryAfterMs });

/** Runs a schedule where every attempt fails with the given error; returns the providers tried. */
async function drain(schedule: AttemptSchedule, error: GatewayError): Promise<string[]> {
  const tried: string[] = [];
  for (let s = await schedule.next(); s; s = await schedule.next({ deployment: s.deployment, error })) tried.push(s.deployment.provider);
  return tried;
}

describe("attempt schedule", () => {
  it("falls back through every deployment at once, then retries after a jittered backoff, up to the attempt limit", async () => {
    const { clock, schedule } = setup();
    expect(await drain(schedule, fail("UPSTREAM_UNAVAILABLE"))).toEqual(["a", "b", "a", "b"]);
    // No wait before the fallback; full jitter at random()=0.5: half of 100, then half of 200.
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it("waits at least the upstream's Retry-After", async () => {
    const { clock, schedule } = setup({ retry: { maxAttempts: 3 } });
    await drain(schedule, fail("UPSTREAM_RATE_LIMITED", 5_000));
    expect(clock.sleeps).toEqual([5_000]);
  });

  it("does not wait past the caller's deadline: it gives up at once", async () => {
    const { clock, schedule } = setup({ deadlineIn: 1_000 });
    expect(await drain(schedule, fail("UPSTREAM_RATE_LIMITED", 5_000))).toEqual(["a", "b"]);
    expect(clock.sleeps).toEqual([]);
  });

  it.each<GatewayErrorReason>(["UPSTREAM_AUTH_FAILED", "UPSTREAM_BAD_REQUEST", "INVALID_REQUEST"])("never retries %s", async (reason) => {
    const { clock, schedule } = setup();
    expect(await drain(schedule, fail(reason))).toEqual(["a", "b"]);
    expect(clock.sleeps).toEqual([]);
  });

  it("skips deployments whose breaker is open", async () => {
    const { schedule } = setup({ open: new Set(["a/m"]) });
    // A skipped deployment is not an attempt: all four go to b.
    expect(await drain(schedule, fail("UPSTREAM_UNAVAILABLE"))).toEqual(["b", "b", "b", "b"]);
    expect(schedule.skipped.map((d) => d.provider)).toEqual(["a"]);
  });

  it("stops retrying when the gateway-wide budget is spent, across calls", async () => {
    const budget = createRetryBudget(0, 1);
    const first = setup({ budget });
    expect(await drain(first.schedule, fail("UPSTREAM_UNAVAILABLE"))).toEqual(["a", "b", "a"]);
    const second = setup({ budget });
    expect(await drain(second.schedule, fail("UPSTREAM_UNAVAILABLE"))).toEqual(["a", "b"]);
  });
});

describe("retry budget and backoff", () => {
  it("earns a fraction of a retry per call, capped at the burst", () => {
    const budget = createRetryBudget(0.25, 2);
    expect([budget.withdraw(), budget.withdraw(), budget.withdraw()]).toEqual([true, true, false]);
    for (let i = 0; i < 4; i++) budget.deposit();
    expect(budget.withdraw()).toBe(true);
    expect(budget.withdraw()).toBe(false);
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.balance()).toBe(2);
  });

  it.each([
    [1, 0, 0],
    [1, 0.999, 99.9],
    [3, 0.5, 200],
    [10, 0.999, 999],
  ])("full jitter: retry %i at random %f waits %f ms", (retryNo, r, expected) => {
    expect(backoffMs(retryNo, { baseDelayMs: 100, maxDelayMs: 1_000 }, () => r)).toBeCloseTo(expected, 6);
  });
});

describe("hedges and every racer's failure", () => {
  it("nextUntried gives a deployment not tried yet at once, and never a retry", async () => {
    const { clock, schedule } = setup();
    expect((await schedule.next())?.deployment).toBe(a);
    expect(schedule.nextUntried()?.deployment).toBe(b);
    // Both tried: a hedge now would have to be a retry, with its backoff; there is none to give.
    schedule.failed({ deployment: a, error: new GatewayError("UPSTREAM_UNAVAILABLE", "x") });
    expect(schedule.nextUntried()).toBeUndefined();
    expect(clock.sleeps).toEqual([]);
  });

  it("failed() notes a racer's failure, so that its deployment is retried too", async () => {
    const { schedule } = setup();
    await schedule.next();
    schedule.nextUntried();
    schedule.failed({ deployment: a, error: new GatewayError("UPSTREAM_UNAVAILABLE", "x") });
    schedule.failed({ deployment: b, error: new GatewayError("UPSTREAM_TIMEOUT", "y") });
    const retried = [(await schedule.next())?.deployment, (await schedule.next())?.deployment];
    expect(new Set(retried)).toEqual(new Set([a, b]));
  });
});
