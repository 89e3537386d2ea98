import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageEnd, messageStart, signedThinkingThenText } from "../support/anthropic-events.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * What Claude Code 2.1.332 sends beyond 2.1.197 (test/fixtures/claude-code): thinking shown as
 * "omitted", deferred tools (advanced tool use), and an effort per turn on the last message. Each
 * was refused before, and the CLI stripped it and asked again, one round trip per field.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sdk = () => new Anthropic({ apiKey: "unused", baseURL: h.httpUrl, maxRetries: 0 });
const last = () => h.upstream.requests.at(-1)!;
const thinkingThenText = [
  messageStart({ input_tokens: 5, output_tokens: 1 }),
  ...signedThinkingThenText("Private musing.", "sig-1", "42."),
  ...messageEnd(9),
];
const ask = {
  model: "claude-test",
  max_tokens: 4000,
  thinking: { type: "adaptive" as const, display: "omitted" as const },
  messages: [{ role: "user" as const, content: "Meaning?" }],
};

describe("Claude Code 2.1.332's request shapes", () => {
  it('thinking.display "omitted": thinking blocks keep their signatures, not their text (unary and streamed)', async () => {
    h.upstream.enqueue({ rawEvents: thinkingThenText });
    const unary = await sdk().messages.create(ask);
    expect(unary.content[0]).toEqual({ type: "thinking", thinking: "", signature: "sig-1" });
    expect(JSON.stringify(unary)).not.toContain("Private musing");
    h.upstream.enqueue({ rawEvents: thinkingThenText });
    const streamed = await sdk().messages.stream(ask).finalMessage();
    expect(streamed.content[0]).toEqual({ type: "thinking", thinking: "", signature: "sig-1" });
    expect(streamed.content[1]).toMatchObject({ type: "text", text: "42." });
    // The model thought all the same: display is what the caller is shown, not what is asked upstream.
    expect(last().body["thinking"]).toEqual({ type: "adaptive" });
    // Sent back as it came (no text, its signature), the block reaches Anthropic: the signature carries the thinking.
    h.upstream.enqueue({ text: "ok" });
    await sdk().messages.create({
      ...ask,
      thinking: { type: "adaptive", display: "updates" } as unknown as Anthropic.ThinkingConfigParam,
      messages: [...ask.messages, { role: "assistant", content: streamed.content }, { role: "user", content: "And?" }],
    });
    const sentBack = (last().body["messages"] as { role: string; content: unknown }[])[1]!;
    expect(sentBack.content).toEqual([
      { type: "thinking", thinking: "", signature: "sig-1" },
      { type: "text", text: "42." },
    ]);
  });

  it("a deferred tool is not offered to the model (no tool search here to find it); the others are", async () => {
    h.upstream.enqueue({ text: "ok" });
    const schema = { type: "object" as const, properties: {} };
    await sdk().messages.create({
      ...ask,
      thinking: { type: "disabled" },
      tools: [
        { name: "Read", description: "reads", input_schema: schema },
        { name: "DeferredToolPlaceholder", description: "later", input_schema: schema, defer_loading: true },
      ],
    });
    expect((last().body["tools"] as { name: string }[]).map((t) => t.name)).toEqual(["Read"]);
  });

  it("the last message's own effort is this turn's; an earlier message's is not", async () => {
    h.upstream.enqueue({ text: "ok" }, { text: "ok" });
    const turn = (effort: "low" | "high") => ({ role: "user" as const, content: "Go on.", output_config: { effort } });
    const body = {
      ...ask,
      thinking: { type: "adaptive" as const },
      output_config: { effort: "medium" as const },
      messages: [turn("high"), { role: "assistant" as const, content: "Sure." }, turn("low")] as object[],
    };
    await sdk().messages.create(body as Anthropic.MessageCreateParamsNonStreaming);
    expect((last().body["output_config"] as { effort: string }).effort).toBe("low");
    await sdk().messages.create({
      ...body,
      messages: [...body.messages.slice(0, 2), { role: "user", content: "Go on." }],
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect((last().body["output_config"] as { effort: string }).effort).toBe("medium");
  });
});
