import { describe, expect, it } from "vitest";
import { manualClock, type ManualClock } from "../../test/support/manual-clock.js";
import type { CallContext } from "../core/call.js";
import type { Deployment } from "../core/catalog.js";
import { isGatewayError } from "../core/errors.js";
import { createSlots, type Slot } from "./slots.js";
import type { QueueSettings } from "./wait-line.js";

const settings: QueueSettings = { enabled: true, maxWaitMs: 30_000, maxDepth: 1_000, reserveMs: 1_000, weights: {} };
const deployment = (maxConcurrent?: number): Deployment => ({
  id: "p/m",
  provider: "p",
  providerKind: "openai",
  upstreamModel: "m",
  weight: 1,
  priority: 0,
  inputPricePerMillion: 0,
  outputPricePerMillion: 0,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  ...(maxConcurrent === undefined ? {} : { maxConcurrent }),
});

function callOf(clock: ManualClock, timeoutMs?: number): CallContext & { abort(): void } {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    deadlineAt: timeoutMs === undefined ? undefined : clock.monotonic() + timeoutMs,
    requestId: "r",
    receivedAt: clock.monotonic(),
    abort: () => controller.abort(),
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe("Slots", () => {
  it("never lets more than the cap in flight, and serves two backlogged tenants of weights 2 and 1 two to one", async () => {
    const clock = manualClock(0);
    const slots = createSlots({ clock, settings: { ...settings, weights: { a: 2, b: 1 } } });
    const d = deployment(2);
    let inFlight = 0;
    let most = 0;
    const served: string[] = [];
    const held: Slot[] = [];
    const calls = ["a", "b"].flatMap((flow) =>
      Array.from({ length: 12 }, async () => {
        const got = await slots.acquire("model", d, { flow, weight: flow === "a" ? 2 : 1, priority: 5, call: callOf(clock, 600_000) });
        if (!got.slot) throw new Error("refused");
        inFlight++;
        most = Math.max(most, inFlight);
        served.push(flow);
        held.push({
          release() {
            inFlight--;
            got.slot.release();
          },
        });
      }),
    );
    await flush();
    expect(slots.state("model", d)).toMatchObject({ inFlight: 2, maxConcurrent: 2, depth: 22 });
    // Attempts end one at a time; each freed slot goes to the next in the fair order.
    while (held.length > 0) {
      clock.advance(100);
      held.shift()!.release();
      await flush();
    }
    await Promise.all(calls);
    expect(most).toBe(2);
    // Two of a's came straight in; while both tenants wait (a's other 10 and 5 of b's), a is served twice as often.
    expect(served.slice(0, 2)).toEqual(["a", "a"]);
    const both = served.slice(2, 17);
    for (let i = 0; i < 15; i += 3) expect(both.slice(i, i + 3).filter((f) => f === "a")).toHaveLength(2);
    expect(served.slice(17)).toEqual(Array(7).fill("b"));
  });

  it("refuses at once a call whose expected wait outlives its deadline, and one still waiting when its time is up", async () => {
    const clock = manualClock(0);
    const slots = createSlots({ clock, settings });
    const d = deployment(1);
    const t = { flow: "a", weight: 1, priority: 5 };
    // Slots have been held 10 s on average.
    const first = await slots.acquire("model", d, { ...t, call: callOf(clock, 600_000) });
    clock.advance(10_000);
    first.slot!.release();
    const busy = await slots.acquire("model", d, { ...t, call: callOf(clock, 600_000) });
    expect(busy.slot).toBeDefined();
    // Expected 10 s against 5 s left (less the reserve): refused now, saying how long.
    const hopeless = await slots.acquire("model", d, { ...t, call: callOf(clock, 5_000) });
    expect(hopeless).toEqual({ retryAfterMs: 10_000 });
    // Expected 10 s against 20 s: it waits; the slot is held longer than usual, so at 19 s (20 s less the reserve) it is refused.
    const call = callOf(clock, 20_000);
    const waiting = slots.acquire("model", d, { ...t, call });
    await flush();
    expect(slots.state("model", d)?.depth).toBe(1);
    clock.advance(19_000);
    const got = await waiting;
    expect(got.slot).toBeUndefined();
    expect(clock.monotonic()).toBeLessThan(call.deadlineAt!);
    expect(slots.state("model", d)).toMatchObject({ inFlight: 1, depth: 0 });
  });

  it("lets a cancelled call leave at once, never holding a slot", async () => {
    const clock = manualClock(0);
    const slots = createSlots({ clock, settings });
    const d = deployment(1);
    const t = { flow: "a", weight: 1, priority: 5 };
    const first = await slots.acquire("model", d, { ...t, call: callOf(clock, 600_000) });
    const gone = callOf(clock, 600_000);
    const cancelled = slots.acquire("model", d, { ...t, call: gone }).catch((e: unknown) => e);
    const next = slots.acquire("model", d, { ...t, call: callOf(clock, 600_000) });
    await flush();
    gone.abort();
    const err = await cancelled;
    expect(isGatewayError(err) && err.reason).toBe("CANCELLED");
    expect(slots.state("model", d)?.depth).toBe(1);
    first.slot!.release();
    expect((await next).slot).toBeDefined();
    expect(slots.state("model", d)).toMatchObject({ inFlight: 1, depth: 0 });
  });

  it("gives an uncapped deployment a slot always, and a hedge a slot only when one is free", async () => {
    const clock = manualClock(0);
    const slots = createSlots({ clock, settings });
    expect(slots.tryAcquire("model", deployment())).toBeDefined();
    expect(slots.state("model", deployment())).toBeUndefined();
    const d = deployment(1);
    const held = slots.tryAcquire("model", d);
    expect(held).toBeDefined();
    expect(slots.tryAcquire("model", d)).toBeUndefined();
    held!.release();
    held!.release();
    expect(slots.state("model", d)?.inFlight).toBe(0);
  });

  it("takes a deployment's new cap after a reload: a raised cap lets waiting calls in, a lowered one holds newcomers", async () => {
    const clock = manualClock(0);
    const slots = createSlots({ clock, settings });
    const t = { flow: "a", weight: 1, priority: 5 };
    const first = await slots.acquire("model", deployment(1), { ...t, call: callOf(clock, 600_000) });
    const waiting = slots.acquire("model", deployment(1), { ...t, call: callOf(clock, 600_000) });
    await flush();
    expect(slots.state("model", deployment(1))).toMatchObject({ inFlight: 1, depth: 1 });
    // The reloaded catalogue's deployment object has maxConcurrent 3: the waiting call gets in without a release.
    expect(slots.tryAcquire("model", deployment(3))).toBeDefined();
    expect((await waiting).slot).toBeDefined();
    expect(slots.state("model", deployment(3))).toMatchObject({ inFlight: 3, maxConcurrent: 3, depth: 0 });
    // Lowered to 2 with 3 in flight: no newcomer until enough are released.
    expect(slots.tryAcquire("model", deployment(2))).toBeUndefined();
    first.slot!.release();
    expect(slots.tryAcquire("model", deployment(2))).toBeUndefined();
    expect(slots.state("model", deployment(2))).toMatchObject({ inFlight: 2, maxConcurrent: 2 });
  });
});
