import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnthropicProvider } from "../../src/providers/anthropic.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Anthropic answers scripted exactly (a whole message, or its named SSE events) and what the
 * provider reads from them: thinking as reasoning chunks, its signature, cache and thinking usage.
 */

let upstream: FakeUpstream;
let provider: Provider;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  provider = createAnthropicProvider({
    fetch: createSdkFetch(new Agent()),
    name: "anthropic",
    apiKey: "sk-ant-test",
    baseUrl: upstream.anthropicBaseUrl,
  });
});
afterAll(() => upstream.close());

const request: ProviderRequest = {
  model: "claude-haiku-4-5",
  messages: [{ role: "user", content: "What is 17 × 23?" }],
  maxTokens: 4096,
  stop: [],
  reasoning: { budgetTokens: 1024 },
};

async function chunksOf(r: ProviderRequest): Promise<ProviderChunk[]> {
  const chunks: ProviderChunk[] = [];
  for await (const c of provider.stream(r, new AbortController().signal)) chunks.push(c);
  return chunks;
}

const message = (content: unknown[], usage: Record<string, unknown>, stop = "end_turn") => ({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-haiku-4-5-20251001",
  content,
  stop_reason: stop,
  stop_sequence: null,
  usage,
});

describe("Anthropic answers", () => {
  it("reads a whole message: its thinking as one reasoning chunk before the text, the signature, cache and thinking usage", async () => {
    upstream.enqueue({
      rawBody: message(
        [
          { type: "thinking", thinking: "17 × 23 = 17 × 20 + 17 × 3 = 391.", signature: "EqQBCkYIBxgCKkBsig" },
          { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix" },
          { type: "text", text: "391" },
        ],
        {
          input_tokens: 10,
          cache_read_input_tokens: 3000,
          cache_creation_input_tokens: 500,
          cache_creation: { ephemeral_1h_input_tokens: 120, ephemeral_5m_input_tokens: 380 },
          output_tokens: 200,
          output_tokens_details: { thinking_tokens: 150 },
        },
      ),
    });
    expect(await chunksOf({ ...request, unary: true })).toEqual([
      { type: "started" },
      { type: "reasoning", text: "17 × 23 = 17 × 20 + 17 × 3 = 391." },
      { type: "delta", text: "391" },
      {
        type: "end",
        finishReason: "stop",
        usage: {
          inputTokens: 3510,
          outputTokens: 200,
          cachedInputTokens: 3000,
          cacheWriteTokens: 500,
          cacheWrite1hTokens: 120,
          reasoningTokens: 150,
        },
        model: "claude-haiku-4-5-20251001",
        reasoningSignature: "EqQBCkYIBxgCKkBsig",
      },
    ]);
  });

  it("streams thinking_delta as reasoning chunks apart from the text, the signature as it comes and again at the end", async () => {
    upstream.enqueue({
      rawEvents: [
        {
          event: "message_start",
          data: {
            type: "message_start",
            message: {
              ...message([], { input_tokens: 10, cache_read_input_tokens: 3000, cache_creation_input_tokens: 500, output_tokens: 1 }),
              stop_reason: null,
            },
          },
        },
        {
          event: "content_block_start",
          data: { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
        },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "17 × 20 = 340; " } },
        },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "+ 51 = 391." } },
        },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig-stream" } },
        },
        { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
        {
          event: "content_block_start",
          data: { type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "opaque" } },
        },
        { event: "content_block_stop", data: { type: "content_block_stop", index: 1 } },
        { event: "content_block_start", data: { type: "content_block_start", index: 2, content_block: { type: "text", text: "" } } },
        { event: "content_block_delta", data: { type: "content_block_delta", index: 2, delta: { type: "text_delta", text: "391" } } },
        { event: "content_block_stop", data: { type: "content_block_stop", index: 2 } },
        {
          event: "message_delta",
          data: {
            type: "message_delta",
            delta: { stop_reason: "end_turn", stop_sequence: null },
            // Cumulative; the input counts may be absent here, and then message_start's stand.
            usage: { output_tokens: 200, output_tokens_details: { thinking_tokens: 150 } },
          },
        },
        { event: "message_stop", data: { type: "message_stop" } },
      ],
    });
    expect(await chunksOf(request)).toEqual([
      { type: "started" },
      { type: "reasoning", text: "17 × 20 = 340; " },
      { type: "reasoning", text: "+ 51 = 391." },
      { type: "reasoning", text: "", signature: "sig-stream" },
      { type: "delta", text: "391" },
      {
        type: "end",
        finishReason: "stop",
        usage: { inputTokens: 3510, outputTokens: 200, cachedInputTokens: 3000, cacheWriteTokens: 500, reasoningTokens: 150 },
        model: "claude-haiku-4-5-20251001",
        reasoningSignature: "sig-stream",
      },
    ]);
  });

  it("takes message_delta's cumulative cache counts when it gives them", async () => {
    upstream.enqueue({
      rawEvents: [
        {
          event: "message_start",
          data: { type: "message_start", message: { ...message([], { input_tokens: 5, output_tokens: 1 }), stop_reason: null } },
        },
        { event: "content_block_start", data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } },
        { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "ok" } } },
        {
          event: "message_delta",
          data: {
            type: "message_delta",
            delta: { stop_reason: "max_tokens", stop_sequence: null },
            usage: { input_tokens: 5, cache_read_input_tokens: 40, cache_creation_input_tokens: 0, output_tokens: 7 },
          },
        },
        { event: "message_stop", data: { type: "message_stop" } },
      ],
    });
    const { reasoning: _none, ...plain } = request;
    expect((await chunksOf(plain)).at(-1)).toEqual({
      type: "end",
      finishReason: "length",
      usage: { inputTokens: 45, outputTokens: 7, cachedInputTokens: 40, cacheWriteTokens: 0 },
      model: "claude-haiku-4-5-20251001",
    });
  });

  it("reads a whole message's tool calls after its thinking", async () => {
    upstream.enqueue({
      rawBody: message(
        [
          { type: "thinking", thinking: "Use the tool.", signature: "sig-tool" },
          { type: "tool_use", id: "toolu_9", name: "calc", input: { expr: "17*23" } },
        ],
        { input_tokens: 20, output_tokens: 30 },
        "tool_use",
      ),
    });
    expect(await chunksOf({ ...request, unary: true })).toEqual([
      { type: "started" },
      { type: "reasoning", text: "Use the tool." },
      {
        type: "end",
        finishReason: "tool_calls",
        usage: { inputTokens: 20, outputTokens: 30 },
        model: "claude-haiku-4-5-20251001",
        toolCalls: [{ id: "toolu_9", name: "calc", argumentsJson: '{"expr":"17*23"}' }],
        reasoningSignature: "sig-tool",
      },
    ]);
  });
});
