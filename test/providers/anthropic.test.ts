import { Agent } from "undici";
import { createSdkFetch } from "../../src/providers/http.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnthropicProvider } from "../../src/providers/anthropic.js";
import { toAnthropicMessages } from "../../src/providers/anthropic-content.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";
import { collectChunks } from "../../src/providers/collect.js";

/** A whole answer from a provider, as the gateway collects one for a unary call. */
const completeVia = async (
  p: { stream: import("../../src/providers/provider.js").Provider["stream"] },
  r: import("../../src/providers/provider.js").ProviderRequest,
  s: AbortSignal,
) => {
  const result = await collectChunks(p.stream(r, s));
  if (!result) throw new Error("the stream ended without its end");
  return result;
};

let upstream: FakeUpstream;
let provider: Provider;
const request: ProviderRequest = {
  model: "claude-haiku-4-5",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "system", content: "Answer in English." },
    { role: "user", content: "Hi" },
  ],
  maxTokens: 64,
  stop: ["END"],
  user: "user-1",
};

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

describe("Anthropic provider through @anthropic-ai/sdk", () => {
  it("moves system messages to the system prompt and always sends max_tokens", async () => {
    await completeVia(provider, request, new AbortController().signal);
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1/messages");
    // This SDK version sends the key as a bearer token; older ones used x-api-key.
    expect(sent.headers["authorization"] ?? sent.headers["x-api-key"]).toMatch(/sk-ant-test$/);
    expect(sent.body).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 64,
      system: "Be brief.\n\nAnswer in English.",
      messages: [{ role: "user", content: "Hi" }],
      stop_sequences: ["END"],
      metadata: { user_id: "user-1" },
      // Every call streams; a unary caller's answer is collected by the gateway.
      stream: true,
    });
  });

  it("keeps a system message that comes after the conversation began in place, as Claude Code sends it", async () => {
    const later = { role: "system" as const, content: "Agents available: Explore, Plan." };
    const turn: ProviderRequest = {
      ...request,
      messages: [...request.messages, later, { role: "assistant", content: "Hello." }, { role: "user", content: "More?" }, later],
    };
    await completeVia(provider, turn, new AbortController().signal);
    const sent = upstream.requests.at(-1)!.body;
    expect(sent["system"]).toBe("Be brief.\n\nAnswer in English.");
    expect(sent["messages"]).toEqual([
      { role: "user", content: "Hi" },
      { role: "system", content: "Agents available: Explore, Plan." },
      { role: "assistant", content: "Hello." },
      { role: "user", content: "More?" },
      { role: "system", content: "Agents available: Explore, Plan." },
    ]);
  });

  it("counts cached prompt tokens as input, says how many were read and written, and maps the stop reason", async () => {
    upstream.enqueue({ text: "Short answer", finishReason: "max_tokens" });
    const result = await completeVia(provider, request, new AbortController().signal);
    expect(result).toEqual({
      message: { role: "assistant", content: "Short answer" },
      finishReason: "length",
      // 13 plain, 2 written to the cache, 3 read from it.
      usage: { inputTokens: 13 + 2 + 3, outputTokens: 2, cachedInputTokens: 3, cacheWriteTokens: 2 },
      model: "claude-haiku-4-5",
    });
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
  ])("maps stop reason %s to %s", async (stop, finish) => {
    upstream.enqueue({ finishReason: stop });
    expect((await completeVia(provider, request, new AbortController().signal)).finishReason).toBe(finish);
  });

  it("streams the Messages events as deltas and an end with cumulative usage", async () => {
    upstream.enqueue({ text: "alpha beta" });
    const chunks: ProviderChunk[] = [];
    for await (const c of provider.stream(request, new AbortController().signal)) chunks.push(c);
    expect(chunks).toEqual([
      { type: "started" },
      { type: "delta", text: "alpha " },
      { type: "delta", text: "beta" },
      {
        type: "end",
        finishReason: "stop",
        usage: { inputTokens: 18, outputTokens: 2, cachedInputTokens: 3, cacheWriteTokens: 2 },
        model: "claude-haiku-4-5",
      },
    ]);
  });

  it("turns tool_use blocks into tool calls, streaming and not", async () => {
    const toolCalls = [{ id: "toolu_1", name: "search", arguments: '{"q":"x"}' }];
    upstream.enqueue({ text: "Let me look.", toolCalls }, { text: "Let me look.", toolCalls });
    const whole = await completeVia(provider, request, new AbortController().signal);
    expect(whole.message.toolCalls).toEqual([{ id: "toolu_1", name: "search", argumentsJson: '{"q":"x"}' }]);
    const chunks: ProviderChunk[] = [];
    for await (const c of provider.stream(request, new AbortController().signal)) chunks.push(c);
    expect(chunks.at(-1)).toMatchObject({
      type: "end",
      finishReason: "tool_calls",
      toolCalls: [{ id: "toolu_1", name: "search", argumentsJson: '{"q":"x"}' }],
    });
  });

  it("maps tool turns to tool_use and tool_result blocks", () => {
    const { messages } = toAnthropicMessages([
      { role: "user", content: "time?" },
      { role: "assistant", content: "Checking.", toolCalls: [{ id: "t1", name: "clock", argumentsJson: '{"tz":"UTC"}' }] },
      { role: "tool", content: "12:00", toolCallId: "t1" },
    ]);
    expect(messages).toEqual([
      { role: "user", content: "time?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "t1", name: "clock", input: { tz: "UTC" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "12:00" }] },
    ]);
  });

  it.each([
    [{ status: 429, retryAfter: "2" }, "UPSTREAM_RATE_LIMITED"],
    [{ status: 529 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 401 }, "UPSTREAM_AUTH_FAILED"],
    [{ status: 400 }, "UPSTREAM_BAD_REQUEST"],
    [{ reset: true }, "UPSTREAM_UNAVAILABLE"],
  ])("classifies %j as %s", async (behaviour, reason) => {
    upstream.enqueue(behaviour);
    const err: unknown = await completeVia(provider, request, new AbortController().signal).catch((e: unknown) => e);
    expect(provider.translateError(err)?.reason).toBe(reason);
  });

  it("yields no end when the stream is cut before message_stop", async () => {
    upstream.enqueue({ text: "a b c", endWithoutFinish: true });
    const chunks: ProviderChunk[] = [];
    for await (const c of provider.stream(request, new AbortController().signal)) chunks.push(c);
    expect(chunks.every((c) => c.type === "delta" || c.type === "started")).toBe(true);
  });

  it("takes a message_start without usage (Anthropic-compatible servers leave it out): message_delta's counts stand", async () => {
    const ev = (event: string, data: object) => ({ event, data: { type: event, ...data } });
    upstream.enqueue({
      rawEvents: [
        ev("message_start", { message: { id: "m", type: "message", role: "assistant", model: "compat", content: [] } }),
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi" } }),
        ev("content_block_stop", { index: 0 }),
        ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { input_tokens: 9, output_tokens: 1 } }),
        ev("message_stop", {}),
      ],
    });
    const result = await completeVia(provider, request, new AbortController().signal);
    expect(result).toMatchObject({ message: { content: "Hi" }, finishReason: "stop", usage: { inputTokens: 9, outputTokens: 1 } });
  });
});
