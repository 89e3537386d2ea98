import { describe, expect, it } from "vitest";
import type { ProviderChunk } from "../../providers/provider.js";
import { answer, hang, resultOf, setup, type Script } from "./attempts.fixtures.js";

/**
 * The attempt's timers, and what counts as an answer: a tool call is a first
 * token, a stream that ends before any answer never wins a race, and a slow
 * reader's pauses are not the provider's time.
 */
describe("attempt timers and first answers", () => {
  it("a tool-call-only answer counts as a first token: the first-token timer does not kill it", async () => {
    let reached!: () => void;
    const past = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const toolOnly: Script = async function* (signal) {
      yield { type: "started" };
      yield { type: "progress" };
      // Resumed only once the attempt has taken the progress chunk and asks for more.
      reached();
      // The tool call's arguments take longer than the first-token timeout (30 s in the fixtures); an abort ends it, as in the SDKs.
      await released;
      signal.throwIfAborted();
      yield { type: "end", finishReason: "tool_calls", model: "m", toolCalls: [{ id: "c1", name: "f", argumentsJson: "{}" }] };
    };
    const t = setup({ p1: [toolOnly], p2: [answer(["fallback"])] }, { buffered: true });
    const running = t.run();
    await past;
    t.clock.advance(31_000);
    release();
    const { events, error } = await running;
    expect(error).toBeUndefined();
    expect(resultOf(events)).toMatchObject({ provider: "p1", finishReason: "tool_calls" });
  });

  it("a stream that ends before any answer (an SDK quietly ending on abort) never wins the hedged race", async () => {
    const quietEnd: Script = async function* (signal) {
      yield { type: "started" };
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      // Like the SDKs: no error, the iteration just ends.
    };
    const t = setup({ p1: [quietEnd], p2: [answer(["hedge", " answers"])] }, { hedgeAfterMs: 100 });
    const running = t.run();
    await t.p1.begun;
    t.clock.advance(150);
    await t.p2.begun;
    // The primary's first-token timer fires: its stream ends with nothing; the hedge is not stopped for it.
    t.clock.advance(30_000);
    const { events, error } = await running;
    expect(error).toBeUndefined();
    expect(resultOf(events).provider).toBe("p2");
  });

  it("time a slow reader spends not reading is not counted against the provider's whole-call timeout", async () => {
    // Like an SDK's stream: each chunk is read only if the request was not aborted meanwhile.
    const careful: Script = async function* (signal) {
      const chunks: ProviderChunk[] = [
        { type: "started" },
        { type: "delta", text: "a " },
        { type: "delta", text: "b " },
        { type: "delta", text: "c" },
      ];
      for (const c of chunks) {
        signal.throwIfAborted();
        yield c;
      }
      signal.throwIfAborted();
      yield { type: "end", finishReason: "stop", model: "m", usage: { inputTokens: 1, outputTokens: 3 } };
    };
    const t = setup({ p1: [careful], p2: [answer(["never"])] });
    const it = t.stream()[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: "answering", provider: "p1" });
    expect((await it.next()).value).toEqual({ type: "delta", text: "a " });
    // The caller holds the stream for two minutes, past the 60 s timeout of the fixtures' deployments.
    t.clock.advance(120_000);
    const rest: string[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) if (r.value.type === "delta") rest.push(r.value.text);
    expect(rest).toEqual(["b ", "c"]);
    expect(t.stats.get("p1/p1-model")).toMatchObject({ failures: 0 });
  });

  it("a provider that never accepts the request is given up after the headers timeout; the fallback answers", async () => {
    const t = setup({ p1: [hang()], p2: [answer(["saved"])] }, { buffered: true });
    const running = t.run();
    await t.p1.begun;
    t.clock.advance(5_001);
    const { events } = await running;
    const r = resultOf(events);
    expect(r.provider).toBe("p2");
    expect(r.attempts[0]).toMatchObject({ provider: "p1", errorReason: "UPSTREAM_TIMEOUT" });
  });
});
