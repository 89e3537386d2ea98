import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGatewayError } from "../../src/core/errors.js";
import { createAnthropicProvider } from "../../src/providers/anthropic.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * What the Messages API receives for each of issue 15's request fields, asked with streaming and
 * without (a model configured `streaming: false`), and what is refused before any call.
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

const base: ProviderRequest = { model: "claude-haiku-4-5", messages: [{ role: "user", content: "Hi" }], maxTokens: 2048, stop: [] };
const PNG = Buffer.from("89504e470d0a1a0a", "hex").toString("base64");
const PDF = Buffer.from("%PDF-1.4 tiny").toString("base64");
const weather = {
  name: "weather",
  description: "Weather in a city",
  parametersJson: '{"type":"object","properties":{"city":{"type":"string"}}}',
};
const clock = { name: "clock", description: "The time", parametersJson: '{"type":"object"}' };

/** Runs the request to its end and returns the body the upstream received. */
async function sent(request: ProviderRequest): Promise<Record<string, unknown>> {
  const before = upstream.requests.length;
  for await (const _ of provider.stream(request, new AbortController().signal)) {
    // Drained: the body is what is looked at.
  }
  expect(upstream.requests.length).toBe(before + 1);
  return upstream.requests.at(-1)!.body;
}

/** The error the request fails with; the upstream must not have been called. */
async function refused(request: ProviderRequest): Promise<{ reason: string; field: string | undefined; message: string }> {
  const before = upstream.requests.length;
  const chunks: ProviderChunk[] = [];
  const error: unknown = await (async () => {
    for await (const c of provider.stream(request, new AbortController().signal)) chunks.push(c);
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(upstream.requests.length).toBe(before);
  expect(chunks).toEqual([]);
  if (!isGatewayError(error)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return { reason: error.reason, field: error.metadata["field"], message: error.message };
}

describe.each([
  ["streamed", false],
  ["unary", true],
])("Anthropic request body (%s)", (_name, unary) => {
  const ask = (r: Partial<ProviderRequest>): Promise<Record<string, unknown>> => sent({ ...base, ...r, unary });

  it("turns image and document parts into blocks: base64, data: URLs, URLs, plain text, file ids", async () => {
    const body = await ask({
      messages: [
        {
          role: "user",
          content: "Compare these.",
          parts: [
            { type: "text", text: "Compare these." },
            { type: "image", data: PNG, mediaType: "image/png" },
            { type: "image", url: `data:image/webp;base64,${PNG}` },
            { type: "image", url: "https://example.com/cat.jpg", detail: "auto" },
            { type: "file", data: PDF, mediaType: "application/pdf", filename: "report.pdf" },
            { type: "file", url: `data:text/plain;base64,${Buffer.from("plain words").toString("base64")}` },
            { type: "file", url: "https://example.com/paper.pdf" },
            { type: "file", fileId: "file_011abc" },
          ],
        },
      ],
    });
    expect(body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare these." },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
          { type: "image", source: { type: "base64", media_type: "image/webp", data: PNG } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          { type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF }, title: "report.pdf" },
          { type: "document", source: { type: "text", media_type: "text/plain", data: "plain words" } },
          { type: "document", source: { type: "url", url: "https://example.com/paper.pdf" } },
          { type: "document", source: { type: "file", file_id: "file_011abc" } },
        ],
      },
    ]);
    expect(body["stream"]).toBe(!unary);
  });

  it("marks cache_control on system blocks, a message's last block, a part and tools", async () => {
    const body = await ask({
      messages: [
        { role: "system", content: "You are a librarian.", cacheControl: { ttl: "1h" } },
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: "Long documentQuestion",
          parts: [
            { type: "text", text: "Long document", cacheControl: {} },
            { type: "text", text: "Question" },
          ],
        },
        { role: "assistant", content: "An answer." },
        { role: "user", content: "Follow-up", cacheControl: {} },
      ],
      tools: [weather, { ...clock, cacheControl: {}, strict: true }],
    });
    expect(body["system"]).toEqual([
      { type: "text", text: "You are a librarian.", cache_control: { type: "ephemeral", ttl: "1h" } },
      { type: "text", text: "Be brief." },
    ]);
    expect(body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Long document", cache_control: { type: "ephemeral" } },
          { type: "text", text: "Question" },
        ],
      },
      { role: "assistant", content: "An answer." },
      { role: "user", content: [{ type: "text", text: "Follow-up", cache_control: { type: "ephemeral" } }] },
    ]);
    expect(body["tools"]).toEqual([
      { name: "weather", description: "Weather in a city", input_schema: JSON.parse(weather.parametersJson) },
      { name: "clock", description: "The time", input_schema: { type: "object" }, strict: true, cache_control: { type: "ephemeral" } },
    ]);
  });

  it.each([
    ["auto", undefined, { type: "auto" }],
    ["none", undefined, { type: "none" }],
    ["required", undefined, { type: "any" }],
    [{ name: "clock" }, undefined, { type: "tool", name: "clock" }],
    ["required", false, { type: "any", disable_parallel_tool_use: true }],
    [{ name: "clock" }, false, { type: "tool", name: "clock", disable_parallel_tool_use: true }],
    [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
    [undefined, true, undefined],
  ] as const)("sends tool_choice %j with parallel_tool_calls %j as %j", async (choice, parallel, expected) => {
    const r: Partial<ProviderRequest> = { tools: [weather, clock] };
    if (choice !== undefined) r.toolChoice = choice;
    if (parallel !== undefined) r.parallelToolCalls = parallel;
    expect((await ask(r))["tool_choice"]).toEqual(expected);
  });

  it("asks for structured outputs: a json_schema with its description in the schema, json_object as any object", async () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const body = await ask({
      responseFormat: { type: "json_schema", name: "place", description: "Where", schemaJson: JSON.stringify(schema), strict: true },
    });
    expect(body["output_config"]).toEqual({ format: { type: "json_schema", schema: { ...schema, description: "Where" } } });
    expect((await ask({ responseFormat: { type: "json_object" } }))["output_config"]).toEqual({
      format: { type: "json_schema", schema: { type: "object" } },
    });
  });

  it.each([
    [{ budgetTokens: 1500 }, 1500],
    [{ effort: "minimal" }, 1024],
    [{ effort: "low" }, 1024],
    [{ effort: "medium" }, 4096],
    [{ effort: "high" }, 16384],
    [{ effort: "high", budgetTokens: 2000 }, 2000],
  ] as const)("turns reasoning %j into a thinking budget of %d", async (reasoning, budget) => {
    // Thinking counts toward max_tokens, which must be above the budget.
    const body = await ask({ reasoning: { ...reasoning }, maxTokens: 20_000 });
    expect(body["thinking"]).toEqual({ type: "enabled", budget_tokens: budget });
  });

  it.each([
    [{ adaptive: true }, { type: "adaptive" }, undefined],
    [{ adaptive: true, effort: "medium" }, { type: "adaptive" }, "medium"],
    [{ budgetTokens: 2000, effort: "low" }, { type: "enabled", budget_tokens: 2000 }, "low"],
    [{ effort: "high" }, { type: "enabled", budget_tokens: 16384 }, undefined],
  ] as const)("sends reasoning %j as thinking %j with output_config.effort %s", async (reasoning, thinking, effort) => {
    const body = await ask({ reasoning: { ...reasoning }, maxTokens: 20_000 });
    expect(body["thinking"]).toEqual(thinking);
    expect((body["output_config"] as { effort?: string } | undefined)?.effort).toBe(effort);
  });

  it("sends an assistant's signed reasoning back as a thinking block before its tool calls", async () => {
    const body = await ask({
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: "",
          reasoning: "I should look it up.",
          reasoningSignature: "sig-1",
          toolCalls: [{ id: "toolu_1", name: "weather", argumentsJson: '{"city":"Paris"}' }],
        },
        {
          role: "tool",
          content: "Sunny",
          toolCallId: "toolu_1",
          parts: [
            { type: "text", text: "Sunny" },
            { type: "image", data: PNG, mediaType: "image/png" },
          ],
          cacheControl: {},
        },
        { role: "assistant", content: "Unsigned thoughts are not sent back.", reasoning: "unsigned" },
        { role: "user", content: "Thanks" },
      ],
      tools: [weather],
      reasoning: { budgetTokens: 1024 },
    });
    expect(body["messages"]).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "I should look it up.", signature: "sig-1" },
          { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_1",
            content: [
              { type: "text", text: "Sunny" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            ],
            cache_control: { type: "ephemeral" },
          },
        ],
      },
      { role: "assistant", content: "Unsigned thoughts are not sent back." },
      { role: "user", content: "Thanks" },
    ]);
  });

  it("passes Anthropic's service tiers, and no-op penalties and top_p without sending them", async () => {
    const body = await ask({ serviceTier: "standard_only", presencePenalty: 0, frequencyPenalty: 0, topP: 1 });
    expect(body).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 2048,
      messages: [{ role: "user", content: "Hi" }],
      service_tier: "standard_only",
      stream: !unary,
    });
    expect((await ask({ serviceTier: "auto" }))["service_tier"]).toBe("auto");
  });

  it("honours a prompt cache key with Anthropic's automatic cache mark, unless the request marks its own", async () => {
    expect((await ask({ promptCacheKey: "k" }))["cache_control"]).toEqual({ type: "ephemeral" });
    expect(await ask({})).not.toHaveProperty("cache_control");
    const marked = await ask({ promptCacheKey: "k", messages: [{ role: "user", content: "hi", cacheControl: {} }] });
    expect(marked).not.toHaveProperty("cache_control");
    expect(JSON.stringify(marked["messages"])).toContain("ephemeral");
  });
});

describe("Anthropic request refusals (before any call)", () => {
  it.each([
    [{ temperature: 0.2 }, "temperature"],
    [{ topP: 0.9 }, "top_p"],
    [{ topK: 40 }, "top_k"],
    [{ reasoning: { budgetTokens: 1024, effort: "minimal" } }, "reasoning.effort"],
    [{ presencePenalty: 0.5 }, "presence_penalty"],
    [{ frequencyPenalty: -1 }, "frequency_penalty"],
    [{ seed: 7 }, "seed"],
    [{ logprobs: true }, "logprobs"],
    [{ logprobs: false, topLogprobs: 2 }, "top_logprobs"],
    [{ extraBody: { top_k: 5 } }, "extra_body"],
    [{ serviceTier: "priority" }, "service_tier"],
    [{ serviceTier: "default" }, "service_tier"],
    [{ reasoning: { budgetTokens: 512 } }, "reasoning.budget_tokens"],
    [{ reasoning: { budgetTokens: 2048 } }, "reasoning.budget_tokens"],
    [{ reasoning: { effort: "high" } }, "reasoning.effort"],
    [{ reasoning: { budgetTokens: 1024 }, tools: [clock], toolChoice: "required" }, "tool_choice"],
    [{ reasoning: { budgetTokens: 1024 }, tools: [clock], toolChoice: { name: "clock" } }, "tool_choice"],
    [{ messages: [{ role: "user", content: "", parts: [{ type: "audio", data: "AAAA", format: "wav" }] }] }, "messages[0].parts[0]"],
    [
      { messages: [{ role: "user", content: "", parts: [{ type: "image", url: "https://x/y.png", detail: "low" }] }] },
      "messages[0].parts[0].detail",
    ],
    [
      { messages: [{ role: "user", content: "", parts: [{ type: "file", url: "https://x/y.txt", mediaType: "text/plain" }] }] },
      "messages[0].parts[0].media_type",
    ],
  ] as const)("refuses %j naming %s", async (fields, field) => {
    const { reason, field: named, message } = await refused({ ...base, ...(fields as Partial<ProviderRequest>) });
    expect(reason).toBe("INVALID_REQUEST");
    expect(named).toBe(field);
    expect(message.startsWith(`${field}: `)).toBe(true);
  });
});
