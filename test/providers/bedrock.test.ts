import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrockProvider } from "../../src/providers/bedrock.js";
import { collectChunks } from "../../src/providers/collect.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { FAKE_AWS_SECRET } from "../support/fake-bedrock.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * The Bedrock provider through the real @aws-sdk/client-bedrock-runtime, pointed at the fake upstream by
 * its endpoint option: the SDK signs with SigV4, sends Converse's JSON and reads ConverseStream's binary
 * event stream as the fake writes it (test/support/fake-bedrock.ts).
 */

let upstream: FakeUpstream;
let provider: Provider;
const MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const base: ProviderRequest = {
  model: MODEL,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ],
  maxTokens: 64,
  stop: [],
};
const signal = () => new AbortController().signal;

async function chunksOf(request: ProviderRequest, s = signal()): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of provider.stream(request, s)) out.push(c);
  return out;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  provider = createBedrockProvider({
    name: "bedrock",
    region: "eu-west-3",
    endpoint: upstream.anthropicBaseUrl,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: FAKE_AWS_SECRET, sessionToken: "session" },
    headers: { "x-proxy-key": "pk" },
    dispatcher: new Agent(),
  });
});
afterAll(() => upstream.close());

describe("Bedrock provider through @aws-sdk/client-bedrock-runtime", () => {
  it("sends a signed Converse call and reads the answer, usage with cache reads and writes", async () => {
    upstream.enqueue({ text: "Hello from Bedrock" });
    const result = await collectChunks(
      provider.stream({ ...base, unary: true, temperature: 0.5, topP: 0.9, topK: 40, stop: ["END"], user: "u-1" }, signal()),
    );
    expect(result?.message.content).toBe("Hello from Bedrock");
    expect(result?.finishReason).toBe("stop");
    // Bedrock's inputTokens (13) leaves out cache reads (3) and writes (2): all three were input.
    expect(result?.usage).toEqual({ inputTokens: 18, outputTokens: 3, cachedInputTokens: 3, cacheWriteTokens: 2 });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(sent.bedrock).toMatchObject({ modelId: MODEL, stream: false, accessKeyId: "AKIDTEST", region: "eu-west-3", service: "bedrock" });
    // The extra header is added before signing, so it is signed with the rest.
    expect(sent.bedrock?.signedHeaders).toEqual(expect.arrayContaining(["host", "x-amz-date", "x-proxy-key"]));
    expect(sent.headers["x-amz-security-token"]).toBe("session");
    expect(sent.body).toEqual({
      messages: [{ role: "user", content: [{ text: "Hi" }] }],
      system: [{ text: "Be brief." }],
      inferenceConfig: { maxTokens: 64, temperature: 0.5, topP: 0.9, stopSequences: ["END"] },
      additionalModelRequestFields: { top_k: 40 },
      requestMetadata: { user: "u-1" },
    });
  });

  it("streams ConverseStream's event stream: started, the text, the end with usage", async () => {
    upstream.enqueue({ text: "one two three" });
    const chunks = await chunksOf(base);
    expect(chunks[0]).toEqual({ type: "started" });
    expect(chunks.filter((c) => c.type === "delta").map((c) => (c as { text: string }).text)).toEqual(["one ", "two ", "three"]);
    expect(chunks.at(-1)).toEqual({
      type: "end",
      finishReason: "stop",
      model: MODEL,
      usage: { inputTokens: 18, outputTokens: 3, cachedInputTokens: 3, cacheWriteTokens: 2 },
    });
    expect(upstream.requests.at(-1)!.bedrock?.stream).toBe(true);
  });

  it.each([true, false])("reads tool calls (unary %s) and sends tools, the choice and the round trip", async (unary) => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "tu_1", name: "weather", arguments: '{"city":"Paris"}' }] });
    const tools = [{ name: "weather", description: "The weather", parametersJson: '{"type":"object"}' }];
    const result = await collectChunks(provider.stream({ ...base, unary, tools, toolChoice: { name: "weather" } }, signal()));
    expect(result?.finishReason).toBe("tool_calls");
    expect(result?.message.toolCalls).toEqual([{ id: "tu_1", name: "weather", argumentsJson: '{"city":"Paris"}' }]);
    expect(upstream.requests.at(-1)!.body["toolConfig"]).toEqual({
      tools: [{ toolSpec: { name: "weather", description: "The weather", inputSchema: { json: { type: "object" } } } }],
      toolChoice: { tool: { name: "weather" } },
    });
    upstream.enqueue({ text: "Sunny" });
    await chunksOf({
      ...base,
      tools,
      toolChoice: "required",
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: "", toolCalls: result?.message.toolCalls ?? [] },
        { role: "tool", content: "no data", toolCallId: "tu_1", isError: true },
      ],
    });
    const sent = upstream.requests.at(-1)!.body;
    expect(sent["messages"]).toEqual([
      { role: "user", content: [{ text: "Weather?" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "tu_1", name: "weather", input: { city: "Paris" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "tu_1", content: [{ text: "no data" }], status: "error" } }] },
    ]);
    expect((sent["toolConfig"] as { toolChoice: unknown }).toolChoice).toEqual({ any: {} });
  });

  it("sends images and documents as bytes", async () => {
    upstream.enqueue({ text: "a pixel" });
    await chunksOf({
      ...base,
      messages: [
        {
          role: "user",
          content: "What is it?",
          parts: [
            { type: "text", text: "What is it?" },
            { type: "image", url: `data:image/png;base64,${PNG}` },
            { type: "file", data: Buffer.from("hello").toString("base64"), mediaType: "text/plain", filename: "notes.txt" },
          ],
        },
      ],
    });
    // Converse's JSON carries bytes as base64.
    expect(upstream.requests.at(-1)!.body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { text: "What is it?" },
          { image: { format: "png", source: { bytes: PNG } } },
          { document: { format: "txt", name: "notes", source: { bytes: Buffer.from("hello").toString("base64") } } },
        ],
      },
    ]);
  });

  it("streams reasoning with its signature, and sends signed reasoning back with Claude's thinking budget", async () => {
    upstream.enqueue({
      rawEvents: [
        { event: "messageStart", data: { role: "assistant" } },
        { event: "contentBlockDelta", data: { contentBlockIndex: 0, delta: { reasoningContent: { text: "Let me think." } } } },
        { event: "contentBlockDelta", data: { contentBlockIndex: 0, delta: { reasoningContent: { signature: "sig-1" } } } },
        { event: "contentBlockStop", data: { contentBlockIndex: 0 } },
        { event: "contentBlockDelta", data: { contentBlockIndex: 1, delta: { text: "42" } } },
        { event: "messageStop", data: { stopReason: "end_turn" } },
        { event: "metadata", data: { usage: { inputTokens: 5, outputTokens: 9, totalTokens: 14 }, metrics: { latencyMs: 1 } } },
      ],
    });
    const result = await collectChunks(provider.stream({ ...base, maxTokens: 4096, reasoning: { budgetTokens: 2048 } }, signal()));
    expect(result?.message).toMatchObject({ content: "42", reasoning: "Let me think.", reasoningSignature: "sig-1" });
    expect(result?.usage).toEqual({ inputTokens: 5, outputTokens: 9 });
    expect(upstream.requests.at(-1)!.body["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 } });
    upstream.enqueue({ text: "ok" });
    await chunksOf({ ...base, messages: [{ role: "user", content: "Q" }, result!.message, { role: "user", content: "And?" }] });
    expect((upstream.requests.at(-1)!.body["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: [{ reasoningContent: { reasoningText: { text: "Let me think.", signature: "sig-1" } } }, { text: "42" }],
    });
  });

  it("asks for JSON schema output through outputConfig", async () => {
    upstream.enqueue({ text: '{"a":1}' });
    const schemaJson = '{"type":"object","properties":{"a":{"type":"number"}}}';
    await chunksOf({ ...base, responseFormat: { type: "json_schema", name: "answer", schemaJson, strict: true } });
    expect(upstream.requests.at(-1)!.body["outputConfig"]).toEqual({
      textFormat: { type: "json_schema", structure: { jsonSchema: { schema: schemaJson, name: "answer" } } },
    });
  });

  it.each([
    ["guardrail_intervened", "content_filter"],
    ["content_filtered", "content_filter"],
    ["max_tokens", "length"],
    ["stop_sequence", "stop"],
  ])("reads stop reason %s as %s", async (stopReason, finish) => {
    upstream.enqueue({ text: "cut", finishReason: stopReason });
    expect((await collectChunks(provider.stream(base, signal())))?.finishReason).toBe(finish);
  });

  it("counts hour-long cache writes apart, from Bedrock's cache details", async () => {
    upstream.enqueue({
      rawBody: {
        output: { message: { role: "assistant", content: [{ text: "ok" }] } },
        stopReason: "end_turn",
        usage: {
          inputTokens: 10,
          outputTokens: 1,
          totalTokens: 111,
          cacheReadInputTokens: 0,
          cacheWriteInputTokens: 100,
          cacheDetails: [
            { ttl: "1h", inputTokens: 60 },
            { ttl: "5m", inputTokens: 40 },
          ],
        },
        metrics: { latencyMs: 1 },
      },
    });
    const result = await collectChunks(provider.stream({ ...base, unary: true }, signal()));
    expect(result?.usage).toEqual({
      inputTokens: 110,
      outputTokens: 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 100,
      cacheWrite1hTokens: 60,
    });
  });

  it("marks cached content with cache points", async () => {
    upstream.enqueue({ text: "ok" });
    await chunksOf({
      ...base,
      messages: [
        { role: "system", content: "Long instructions", cacheControl: {} },
        {
          role: "user",
          content: "Doc Hi",
          parts: [
            { type: "text", text: "Doc", cacheControl: { ttl: "1h" } },
            { type: "text", text: "Hi" },
          ],
        },
      ],
    });
    const sent = upstream.requests.at(-1)!.body;
    expect(sent["system"]).toEqual([{ text: "Long instructions" }, { cachePoint: { type: "default" } }]);
    expect(sent["messages"]).toEqual([
      { role: "user", content: [{ text: "Doc" }, { cachePoint: { type: "default", ttl: "1h" } }, { text: "Hi" }] },
    ]);
  });
});
