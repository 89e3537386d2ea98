import { describe, expect, it } from "vitest";
import { countTextTokens } from "../../core/tokens.js";
import type { ChatStreamEvent } from "../../core/types.js";
import type { ProviderChunk } from "../../providers/provider.js";
import { answer, fail, resultOf, setup, type Script } from "./attempts.fixtures.js";
import { CONTINUE_INSTRUCTION } from "./continuation.js";

const cut = (...before: ProviderChunk[]) => fail("UPSTREAM_UNAVAILABLE", [{ type: "started" }, ...before]);
const delta = (text: string): ProviderChunk => ({ type: "delta", text });
const texts = (events: ChatStreamEvent[]) => events.flatMap((e) => (e.type === "delta" ? [e.text] : []));

/** An answer that ends without reporting usage, as some compatible servers do. */
const unreported = (text: string[]): Script =>
  async function* () {
    yield { type: "started" };
    for (const t of text) yield { type: "delta", text: t };
    yield { type: "end", finishReason: "stop", model: "upstream-v2" };
  };

describe("continuing a cut stream", () => {
  it("goes on from the delivered text on the next deployment, trims what it repeats, and lists both attempts", async () => {
    const t = setup({ p1: [cut(delta("The quick "), delta("brown "))], p2: [answer(["brown fox", " jumps."])] });
    const { events, error } = await t.run();
    expect(error).toBeUndefined();
    // One "answering" (the caller was told once who answers); the repeat "brown " is trimmed at the join.
    expect(events.filter((e) => e.type === "answering")).toEqual([{ type: "answering", provider: "p1" }]);
    expect(texts(events).join("")).toBe("The quick brown fox jumps.");
    const r = resultOf(events);
    expect(r.message.content).toBe("The quick brown fox jumps.");
    expect(r.provider).toBe("p2");
    expect(r.attempts.map((a) => [a.provider, a.errorReason, a.continuation])).toEqual([
      ["p1", "STREAM_INTERRUPTED", undefined],
      ["p2", undefined, true],
    ]);
    // The continuation was asked with the partial answer and the instruction to go on (OpenAI format has no prefill),
    // with the answer's token allowance less what was delivered.
    expect(t.p2.requests[0]?.messages).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: "The quick brown " },
      { role: "user", content: CONTINUE_INSTRUCTION },
    ]);
    expect(t.p2.requests[0]?.maxTokens).toBe(100 - Math.ceil("The quick brown ".length / 4));
    // Usage and cost count both: p2's as reported, p1's counted up to the cut (so the whole is "estimated").
    const p1Output = await countTextTokens("The quick brown ", "estimate");
    expect(r.usage).toMatchObject({ inputTokens: 3 + 0, outputTokens: 2 + p1Output, estimated: true });
    expect(r.costUsd).toBeCloseTo((3 * 10 + 2 * 20) / 1e6 + (p1Output * 2) / 1e6, 12);
    expect(t.verdicts).toEqual(["p1/p1-model:failure", "p2/p2-model:success"]);
  });

  it("an Anthropic deployment continues by prefill: the partial answer, without its trailing space, ends the conversation", async () => {
    const t = setup({ p1: [cut(delta("The quick brown "))], p2: [answer([" fox."])] }, { p2Kind: "anthropic" });
    const { events, error } = await t.run();
    expect(error).toBeUndefined();
    expect(texts(events).join("")).toBe("The quick brown fox.");
    expect(t.p2.requests[0]?.messages).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: "The quick brown" },
    ]);
  });

  it("asks for no thinking on the continuation, and keeps its reasoning from the caller", async () => {
    const thinking: Script = async function* () {
      yield { type: "started" };
      yield { type: "reasoning", text: "second thoughts" };
      yield { type: "delta", text: "rest." };
      yield { type: "end", finishReason: "stop", model: "m2", usage: { inputTokens: 1, outputTokens: 1 } };
    };
    const t = setup(
      { p1: [cut({ type: "reasoning", text: "first thoughts" }, delta("Answer: "))], p2: [thinking] },
      { upstream: { reasoning: { effort: "low" } } },
    );
    const { events, error } = await t.run();
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === "reasoning")).toEqual([{ type: "reasoning", text: "first thoughts" }]);
    expect(resultOf(events).message).toMatchObject({ content: "Answer: rest.", reasoning: "first thoughts" });
    expect(t.p2.requests[0]?.reasoning).toBeUndefined();
  });

  it("a continuation that reports no usage is counted on its own text, not on the whole answer", async () => {
    const t = setup({ p1: [cut(delta("abcd efgh "))], p2: [unreported(["ijkl mnop"])] });
    const r = resultOf((await t.run()).events);
    expect(r.message.content).toBe("abcd efgh ijkl mnop");
    // Each part counted on its own text: p1's up to the cut, p2's continuation.
    const counted = (await countTextTokens("abcd efgh ", "estimate")) + (await countTextTokens("ijkl mnop", "estimate"));
    expect(r.usage.outputTokens).toBe(counted);
    expect(r.usage.estimated).toBe(true);
  });

  it("a continuation cut in turn, with nothing left to try, ends STREAM_INTERRUPTED counting everything delivered", async () => {
    const t = setup({ p1: [cut(delta("one "))], p2: [cut(delta("two "))] });
    const { events, error } = await t.run();
    expect(texts(events).join("")).toBe("one two ");
    expect(error).toMatchObject({ reason: "STREAM_INTERRUPTED", metadata: { delivered_chars: "8" } });
    expect(error?.message).toContain("not continued: no attempt to continue it succeeded");
    // What was generated before each cut is what the failed call spent.
    expect(Number(error?.metadata["spent_usd"])).toBeGreaterThan(0);
  });

  it.each([
    ["continuation is off for the model", { continueStreams: false }, [delta("partial")], /continuation is off/],
    ["a response format", { upstream: { responseFormat: { type: "json_object" as const } } }, [delta('{"a":')], /mid-object/],
    ["log probabilities", { upstream: { logprobs: true } }, [delta("partial")], /log probabilities/],
    ["a tool call mid-flight", {}, [delta("Let me look. "), { type: "progress" as const }], /tool call was being streamed/],
    ["only reasoning delivered", {}, [{ type: "reasoning" as const, text: "hmm" }], /only reasoning/],
  ])("is not continued with %s: STREAM_INTERRUPTED saying why, and nobody else is asked", async (_name, opts, before, why) => {
    const t = setup({ p1: [cut(...before)], p2: [answer(["x"])] }, opts);
    const { error } = await t.run();
    expect(error?.reason).toBe("STREAM_INTERRUPTED");
    expect(error?.metadata["not_continued"]).toMatch(why);
    expect(t.p2.signals).toHaveLength(0);
  });

  it("continues on the same deployment after a retry when no other can", async () => {
    const t = setup(
      { p1: [cut(delta("The quick ")), answer(["quick brown fox."])], p2: [answer(["x"])] },
      { p2Kind: "local", retries: true },
    );
    const { events, error } = await t.run();
    expect(error).toBeUndefined();
    expect(texts(events).join("")).toBe("The quick brown fox.");
    expect(resultOf(events).attempts.map((a) => [a.provider, a.errorReason, a.continuation])).toEqual([
      ["p1", "STREAM_INTERRUPTED", undefined],
      ["p1", undefined, true],
    ]);
    // After the retry's backoff, as for any retry.
    expect(t.clock.sleeps).toHaveLength(1);
    expect(t.p1.requests[1]?.messages.at(-2)).toEqual({ role: "assistant", content: "The quick " });
  });

  it("a deployment whose kind cannot continue is passed over", async () => {
    const t = setup({ p1: [cut(delta("partial "))], p2: [answer(["x"])] }, { p2Kind: "local" });
    const { error } = await t.run();
    expect(error?.reason).toBe("STREAM_INTERRUPTED");
    expect(t.p2.signals).toHaveLength(0);
    // The permit taken for it was released without a verdict.
    expect(t.verdicts).toEqual(["p1/p1-model:failure", "p2/p2-model:release"]);
  });

  it("the caller's cancel mid-stream is never continued", async () => {
    const t = setup({
      p1: [
        async function* (signal) {
          yield { type: "started" };
          yield delta("partial ");
          await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
        },
      ],
      p2: [answer(["x"])],
    });
    const it = t.stream()[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    const pending = it.next();
    t.controller.abort();
    await expect(pending).rejects.toMatchObject({ reason: "CANCELLED" });
    expect(t.p2.signals).toHaveLength(0);
  });
});
