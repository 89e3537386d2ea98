import { Agent } from "undici";
import { createSdkFetch } from "../../src/providers/http.js";
import { createOpenAiDirectProvider } from "../../src/providers/openai-direct.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isGatewayError, type GatewayError } from "../../src/core/errors.js";
import { createOpenAiProvider } from "../../src/providers/openai.js";
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
const request: ProviderRequest = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi", name: "ann" },
  ],
  maxTokens: 50,
  temperature: 0,
  stop: ["END"],
  seed: 7,
  user: "user-1",
};

/**
 * A call's chunks, adjacent deltas merged: how text is cut depends on how it arrived (the direct
 * path sends the text of one network read as one delta); the text and its place are what count.
 */
async function collect(iterable: AsyncIterable<ProviderChunk>): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of iterable) {
    const last = out.at(-1);
    if (c.type === "delta" && last?.type === "delta") out[out.length - 1] = { type: "delta", text: last.text + c.text };
    else out.push(c);
  }
  return out;
}

/** A call's failure as the pipeline classifies it: a GatewayError as it is, anything else through translateError. */
async function failure(p: Promise<unknown>, provider: Provider): Promise<GatewayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const translated = isGatewayError(err) ? err : provider.translateError(err);
  if (!translated) throw new Error(`not translated: ${String(err)}`);
  return translated;
}

type Options = { name: string; kind: "openai" | "openai-compatible"; apiKey: string | undefined; baseUrl: string };

/** Both ways of speaking the OpenAI format: every contract test below runs against each. */
const paths: [string, (o: Options) => Provider][] = [
  ["through the openai SDK", (o) => createOpenAiProvider({ ...o, fetch: createSdkFetch(new Agent()) })],
  ["speaking the wire format directly", (o) => createOpenAiDirectProvider({ ...o, dispatcher: new Agent() })],
];

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
beforeEach(() => upstream.setDefault({}));

describe.each(paths)("OpenAI provider %s", (_, create) => {
  let compatible: Provider;
  let openai: Provider;
  beforeAll(() => {
    compatible = create({ name: "compat", kind: "openai-compatible", apiKey: undefined, baseUrl: upstream.openAiBaseUrl });
    openai = create({ name: "openai", kind: "openai", apiKey: "sk-test", baseUrl: upstream.openAiBaseUrl });
  });

  it("translates the request to the chat completions wire format", async () => {
    await completeVia(compatible, request, new AbortController().signal);
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body).toMatchObject({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi", name: "ann" },
      ],
      max_tokens: 50,
      temperature: 0,
      stop: ["END"],
      seed: 7,
      user: "user-1",
    });
    expect(sent.body).not.toHaveProperty("max_completion_tokens");
  });

  it("sends max_completion_tokens to OpenAI itself, which rejects max_tokens for o-series models", async () => {
    await completeVia(openai, request, new AbortController().signal);
    const sent = upstream.requests.at(-1)!;
    expect(sent.body["max_completion_tokens"]).toBe(50);
    expect(sent.body).not.toHaveProperty("max_tokens");
    expect(sent.headers["authorization"]).toBe("Bearer sk-test");
  });

  it("returns the message, finish reason, usage and model", async () => {
    upstream.enqueue({ text: "Four words right here", finishReason: "length" });
    const result = await completeVia(compatible, request, new AbortController().signal);
    expect(result).toEqual({
      message: { role: "assistant", content: "Four words right here" },
      finishReason: "length",
      usage: { inputTokens: 11, outputTokens: 4 },
      model: "gpt-4o-mini",
    });
  });

  it("passes tool calls through, in both directions", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "call_1", name: "get_time", arguments: '{"tz":"UTC"}' }] });
    const result = await completeVia(
      compatible,
      {
        ...request,
        messages: [
          { role: "user", content: "time?" },
          { role: "assistant", content: "", toolCalls: [{ id: "call_0", name: "get_time", argumentsJson: "{}" }] },
          { role: "tool", content: "12:00", toolCallId: "call_0" },
        ],
      },
      new AbortController().signal,
    );
    expect(result.finishReason).toBe("tool_calls");
    expect(result.message.toolCalls).toEqual([{ id: "call_1", name: "get_time", argumentsJson: '{"tz":"UTC"}' }]);
    expect(upstream.requests.at(-1)!.body["messages"]).toEqual([
      { role: "user", content: "time?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_0", type: "function", function: { name: "get_time", arguments: "{}" } }],
      },
      { role: "tool", content: "12:00", tool_call_id: "call_0" },
    ]);
  });

  it("streams text deltas then one end chunk with usage, asking for usage in the stream", async () => {
    upstream.enqueue({ text: "one two three" });
    const chunks = await collect(compatible.stream(request, new AbortController().signal));
    expect(chunks).toEqual([
      // The upstream accepted the request: its headers came before any token.
      { type: "started" },
      { type: "delta", text: "one two three" },
      { type: "end", finishReason: "stop", usage: { inputTokens: 11, outputTokens: 3 }, model: "gpt-4o-mini" },
    ]);
    expect(upstream.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("reassembles streamed tool calls", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "call_9", name: "lookup", arguments: '{"q":"weather in Paris"}' }] });
    const chunks = await collect(compatible.stream(request, new AbortController().signal));
    expect(chunks.at(-1)).toMatchObject({
      type: "end",
      finishReason: "tool_calls",
      toolCalls: [{ id: "call_9", name: "lookup", argumentsJson: '{"q":"weather in Paris"}' }],
    });
  });

  it("yields no end chunk when the upstream stream stops without a finish reason", async () => {
    upstream.enqueue({ text: "cut short", endWithoutFinish: true });
    const chunks = await collect(compatible.stream(request, new AbortController().signal));
    expect(chunks).toEqual([{ type: "started" }, { type: "delta", text: "cut short" }]);
  });

  it.each([
    [{ status: 429, retryAfter: "3" }, "UPSTREAM_RATE_LIMITED", 3000],
    [{ status: 401 }, "UPSTREAM_AUTH_FAILED", undefined],
    [{ status: 403 }, "UPSTREAM_AUTH_FAILED", undefined],
    [{ status: 400 }, "UPSTREAM_BAD_REQUEST", undefined],
    [{ status: 404 }, "UPSTREAM_BAD_REQUEST", undefined],
    [{ status: 408 }, "UPSTREAM_TIMEOUT", undefined],
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 503, retryAfter: "1" }, "UPSTREAM_UNAVAILABLE", 1000],
    [{ reset: true }, "UPSTREAM_UNAVAILABLE", undefined],
  ])("classifies %j as %s", async (behaviour, reason, retryAfterMs) => {
    upstream.enqueue(behaviour);
    const err = await failure(completeVia(compatible, request, new AbortController().signal), compatible);
    expect(err.reason).toBe(reason);
    expect(err.retryAfterMs).toBe(retryAfterMs);
    expect(err.metadata["provider"]).toBe("compat");
  });

  it("stops the upstream request when the signal aborts", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = completeVia(compatible, request, controller.signal);
    await vi_waitFor(() => upstream.requests.length > index);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });
});

async function vi_waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}
