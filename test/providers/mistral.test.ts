import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpstreamFetch } from "../../src/providers/http.js";
import { createMistralProvider } from "../../src/providers/mistral.js";
import { mistralToolCallId, toMistralMessages } from "../../src/providers/mistral-request.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";
import { chunksOf, complete, failure } from "../support/provider-calls.js";

/*
 * The Mistral provider through the real @mistralai/mistralai SDK, pointed at the fake upstream's
 * Mistral face (serverURL <fake>/mistral), which refuses what Mistral refuses: unknown fields (422),
 * tool call ids that are not nine letters or digits (400), a missing or wrong key (401).
 */

let upstream: FakeUpstream;
let mistral: Provider;
const fetch = createUpstreamFetch(new Agent());
const request: ProviderRequest = {
  model: "mistral-small-latest",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ],
  maxTokens: 64,
  stop: ["END"],
};

const lastBody = () => upstream.requests.at(-1)!.body;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  mistral = createMistralProvider({ name: "mistral", apiKey: "ms-key", baseUrl: `${upstream.anthropicBaseUrl}/mistral`, fetch });
});
afterAll(() => upstream.close());

describe("Mistral provider through @mistralai/mistralai", () => {
  it("calls /v1/chat/completions with the key and Mistral's own field names (random_seed), and no user", async () => {
    const result = await complete(mistral, { ...request, temperature: 0.2, seed: 7, user: "u-1", unary: true });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/mistral/v1/chat/completions");
    expect(sent.headers.authorization).toBe("Bearer ms-key");
    expect(sent.body).toEqual({
      model: "mistral-small-latest",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 64,
      temperature: 0.2,
      stop: ["END"],
      random_seed: 7,
      stream: false,
    });
    expect(result.message.content).toBe("Hello from the fake upstream, streaming word by word.");
    expect(result.finishReason).toBe("stop");
    // 13 prompt tokens, 3 of them read from Mistral's prompt cache (prompt_tokens_details.cached_tokens).
    expect(result.usage).toEqual({ inputTokens: 13, outputTokens: 9, cachedInputTokens: 3 });
  });

  it("streams: started, one delta per chunk, an end with the usage of the last chunk (no stream_options sent)", async () => {
    upstream.enqueue({ text: "one two three" });
    const chunks = await chunksOf(mistral, request);
    expect(lastBody()["stream"]).toBe(true);
    expect(lastBody()).not.toHaveProperty("stream_options");
    expect(chunks.map((c) => (c.type === "delta" ? c.text : c.type))).toEqual(["started", "one ", "two ", "three", "end"]);
    expect(chunks.at(-1)).toEqual({
      type: "end",
      finishReason: "stop",
      model: "mistral-small-latest",
      usage: { inputTokens: 13, outputTokens: 3, cachedInputTokens: 3 },
    });
  });

  it("yields no end when the stream stops before a finish reason", async () => {
    upstream.enqueue({ text: "a b c", endWithoutFinish: true });
    expect((await chunksOf(mistral, request)).some((c) => c.type === "end")).toBe(false);
  });

  it("asks for reasoning with reasoning_effort and reads thinking chunks as reasoning, streamed and whole", async () => {
    upstream.enqueue({ text: "Hello." });
    const chunks = await chunksOf(mistral, { ...request, reasoning: { effort: "high" } });
    expect(lastBody()["reasoning_effort"]).toBe("high");
    const reasoning = chunks.flatMap((c) => (c.type === "reasoning" ? [c.text] : []));
    expect(reasoning.join("")).toBe("The user greets me; I answer briefly.");
    expect(chunks.flatMap((c) => (c.type === "delta" ? [c.text] : []))).toEqual(["Hello."]);
    // Reasoning comes before the answer.
    expect(chunks.findIndex((c) => c.type === "reasoning")).toBeLessThan(chunks.findIndex((c) => c.type === "delta"));

    upstream.enqueue({ text: "Hello." });
    const whole = await complete(mistral, { ...request, reasoning: { budgetTokens: 4000 }, unary: true });
    expect(lastBody()["reasoning_effort"]).toBe("medium");
    expect(whole.message).toMatchObject({ content: "Hello.", reasoning: "The user greets me; I answer briefly." });
  });

  it("sends earlier reasoning back as a thinking chunk with its signature", () => {
    const [assistant] = toMistralMessages([{ role: "assistant", content: "Four.", reasoning: "2+2", reasoningSignature: "sig" }]);
    expect(assistant).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: [{ type: "text", text: "2+2" }], signature: "sig" },
        { type: "text", text: "Four." },
      ],
    });
  });

  it("declares tools, reads tool calls, and carries the round trip back", async () => {
    const tools = [{ name: "clock", description: "The time", parametersJson: '{"type":"object","properties":{"tz":{"type":"string"}}}' }];
    upstream.enqueue({ text: "", toolCalls: [{ id: "D681PevKs", name: "clock", arguments: '{"tz":"UTC"}' }] });
    const first = await complete(mistral, { ...request, tools, toolChoice: "required", parallelToolCalls: false });
    expect(first.finishReason).toBe("tool_calls");
    expect(first.message.toolCalls).toEqual([{ id: "D681PevKs", name: "clock", argumentsJson: '{"tz":"UTC"}' }]);
    expect(lastBody()).toMatchObject({
      tools: [{ type: "function", function: { name: "clock", description: "The time", parameters: JSON.parse(tools[0]!.parametersJson) } }],
      tool_choice: "any",
      parallel_tool_calls: false,
    });

    await complete(mistral, {
      ...request,
      tools,
      toolChoice: { name: "clock" },
      messages: [...request.messages, first.message, { role: "tool", toolCallId: "D681PevKs", content: '{"time":"12:00"}' }],
    });
    expect(lastBody()["tool_choice"]).toEqual({ type: "function", function: { name: "clock" } });
    expect((lastBody()["messages"] as unknown[]).slice(2)).toEqual([
      {
        role: "assistant",
        content: "",
        // prefix and index are the SDK's defaults, sent as Mistral's schema has them.
        tool_calls: [{ id: "D681PevKs", type: "function", function: { name: "clock", arguments: '{"tz":"UTC"}' }, index: 0 }],
        prefix: false,
      },
      { role: "tool", content: '{"time":"12:00"}', tool_call_id: "D681PevKs", name: "clock" },
    ]);
  });

  it("gives another provider's tool call ids Mistral's nine characters, the call and its result alike", async () => {
    const id = mistralToolCallId("call_abc123XYZ");
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(mistralToolCallId("call_abc123XYZ")).toBe(id);
    expect(mistralToolCallId("toolu_01A")).not.toBe(id);
    const result = await complete(mistral, {
      ...request,
      messages: [
        { role: "user", content: "Time?" },
        { role: "assistant", content: "", toolCalls: [{ id: "call_abc123XYZ", name: "clock", argumentsJson: "{}" }] },
        { role: "tool", toolCallId: "call_abc123XYZ", content: "12:00", isError: false },
      ],
    });
    expect(result.finishReason).toBe("stop");
    const messages = lastBody()["messages"] as { tool_calls?: { id: string }[]; tool_call_id?: string }[];
    expect(messages[1]?.tool_calls?.[0]?.id).toBe(id);
    expect(messages[2]?.tool_call_id).toBe(id);
  });

  it("sends images (data: and https URLs), documents by URL and uploaded files as Mistral's chunks", async () => {
    const image = "iVBORw0KGgo=";
    await complete(mistral, {
      ...request,
      messages: [
        {
          role: "user",
          content: "What are these?",
          parts: [
            { type: "text", text: "What are these?" },
            { type: "image", data: image, mediaType: "image/png" },
            { type: "image", url: "https://example.com/cat.jpg", detail: "high" },
            { type: "file", url: "https://example.com/report.pdf", filename: "report.pdf" },
            { type: "file", fileId: "3b6d45eb-e30b-416f-8019-f5e7d1a3a0c2" },
          ],
        },
      ],
    });
    expect(lastBody()["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What are these?" },
          { type: "image_url", image_url: `data:image/png;base64,${image}` },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
          { type: "document_url", document_url: "https://example.com/report.pdf", document_name: "report.pdf" },
          { type: "file", file_id: "3b6d45eb-e30b-416f-8019-f5e7d1a3a0c2" },
        ],
      },
    ]);
  });

  it("asks for JSON with a JSON schema, and passes the prompt cache key and service tier", async () => {
    const schemaJson = '{"type":"object","properties":{"a":{"type":"number"}}}';
    await complete(mistral, {
      ...request,
      responseFormat: { type: "json_schema", name: "answer", schemaJson, strict: true },
      promptCacheKey: "conv-1",
      serviceTier: "auto",
    });
    expect(lastBody()).toMatchObject({
      response_format: { type: "json_schema", json_schema: { name: "answer", schema: JSON.parse(schemaJson), strict: true } },
      prompt_cache_key: "conv-1",
      service_tier: "auto",
    });
  });

  it.each([
    ["model_length", "length"],
    ["length", "length"],
    ["error", "unspecified"],
  ])("maps finish reason %s to %s", async (reason, finish) => {
    upstream.enqueue({ finishReason: reason });
    expect((await complete(mistral, request)).finishReason).toBe(finish);
  });

  it("turns a 429 into UPSTREAM_RATE_LIMITED with the retry delay and Mistral's error type", async () => {
    upstream.enqueue({ status: 429, retryAfter: "7" });
    const err = await failure(mistral, request);
    expect(err.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.retryAfterMs).toBe(7000);
    expect(err.metadata["upstream_code"]).toBe("rate_limited");
    expect(err.message).toContain("Requests rate limit exceeded");
  });

  it.each([
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 503 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 400 }, "UPSTREAM_BAD_REQUEST"],
    [{ reset: true }, "UPSTREAM_UNAVAILABLE"],
    [{ rawBody: { id: "x" } }, "UPSTREAM_UNAVAILABLE"],
  ])("classifies %j as %s", async (behaviour, reason) => {
    upstream.enqueue(behaviour);
    expect((await failure(mistral, { ...request, unary: true })).reason).toBe(reason);
  });

  it("fails a stream whose chunk is not Mistral's shape as UPSTREAM_UNAVAILABLE, after the text before it", async () => {
    const first = { id: "c", model: "m", choices: [{ index: 0, delta: { content: "a" }, finish_reason: null }] };
    upstream.enqueue({ rawEvents: [first, { bogus: true }] });
    const seen: ProviderChunk[] = [];
    const err: unknown = await (async () => {
      for await (const c of mistral.stream(request, new AbortController().signal)) seen.push(c);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ type: "started" }, { type: "delta", text: "a" }]);
    expect(mistral.translateError(err)?.reason).toBe("UPSTREAM_UNAVAILABLE");
  });

  it("takes Mistral's 401 for the auth failure it is", async () => {
    const wrong = createMistralProvider({ name: "m2", apiKey: "invalid-1", baseUrl: `${upstream.anthropicBaseUrl}/mistral`, fetch });
    const err = await failure(wrong, request);
    expect(err.reason).toBe("UPSTREAM_AUTH_FAILED");
    expect(err.message).toContain("Unauthorized");
  });

  it("says which field Mistral refused (its 422 detail)", async () => {
    upstream.enqueue({ status: 422 });
    const err = await failure(mistral, request);
    expect(err.reason).toBe("UPSTREAM_BAD_REQUEST");
    expect(err.metadata["upstream_status"]).toBe("422");
    expect(err.metadata["upstream_code"]).toBe("invalid_request_error");
    expect(err.message).toMatch(/extra_forbidden.*"seed"/);
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = complete(mistral, request, controller.signal);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err: unknown = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // A cancel is the caller's doing, not the upstream's failure.
    expect(mistral.translateError(err)).toBeUndefined();
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });

  it("refuses, naming the field, what Mistral cannot take", () => {
    expect(() => mistral.check?.({ ...request, logprobs: true })).toThrow(/logprobs/);
    expect(() => mistral.check?.({ ...request, topK: 5 })).toThrow(/top_k/);
    expect(() => mistral.check?.({ ...request, serviceTier: "flex" })).toThrow(/service_tier/);
    expect(() => mistral.check?.({ ...request, extraBody: { safe_prompt: true } })).toThrow(/extra_body/);
    const bytes: ProviderRequest["messages"][number] = {
      role: "user",
      content: "x",
      parts: [{ type: "file", data: "JVBERi0=", mediaType: "application/pdf" }],
    };
    expect(() => mistral.check?.({ ...request, messages: [bytes] })).toThrow(/messages\[0\]\.parts\[0\]\.file/);
  });
});
