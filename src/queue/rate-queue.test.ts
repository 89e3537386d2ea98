import { describe, expect, it } from "vitest";
import { manualClock, type ManualClock } from "../../test/support/manual-clock.js";
import type { CallContext } from "../core/call.js";
import { isGatewayError } from "../core/errors.js";
import type { Admission } from "../limits/limiter.js";
import { createMemoryRateLimiter } from "../limits/memory-limiter.js";
import { createRateQueue } from "./rate-queue.js";
import type { QueueSettings, WaitOutcome } from "./wait-line.js";

const N = 10;
const limits = { requestsPerMinute: N };
const settings: QueueSettings = { enabled: true, maxWaitMs: 30_000, maxDepth: 1_000, reserveMs: 1_000, weights: {} };

/** Lets timers' callbacks and the limiter's promises run: the queue's own steps, not a wait for time. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function setup(overrides: Partial<QueueSettings> = {}) {
  const clock = manualClock(0);
  const waits: { outcome: WaitOutcome; seconds: number }[] = [];
  const queue = createRateQueue({
    limiter: createMemoryRateLimiter(clock),
    clock,
    settings: { ...settings, ...overrides },
    observer: { waited: (_kind, seconds, outcome) => waits.push({ seconds, outcome }) },
  });
  return { clock, queue, waits };
}

function callOf(clock: ManualClock, timeoutMs?: number): CallContext & { abort(): void } {
  const controller = new AbortController();
  const now = clock.monotonic();
  return {
    signal: controller.signal,
    deadlineAt: timeoutMs === undefined ? undefined : now + timeoutMs,
    requestId: "r",
    receivedAt: now,
    abort: () => controller.abort(),
  };
}

interface Outcome {
  i: number;
  at: number;
  deadlineAt: number;
  admitted: boolean;
  retryAfterMs?: number;
}

/** Sends `count` calls at once and records when each was admitted or refused. */
function burst(clock: ManualClock, queue: ReturnType<typeof createRateQueue>, count: number, timeoutMs: number) {
  const outcomes: Outcome[] = [];
  const done = Array.from({ length: count }, (_, i) => {
    const call = callOf(clock, timeoutMs);
    return queue.admit("tenant", 10, limits, { flow: "tenant", weight: 1, priority: 5, call }).then((a: Admission) =>
      outcomes.push({
        i,
        at: clock.monotonic(),
        deadlineAt: call.deadlineAt!,
        admitted: a.admitted,
        ...(a.admitted ? {} : { retryAfterMs: a.retryAfterMs }),
      }),
    );
  });
  return { outcomes, done: Promise.all(done) };
}

describe("RateQueue", () => {
  it("under N per minute, a burst of 5N with generous deadlines is admitted in full, N per minute, each before its deadline", async () => {
    const { clock, queue } = setup();
    const { outcomes, done } = burst(clock, queue, 5 * N, 10 * 60_000);
    await flush();
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(N);
    for (let minute = 1; minute <= 4; minute++) {
      clock.advance(60_000);
      await flush();
      expect(outcomes.filter((o) => o.admitted)).toHaveLength((minute + 1) * N);
    }
    await done;
    expect(outcomes.every((o) => o.admitted && o.at < o.deadlineAt)).toBe(true);
    // Served in arrival order, one window's worth at a time.
    expect(outcomes.map((o) => o.i)).toEqual(Array.from({ length: 5 * N }, (_, i) => i));
    expect(queue.depths().reduce((n, d) => n + d.depth, 0)).toBe(0);
  });

  it("refuses at once the calls whose wait would outlive their deadline, and admits every other", async () => {
    const { clock, queue, waits } = setup();
    // 150 s: N now, N after one minute, N after two; the other 2N could not be served in time.
    const { outcomes, done } = burst(clock, queue, 5 * N, 150_000);
    await flush();
    const refusedAtOnce = outcomes.filter((o) => !o.admitted);
    expect(refusedAtOnce).toHaveLength(2 * N);
    expect(refusedAtOnce.every((o) => o.at === 0 && o.retryAfterMs! >= 180_000)).toBe(true);
    clock.advance(60_000);
    await flush();
    clock.advance(60_000);
    await done;
    const admitted = outcomes.filter((o) => o.admitted);
    expect(admitted).toHaveLength(3 * N);
    expect(admitted.every((o) => o.at < o.deadlineAt)).toBe(true);
    expect(waits.filter((w) => w.outcome === "refused")).toHaveLength(2 * N);
    expect(waits.filter((w) => w.outcome === "admitted").map((w) => w.seconds)).toEqual([...Array(N).fill(60), ...Array(N).fill(120)]);
  });

  it("refuses a waiting call before its deadline, never after, when its turn moves past it", async () => {
    const { clock, queue } = setup();
    const one = { requestsPerMinute: 1 };
    expect((await queue.admit("tenant", 10, one, { flow: "tenant", weight: 1, priority: 5, call: callOf(clock, 600_000) })).admitted).toBe(
      true,
    );
    // 61.5 s: the limiter says 60 s, so it waits (it must leave by 60.5 s, keeping the 1 s reserve)...
    const call = callOf(clock, 61_500);
    const late = queue.admit("tenant", 10, one, { flow: "tenant", weight: 1, priority: 5, call });
    await flush();
    // ...until a higher-priority call takes the minute's one place: it is then refused, at 60 s, not at its deadline.
    const urgent = queue.admit("tenant", 10, one, { flow: "tenant", weight: 1, priority: 9, call: callOf(clock, 600_000) });
    await flush();
    clock.advance(60_000);
    const a = await late;
    expect(a).toMatchObject({ admitted: false, limit: "rpm" });
    expect(clock.monotonic()).toBe(60_000);
    expect((await urgent).admitted).toBe(true);
  });

  it("refuses a waiting call when its time is up even if the limiter never answers, before the deadline", async () => {
    const clock = manualClock(0);
    let calls = 0;
    const hanging = createMemoryRateLimiter(clock);
    const queue = createRateQueue({
      limiter: {
        ...hanging,
        // Refused once (retry in 10 s), then a store that hangs: the line must not hang with it.
        admit: async () => (calls++ === 0 ? { admitted: false, limit: "tpm", retryAfterMs: 10_000 } : new Promise<never>(() => {})),
      },
      clock,
      settings,
    });
    const call = callOf(clock, 25_000);
    const outcome = queue.admit("tenant", 10, limits, { flow: "tenant", weight: 1, priority: 5, call });
    await flush();
    clock.advance(10_000);
    await flush();
    clock.advance(13_999);
    await flush();
    expect(queue.depths()[0]?.depth).toBe(1);
    clock.advance(1);
    expect(await outcome).toMatchObject({ admitted: false, limit: "tpm" });
    expect(clock.monotonic()).toBe(24_000);
    expect(clock.monotonic()).toBeLessThan(call.deadlineAt!);
  });

  it("lets a higher-priority call overtake those already waiting", async () => {
    const { clock, queue } = setup();
    await burst(clock, queue, N, 600_000).done;
    const order: string[] = [];
    const join = (id: string, priority: number) =>
      queue.admit("tenant", 10, limits, { flow: "tenant", weight: 1, priority, call: callOf(clock, 600_000) }).then(() => order.push(id));
    const waiting = [join("low1", 5), join("low2", 5), join("low3", 5)];
    await flush();
    waiting.push(join("urgent", 9));
    await flush();
    clock.advance(60_000);
    await Promise.all(waiting);
    expect(order).toEqual(["urgent", "low1", "low2", "low3"]);
  });

  it("lets a cancelled call leave at once with the caller's error, and gives its turn to the next", async () => {
    const { clock, queue, waits } = setup();
    await burst(clock, queue, N, 600_000).done;
    const gone = callOf(clock, 600_000);
    const cancelled = queue.admit("tenant", 10, limits, { flow: "tenant", weight: 1, priority: 5, call: gone }).catch((e: unknown) => e);
    const next = queue.admit("tenant", 10, limits, { flow: "tenant", weight: 1, priority: 5, call: callOf(clock, 600_000) });
    await flush();
    expect(queue.depths()[0]?.depth).toBe(2);
    gone.abort();
    const err = await cancelled;
    expect(isGatewayError(err) && err.reason).toBe("CANCELLED");
    expect(queue.depths()[0]?.depth).toBe(1);
    expect(waits.map((w) => w.outcome)).toEqual(["cancelled"]);
    clock.advance(60_000);
    expect((await next).admitted).toBe(true);
  });

  it("bounds the line: past maxDepth, and for a call with no deadline past maxWaitMs, refused at once", async () => {
    const { clock, queue } = setup({ maxDepth: 2 });
    await burst(clock, queue, N, 600_000).done;
    const t = { flow: "tenant", weight: 1, priority: 5 };
    const waiting = [
      queue.admit("tenant", 10, limits, { ...t, call: callOf(clock, 600_000) }),
      queue.admit("tenant", 10, limits, { ...t, call: callOf(clock, 600_000) }),
    ];
    const full = await queue.admit("tenant", 10, limits, { ...t, call: callOf(clock, 600_000) });
    expect(full.admitted).toBe(false);
    // No deadline: maxWaitMs (30 s) bounds the wait, and a minute is more.
    const { queue: q2, clock: c2 } = setup();
    await burst(c2, q2, N, 600_000).done;
    const noDeadline = await q2.admit("tenant", 10, limits, { ...t, call: callOf(c2) });
    expect(noDeadline).toMatchObject({ admitted: false, limit: "rpm" });
    clock.advance(60_000);
    expect((await Promise.all(waiting)).every((a) => a.admitted)).toBe(true);
  });

  it("refuses at once as before queueing when it is off", async () => {
    const { clock, queue } = setup({ enabled: false });
    await burst(clock, queue, N, 600_000).done;
    const a = await queue.admit("tenant", 10, limits, { flow: "tenant", weight: 1, priority: 5, call: callOf(clock, 600_000) });
    expect(a).toMatchObject({ admitted: false, limit: "rpm" });
    expect(queue.depths()).toEqual([]);
  });
});
