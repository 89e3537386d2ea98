import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ev, messageStart } from "../support/anthropic-events.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * Issue 15 for Anthropic through the official openai SDK against the REST face: LiteLLM's
 * cache_control reaches Anthropic's blocks, prompt-cache reads and writes come back apart and are
 * priced at their own rates, and thinking comes back as reasoning_content with its signature.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sdk = () => new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
const last = () => h.upstream.requests.at(-1)!.body;
/** Fields the SDK's types do not know (the gateway's extensions, LiteLLM's cache_control) go as they are. */
const unary = (body: object) => sdk().chat.completions.create(body as ChatCompletionCreateParamsNonStreaming);

describe("Anthropic through the OpenAI format", () => {
  const start = (usage: object) => messageStart(usage, "msg_1");

  it("cache_control on a message, a part and a tool reaches Anthropic; cache reads and writes come back apart", async () => {
    h.upstream.enqueue({
      rawEvents: [
        start({ input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500 }),
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Cached." } }),
        ev("content_block_stop", { index: 0 }),
        ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 200 } }),
        ev("message_stop"),
      ],
    });
    const r = await unary({
      model: "claude-test",
      messages: [
        { role: "system", content: "Long rules.", cache_control: { type: "ephemeral" } },
        {
          role: "user",
          content: [
            { type: "text", text: "A long document.", cache_control: { type: "ephemeral", ttl: "1h" } },
            { type: "text", text: "Q?" },
          ],
        },
      ],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } }, cache_control: { type: "ephemeral" } }],
    });
    const sent = last();
    expect(sent["system"]).toEqual([{ type: "text", text: "Long rules.", cache_control: { type: "ephemeral" } }]);
    expect((sent["messages"] as { content: unknown }[])[0]?.content).toEqual([
      { type: "text", text: "A long document.", cache_control: { type: "ephemeral", ttl: "1h" } },
      { type: "text", text: "Q?" },
    ]);
    expect((sent["tools"] as { cache_control?: unknown }[])[0]?.cache_control).toEqual({ type: "ephemeral" });
    expect(r.usage).toMatchObject({
      prompt_tokens: 3510,
      completion_tokens: 200,
      prompt_tokens_details: { cached_tokens: 3000, cache_write_tokens: 500 },
    });
    // Hand-computed at claude-test's prices: 10 × $3, 3000 × $0.30, 500 × $3.75, 200 × $15, per million.
    const cost = (r as unknown as { llm_gateway: { cost_usd: number } }).llm_gateway.cost_usd;
    expect(cost).toBeCloseTo((10 * 3 + 3000 * 0.3 + 500 * 3.75 + 200 * 15) / 1e6, 9);
  });

  it("thinking comes back as reasoning_content with its signature, and goes back to Anthropic as a thinking block", async () => {
    h.upstream.enqueue({
      rawEvents: [
        start({ input_tokens: 12, output_tokens: 1 }),
        ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "Let me think." } }),
        ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig-abc" } }),
        ev("content_block_stop", { index: 0 }),
        ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "42" } }),
        ev("content_block_stop", { index: 1 }),
        ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 30 } }),
        ev("message_stop"),
      ],
    });
    const question = { role: "user", content: "The answer?" };
    const r = await unary({ model: "claude-test", messages: [question], max_tokens: 4000, reasoning: { budget_tokens: 2048 } });
    expect(last()["thinking"]).toEqual({ type: "enabled", budget_tokens: 2048 });
    const message = r.choices[0]!.message as unknown as Record<string, unknown>;
    expect(message).toMatchObject({ content: "42", reasoning_content: "Let me think.", reasoning_signature: "sig-abc" });
    // The SDK's message, sent back as it came: the reasoning goes back signed.
    await unary({
      model: "claude-test",
      messages: [question, message, { role: "user", content: "Why?" }],
      max_tokens: 4000,
      reasoning: { budget_tokens: 2048 },
    });
    expect((last()["messages"] as { content: unknown }[])[1]?.content).toEqual([
      { type: "thinking", thinking: "Let me think.", signature: "sig-abc" },
      { type: "text", text: "42" },
    ]);
  });
});
