import { OAuth2Client } from "google-auth-library";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGeminiProvider } from "../../src/providers/gemini.js";
import { toGeminiContents } from "../../src/providers/gemini-request.js";
import { createUpstreamFetch } from "../../src/providers/http.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";
import { chunksOf, complete, failure } from "../support/provider-calls.js";

/*
 * The Gemini API and Vertex AI providers through the real @google/genai SDK, pointed at the fake
 * upstream by httpOptions.baseUrl. Vertex's credentials are an injected OAuth2Client holding a fixed
 * access token: google-auth-library's own client, so the SDK adds its bearer header as it would with ADC.
 */

let upstream: FakeUpstream;
let gemini: Provider;
let vertex: Provider;
const fetch = createUpstreamFetch(new Agent());
const request: ProviderRequest = {
  model: "gemini-2.5-flash",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ],
  maxTokens: 64,
  stop: ["END"],
};

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gemini = createGeminiProvider({ name: "gemini", target: { vertex: false, apiKey: "g-key" }, baseUrl: upstream.anthropicBaseUrl, fetch });
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: "ya29.fake-token", expiry_date: Date.now() + 3_600_000 });
  vertex = createGeminiProvider({
    name: "vertex",
    target: { vertex: true, project: "proj-1", location: "europe-west4", googleAuthOptions: { authClient } },
    baseUrl: upstream.anthropicBaseUrl,
    fetch,
    headers: { "x-route": "blue" },
  });
});
afterAll(() => upstream.close());

describe("Gemini provider through @google/genai", () => {
  it("calls models/{model}:generateContent with the key, the system instruction and the generation config", async () => {
    const result = await complete(gemini, { ...request, temperature: 0.2, topK: 5, seed: 7, unary: true });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(sent.headers["x-goog-api-key"]).toBe("g-key");
    expect(sent.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      systemInstruction: { role: "user", parts: [{ text: "Be brief." }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.2, topK: 5, stopSequences: ["END"], seed: 7 },
    });
    expect(result.message.content).toBe("Hello from the fake upstream, streaming word by word.");
    expect(result.finishReason).toBe("stop");
    expect(result.model).toBe("gemini-2.5-flash");
  });

  it("streams with ?alt=sse: started, one delta per chunk, an end with Gemini's usage (cached in input, thoughts in output)", async () => {
    upstream.enqueue({ text: "one two three" });
    const chunks = await chunksOf(gemini, request);
    expect(upstream.requests.at(-1)!.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(chunks.map((c) => (c.type === "delta" ? c.text : c.type))).toEqual(["started", "one ", "two ", "three", "end"]);
    const end = chunks.at(-1) as Extract<ProviderChunk, { type: "end" }>;
    // promptTokenCount 13 holds the 3 cached; candidatesTokenCount 3 plus thoughtsTokenCount 4 is the output.
    expect(end.usage).toEqual({ inputTokens: 13, outputTokens: 7, cachedInputTokens: 3, reasoningTokens: 4 });
  });

  it("yields no end when the stream stops before a finish reason", async () => {
    upstream.enqueue({ text: "a b c", endWithoutFinish: true });
    const chunks = await chunksOf(gemini, request);
    expect(chunks.some((c) => c.type === "end")).toBe(false);
  });

  it("declares tools, returns function calls with ids, and sends a tool round trip back as functionCall/functionResponse", async () => {
    const tools = [{ name: "clock", description: "The time", parametersJson: '{"type":"object","properties":{"tz":{"type":"string"}}}' }];
    upstream.enqueue({ text: "", toolCalls: [{ id: "ignored", name: "clock", arguments: '{"tz":"UTC"}' }] });
    const first = await complete(gemini, { ...request, tools, toolChoice: { name: "clock" } });
    expect(first.finishReason).toBe("tool_calls");
    expect(first.message.toolCalls).toEqual([{ id: "call_0", name: "clock", argumentsJson: '{"tz":"UTC"}' }]);
    const sent = upstream.requests.at(-1)!.body;
    expect(sent["tools"]).toEqual([
      { functionDeclarations: [{ name: "clock", description: "The time", parametersJsonSchema: JSON.parse(tools[0]!.parametersJson) }] },
    ]);
    expect(sent["toolConfig"]).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["clock"] } });

    await complete(gemini, {
      ...request,
      tools,
      messages: [...request.messages, first.message, { role: "tool", toolCallId: "call_0", content: '{"time":"12:00"}' }],
    });
    expect(upstream.requests.at(-1)!.body["contents"]).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ functionCall: { id: "call_0", name: "clock", args: { tz: "UTC" } } }] },
      { role: "user", parts: [{ functionResponse: { id: "call_0", name: "clock", response: { output: { time: "12:00" } } } }] },
    ]);
  });

  it("sends an image as inlineData and a URL as fileData", async () => {
    const image = "iVBORw0KGgo=";
    await complete(gemini, {
      ...request,
      messages: [
        {
          role: "user",
          content: "What is this?",
          parts: [
            { type: "text", text: "What is this?" },
            { type: "image", url: `data:image/png;base64,${image}` },
            { type: "image", url: "https://example.com/cat.jpg" },
          ],
        },
      ],
    });
    expect(upstream.requests.at(-1)!.body["contents"]).toEqual([
      {
        role: "user",
        parts: [
          { text: "What is this?" },
          { inlineData: { mimeType: "image/png", data: image } },
          { fileData: { fileUri: "https://example.com/cat.jpg", mimeType: "image/jpeg" } },
        ],
      },
    ]);
  });

  it("reads thoughts as reasoning and keeps the thought signature for the next turn", async () => {
    upstream.enqueue({
      rawEvents: [
        { candidates: [{ content: { role: "model", parts: [{ text: "Let me think.", thought: true }] } }] },
        { candidates: [{ content: { role: "model", parts: [{ text: "Four.", thoughtSignature: "c2ln" }] }, finishReason: "STOP" }] },
      ],
    });
    const chunks = await chunksOf(gemini, { ...request, reasoning: { budgetTokens: 32 } });
    expect(upstream.requests.at(-1)!.body["generationConfig"]).toMatchObject({
      thinkingConfig: { thinkingBudget: 32, includeThoughts: true },
    });
    expect(chunks.filter((c) => c.type === "reasoning" || c.type === "delta")).toEqual([
      { type: "reasoning", text: "Let me think." },
      { type: "delta", text: "Four." },
    ]);
    expect(chunks.at(-1)).toMatchObject({ type: "end", reasoningSignature: "c2ln", finishReason: "stop" });
  });

  it.each([
    ["SAFETY", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["MAX_TOKENS", "length"],
    ["OTHER", "unspecified"],
  ])("maps finish reason %s to %s", async (reason, finish) => {
    upstream.enqueue({ finishReason: reason });
    expect((await complete(gemini, request)).finishReason).toBe(finish);
  });

  it("reports a blocked prompt (promptFeedback.blockReason, no candidate) as content_filter", async () => {
    upstream.enqueue({ rawEvents: [{ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 5 } }] });
    const result = await complete(gemini, request);
    expect(result.finishReason).toBe("content_filter");
    expect(result.usage?.inputTokens).toBe(5);
  });

  it("asks for JSON with a JSON schema", async () => {
    const schemaJson = '{"type":"object","properties":{"a":{"type":"number"}}}';
    await complete(gemini, { ...request, responseFormat: { type: "json_schema", name: "x", schemaJson, strict: true } });
    expect(upstream.requests.at(-1)!.body["generationConfig"]).toMatchObject({
      responseMimeType: "application/json",
      responseJsonSchema: JSON.parse(schemaJson),
    });
  });

  it("turns a 429 into UPSTREAM_RATE_LIMITED with RetryInfo's delay", async () => {
    upstream.enqueue({ status: 429, retryAfter: "7" });
    const err = await failure(gemini, request);
    expect(err.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.retryAfterMs).toBe(7000);
    expect(err.metadata["upstream_code"]).toBe("RESOURCE_EXHAUSTED");
  });

  it.each([
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 503 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 403 }, "UPSTREAM_AUTH_FAILED"],
    [{ status: 400 }, "UPSTREAM_BAD_REQUEST"],
    [{ reset: true }, "UPSTREAM_UNAVAILABLE"],
  ])("classifies %j as %s", async (behaviour, reason) => {
    upstream.enqueue(behaviour);
    expect((await failure(gemini, request)).reason).toBe(reason);
  });

  it("takes Google's 400 API_KEY_INVALID for the auth failure it is", async () => {
    const wrong = createGeminiProvider({
      name: "g2",
      target: { vertex: false, apiKey: "invalid-1" },
      baseUrl: upstream.anthropicBaseUrl,
      fetch,
    });
    const err = await failure(wrong, request);
    expect(err.reason).toBe("UPSTREAM_AUTH_FAILED");
    expect(err.metadata).toMatchObject({ upstream_status: "400", upstream_code: "API_KEY_INVALID" });
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = complete(gemini, request, controller.signal);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err: unknown = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // A cancel is the caller's doing, not the upstream's failure.
    expect(gemini.translateError(err)).toBeUndefined();
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });

  it("refuses, naming the field, what Gemini cannot take", () => {
    expect(() => gemini.check?.({ ...request, logprobs: true })).toThrow(/logprobs/);
    expect(() => gemini.check?.({ ...request, parallelToolCalls: false })).toThrow(/parallel_tool_calls/);
    expect(() => gemini.check?.({ ...request, serviceTier: "flex" })).toThrow(/service_tier/);
  });
});

describe("Vertex AI provider through @google/genai", () => {
  it("calls projects/{p}/locations/{l}/publishers/google/models/{m} with the bearer token and extra headers", async () => {
    upstream.enqueue({ text: "from vertex" });
    const chunks = await chunksOf(vertex, request);
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe(
      "/v1beta1/projects/proj-1/locations/europe-west4/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    );
    expect(sent.headers.authorization).toBe("Bearer ya29.fake-token");
    expect(sent.headers["x-goog-api-key"]).toBeUndefined();
    expect(sent.headers["x-route"]).toBe("blue");
    expect(chunks.filter((c) => c.type === "delta").map((c) => (c as { text: string }).text)).toEqual(["from ", "vertex"]);
    expect(vertex.kind).toBe("vertex");
  });

  it("translates Vertex's errors alike", async () => {
    upstream.enqueue({ status: 429, retryAfter: "1.5" });
    const err = await failure(vertex, request);
    expect(err.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.retryAfterMs).toBe(1500);
  });
});

describe("Gemini request translation", () => {
  it("sends a thought signature back on the first function call, and a failed tool's result as error", () => {
    const { contents } = toGeminiContents([
      { role: "user", content: "Hi" },
      {
        role: "assistant",
        content: "Checking.",
        reasoning: "I should call the clock.",
        reasoningSignature: "c2ln",
        toolCalls: [
          { id: "a", name: "clock", argumentsJson: '{"tz":"UTC"}' },
          { id: "b", name: "clock", argumentsJson: "{}" },
        ],
      },
      { role: "tool", toolCallId: "a", content: "timeout", isError: true },
      { role: "tool", toolCallId: "b", content: "12:00" },
    ]);
    expect(contents.slice(1)).toEqual([
      {
        role: "model",
        parts: [
          { text: "Checking." },
          { functionCall: { id: "a", name: "clock", args: { tz: "UTC" } }, thoughtSignature: "c2ln" },
          { functionCall: { id: "b", name: "clock", args: {} } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { id: "a", name: "clock", response: { error: "timeout" } } },
          { functionResponse: { id: "b", name: "clock", response: { output: "12:00" } } },
        ],
      },
    ]);
  });

  it("refuses a system message after the conversation began, and a tool result that answers no call", () => {
    expect(() =>
      toGeminiContents([
        { role: "user", content: "Hi" },
        { role: "system", content: "late" },
      ]),
    ).toThrow(/messages\[1\]/);
    expect(() => toGeminiContents([{ role: "tool", toolCallId: "zz", content: "x" }])).toThrow(/tool_call_id/);
  });
});
