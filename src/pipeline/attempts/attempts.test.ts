import { describe, expect, it } from "vitest";
import type { ProviderChunk } from "../../providers/provider.js";
import { answer, fail, hang, resultOf, setup, untouched, type Script } from "./attempts.fixtures.js";

describe("attempts", () => {
  it("streams a round: answering, each delta as it comes, then done", async () => {
    const t = setup({ p1: [answer(["Hel", "lo"])], p2: [answer(["never"])] });
    const { events, error } = await t.run();
    expect(error).toBeUndefined();
    expect(events.slice(0, -1)).toEqual([
      { type: "answering", provider: "p1" },
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
    ]);
    const r = resultOf(events);
    expect(r).toMatchObject({
      id: "req-1",
      message: { role: "assistant", content: "Hello" },
      finishReason: "stop",
      usage: { inputTokens: 3, outputTokens: 2, estimated: false },
      provider: "p1",
      model: "upstream-v1",
      cacheStatus: "miss",
      attempts: [{ provider: "p1", model: "p1-model", latencyMs: 0 }],
      timeToFirstTokenMs: 0,
    });
    expect(r.costUsd).toBeCloseTo((3 * 1 + 2 * 2) / 1e6, 12);
    expect(t.p2.signals).toHaveLength(0);
    expect(t.verdicts).toEqual(["p1/p1-model:success"]);
    expect(t.stats.get("p1/p1-model")).toMatchObject({ calls: 1, failures: 0 });
  });

  it("collects a buffered round: answering, one delta with the whole text, then done", async () => {
    const t = setup({ p1: [answer(["Hel", "lo", " world"])], p2: [] }, { buffered: true });
    const { events } = await t.run();
    expect(events.slice(0, -1)).toEqual([
      { type: "answering", provider: "p1" },
      { type: "delta", text: "Hello world" },
    ]);
    expect(resultOf(events)).not.toHaveProperty("timeToFirstTokenMs");
  });

  it("falls back when the first deployment fails before any chunk; attempts lists both", async () => {
    const t = setup({ p1: [fail("UPSTREAM_UNAVAILABLE")], p2: [answer(["from p2"])] });
    const { events } = await t.run();
    expect(events.filter((e) => e.type === "answering")).toEqual([{ type: "answering", provider: "p2" }]);
    const r = resultOf(events);
    expect(r.provider).toBe("p2");
    expect(r.costUsd).toBeCloseTo((3 * 10 + 2 * 20) / 1e6, 12);
    expect(r.attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["p1", "UPSTREAM_UNAVAILABLE"],
      ["p2", undefined],
    ]);
    expect(t.stats.get("p1/p1-model")).toMatchObject({ failures: 1 });
    expect(t.verdicts).toEqual(["p1/p1-model:failure", "p2/p2-model:success"]);
    expect(untouched(t.health, "p1")?.status).toBe("degraded");
  });

  it("does not fall back from a bad request: it would fail everywhere", async () => {
    const t = setup({ p1: [fail("UPSTREAM_BAD_REQUEST", [{ type: "started" }])], p2: [answer(["x"])] });
    const { error } = await t.run();
    expect(error?.reason).toBe("UPSTREAM_BAD_REQUEST");
    expect(t.p2.signals).toHaveLength(0);
    expect(t.verdicts).toEqual(["p1/p1-model:release"]);
  });

  it("with continuation off, a streamed failure after a delta is STREAM_INTERRUPTED, and nobody else is asked", async () => {
    const t = setup(
      { p1: [fail("UPSTREAM_UNAVAILABLE", [{ type: "started" }, { type: "delta", text: "partial" }])], p2: [answer(["x"])] },
      { continueStreams: false },
    );
    const { events, error } = await t.run();
    expect(events).toEqual([
      { type: "answering", provider: "p1" },
      { type: "delta", text: "partial" },
    ]);
    expect(error).toMatchObject({
      reason: "STREAM_INTERRUPTED",
      metadata: { provider: "p1", delivered_chars: "7", upstream_reason: "UPSTREAM_UNAVAILABLE" },
    });
    expect(t.p2.signals).toHaveLength(0);
    expect(t.verdicts).toEqual(["p1/p1-model:failure"]);
  });

  it("a buffered failure mid-answer falls back invisibly", async () => {
    const t = setup(
      { p1: [fail("UPSTREAM_UNAVAILABLE", [{ type: "started" }, { type: "delta", text: "partial" }])], p2: [answer(["whole"])] },
      { buffered: true },
    );
    const { events, error } = await t.run();
    expect(error).toBeUndefined();
    expect(events.slice(0, -1)).toEqual([
      { type: "answering", provider: "p2" },
      { type: "delta", text: "whole" },
    ]);
    expect(resultOf(events).attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["p1", "UPSTREAM_UNAVAILABLE"],
      ["p2", undefined],
    ]);
  });

  it("a caller that stops reading mid-answer closes the upstream stream and gives no verdict", async () => {
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    const slow: Script = async function* () {
      try {
        yield* [{ type: "started" }, { type: "delta", text: "one" }, { type: "delta", text: "two" }] as ProviderChunk[];
      } finally {
        close();
      }
    };
    const t = setup({ p1: [slow], p2: [] });
    const it = t.stream()[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: "answering", provider: "p1" });
    expect((await it.next()).value).toEqual({ type: "delta", text: "one" });
    await it.return?.();
    // The provider's stream is closed (its finally runs), though not awaited by the gateway.
    await closed;
    expect(t.verdicts).toEqual(["p1/p1-model:release"]);
    expect(t.stats.get("p1/p1-model")).toBeUndefined();
  });

  it("the caller's abort while a provider waits is CANCELLED, and the deployment is not blamed", async () => {
    const t = setup({ p1: [hang([{ type: "started" }])], p2: [answer(["x"])] });
    const outcome = t.run();
    await t.p1.begun;
    t.controller.abort();
    const { events, error } = await outcome;
    expect(events).toEqual([]);
    expect(error).toMatchObject({ reason: "CANCELLED" });
    expect(t.p1.signals[0]?.aborted).toBe(true);
    expect(t.p2.signals).toHaveLength(0);
    expect(t.stats.get("p1/p1-model")).toBeUndefined();
    expect(t.verdicts).toEqual(["p1/p1-model:release"]);
    expect(untouched(t.health, "p1")).toMatchObject({ status: "serving", detail: "no calls yet" });
  });

  it("a provider that never starts times out at the headers timeout, and the fallback answers", async () => {
    const t = setup({ p1: [hang()], p2: [answer(["late but fine"])] });
    const outcome = t.run();
    await t.p1.begun;
    t.clock.advance(4_999);
    expect(t.p1.signals[0]?.aborted).toBe(false);
    t.clock.advance(1);
    expect(t.p1.signals[0]?.reason).toMatchObject({ reason: "UPSTREAM_TIMEOUT" });
    const { events, error } = await outcome;
    expect(error).toBeUndefined();
    const r = resultOf(events);
    expect(r.provider).toBe("p2");
    expect(r.attempts[0]).toMatchObject({ provider: "p1", errorReason: "UPSTREAM_TIMEOUT", latencyMs: 5_000 });
    expect(r.attempts[0]?.errorMessage).toBe("p1: did not accept the request within 5000 ms");
    expect(t.stats.get("p1/p1-model")?.lastError).toContain("did not accept the request");
    expect(t.verdicts).toEqual(["p1/p1-model:failure", "p2/p2-model:success"]);
  });

  it("says the headers phase when no deployment is left after the timeout", async () => {
    const t = setup({ p1: [hang()], p2: [hang()] });
    const outcome = t.run();
    await t.p1.begun;
    t.clock.advance(5_000);
    await t.p2.begun;
    t.clock.advance(5_000);
    const { error } = await outcome;
    expect(error).toMatchObject({ reason: "UPSTREAM_UNAVAILABLE", metadata: { attempts: "p1:UPSTREAM_TIMEOUT,p2:UPSTREAM_TIMEOUT" } });
    expect(error?.cause).toMatchObject({ reason: "UPSTREAM_TIMEOUT", metadata: { provider: "p2", phase: "headers", timeout_ms: "5000" } });
  });

  it("hedges: past hedgeAfterMs the next deployment starts too, the first to answer wins, the loser is CANCELLED and not blamed", async () => {
    const t = setup({ p1: [hang([{ type: "started" }])], p2: [answer(["hedged"])] }, { hedgeAfterMs: 200, buffered: true });
    const outcome = t.run();
    await t.p1.begun;
    t.clock.advance(199);
    // Let every pending promise job run (no time passes): the hedge has not started.
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.p2.signals).toHaveLength(0);
    t.clock.advance(1);
    const { events, error } = await outcome;
    expect(error).toBeUndefined();
    const r = resultOf(events);
    expect(r.provider).toBe("p2");
    expect(r.message.content).toBe("hedged");
    expect(r.attempts).toEqual([
      { provider: "p1", model: "p1-model", errorReason: "CANCELLED", errorMessage: "another attempt answered first", latencyMs: 200 },
      { provider: "p2", model: "p2-model", latencyMs: 0 },
    ]);
    expect(t.p1.signals[0]?.aborted).toBe(true);
    expect(t.stats.get("p1/p1-model")).toBeUndefined();
    expect(t.verdicts).toEqual(["p1/p1-model:release", "p2/p2-model:success"]);
    expect(untouched(t.health, "p1")).toMatchObject({ status: "serving", detail: "no calls yet" });
  });
});
