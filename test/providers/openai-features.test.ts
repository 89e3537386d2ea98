import { Agent } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isGatewayError, type GatewayError } from "../../src/core/errors.js";
import type { ChatMessage } from "../../src/core/types.js";
import { createSdkFetch } from "../../src/providers/http.js";
import { createOpenAiProvider } from "../../src/providers/openai.js";
import { createOpenAiDirectProvider } from "../../src/providers/openai-direct.js";
import type { Provider, ProviderRequest } from "../../src/providers/provider.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";

/*
 * Issue 15's request fields on the OpenAI wire format, for both clients: the exact body each field
 * becomes at the upstream, or the field named when it is refused, with no upstream call made.
 * What is read back from answers is in openai-answers.test.ts.
 */

let upstream: FakeUpstream;
const base: ProviderRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }], maxTokens: 50, stop: [] };
const PNG = Buffer.from("not really a png").toString("base64");
const PDF = Buffer.from("%PDF-1.4 not really").toString("base64");

type Options = { name: string; kind: "openai" | "openai-compatible"; apiKey: string | undefined; baseUrl: string };
const paths: [string, (o: Options) => Provider][] = [
  ["through the openai SDK", (o) => createOpenAiProvider({ ...o, fetch: createSdkFetch(new Agent()) })],
  ["speaking the wire format directly", (o) => createOpenAiDirectProvider({ ...o, dispatcher: new Agent() })],
];

/** The error a call failed with, as the pipeline would see it. */
async function failure(p: Provider, r: ProviderRequest): Promise<GatewayError> {
  try {
    for await (const _ of p.stream(r, new AbortController().signal));
  } catch (err) {
    const e = isGatewayError(err) ? err : p.translateError(err);
    if (e) return e;
    throw err;
  }
  throw new Error("the call did not fail");
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
beforeEach(() => upstream.setDefault({ text: "ok" }));

describe.each(paths)("OpenAI provider %s, issue 15's fields", (_, create) => {
  let compatible: Provider;
  let openai: Provider;
  beforeAll(() => {
    compatible = create({ name: "compat", kind: "openai-compatible", apiKey: undefined, baseUrl: upstream.openAiBaseUrl });
    openai = create({ name: "openai", kind: "openai", apiKey: "sk-test", baseUrl: upstream.openAiBaseUrl });
  });
  const sent = async (p: Provider, r: ProviderRequest) => {
    for await (const _ of p.stream(r, new AbortController().signal));
    return upstream.requests.at(-1)!.body;
  };

  it("sends a user message's parts as a content array, the system message as text, and no cache_control", async () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief.", parts: [{ type: "text", text: "Be brief.", cacheControl: { ttl: "1h" } }], cacheControl: {} },
      {
        role: "user",
        content: "What is this?",
        parts: [
          { type: "text", text: "What is this?" },
          { type: "image", url: "https://example.com/cat.png", detail: "low" },
          { type: "image", data: PNG, mediaType: "image/png", cacheControl: {} },
          { type: "file", data: PDF, mediaType: "application/pdf", filename: "report.pdf" },
          { type: "file", fileId: "file-abc" },
          { type: "file", url: `data:application/pdf;base64,${PDF}` },
          { type: "audio", data: "UklGRg==", format: "wav" },
        ],
      },
      // The reasoning of an earlier answer is not sent back: OpenAI's chat API has no input for it.
      { role: "assistant", content: "A cat.", reasoning: "It has whiskers.", reasoningSignature: "sig" },
      { role: "tool", content: "12:00", parts: [{ type: "text", text: "12:00" }], toolCallId: "call_1" },
    ];
    const body = await sent(compatible, { ...base, messages });
    expect(body["messages"]).toEqual([
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: "file", file: { file_data: `data:application/pdf;base64,${PDF}`, filename: "report.pdf" } },
          { type: "file", file: { file_id: "file-abc" } },
          { type: "file", file: { file_data: `data:application/pdf;base64,${PDF}` } },
          { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
        ],
      },
      { role: "assistant", content: "A cat." },
      { role: "tool", content: "12:00", tool_call_id: "call_1" },
    ]);
  });

  it("says a tool result that reports a failure (Anthropic's is_error) in its text, which is all OpenAI's tool message has", async () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "What time is it?" },
      { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "clock", argumentsJson: "{}" }] },
      { role: "tool", content: "clock unreachable", toolCallId: "call_1", isError: true },
    ];
    const body = await sent(compatible, { ...base, messages });
    expect((body["messages"] as unknown[]).at(-1)).toEqual({ role: "tool", content: "error: clock unreachable", tool_call_id: "call_1" });
  });

  it.each([
    [
      "a file by URL, which OpenAI does not fetch",
      { role: "user", content: "", parts: [{ type: "file", url: "https://example.com/a.pdf" }] },
      "messages[0].parts[0].file.url",
    ],
    [
      "an image in a tool result, which OpenAI takes as text only",
      {
        role: "tool",
        content: "see",
        toolCallId: "c",
        parts: [
          { type: "text", text: "see" },
          { type: "image", url: "https://example.com/x.png" },
        ],
      },
      "messages[0].parts[1]",
    ],
  ] as [string, ChatMessage, string][])("refuses %s, naming the field, without calling the upstream", async (_, message, field) => {
    const before = upstream.requests.length;
    const err = await failure(compatible, { ...base, messages: [message] });
    expect(err.reason).toBe("INVALID_REQUEST");
    expect(err.metadata["field"]).toBe(field);
    expect(upstream.requests.length).toBe(before);
  });

  it.each([
    ["auto", "auto"],
    ["none", "none"],
    ["required", "required"],
    [{ name: "get_time" }, { type: "function", function: { name: "get_time" } }],
  ] as const)("sends tool_choice %j, strict tools and parallel_tool_calls", async (choice, wire) => {
    const tools = [{ name: "get_time", description: "The time", parametersJson: '{"type":"object","properties":{}}', strict: true }];
    const body = await sent(compatible, { ...base, tools, toolChoice: choice, parallelToolCalls: false });
    expect(body["tools"]).toEqual([
      {
        type: "function",
        function: { name: "get_time", description: "The time", parameters: { type: "object", properties: {} }, strict: true },
      },
    ]);
    expect(body["tool_choice"]).toEqual(wire);
    expect(body["parallel_tool_calls"]).toBe(false);
  });

  it("sends response formats: json_object, and json_schema with its name, description, schema and strict", async () => {
    expect((await sent(openai, { ...base, responseFormat: { type: "json_object" } }))["response_format"]).toEqual({ type: "json_object" });
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const format = {
      type: "json_schema",
      name: "place",
      description: "A place",
      schemaJson: JSON.stringify(schema),
      strict: true,
    } as const;
    expect((await sent(openai, { ...base, responseFormat: format }))["response_format"]).toEqual({
      type: "json_schema",
      json_schema: { name: "place", description: "A place", schema, strict: true },
    });
  });

  it.each([
    [{ effort: "minimal" }, "minimal"],
    [{ effort: "high", budgetTokens: 100 }, "high"],
    [{ budgetTokens: 1 }, "low"],
    [{ budgetTokens: 2047 }, "low"],
    [{ budgetTokens: 2048 }, "medium"],
    [{ budgetTokens: 8191 }, "medium"],
    [{ budgetTokens: 8192 }, "high"],
  ] as const)("sends reasoning %j as reasoning_effort %s", async (reasoning, effort) => {
    expect((await sent(openai, { ...base, reasoning }))["reasoning_effort"]).toBe(effort);
  });

  it("sends penalties, logprobs, service tier, prompt cache key, user, seed and stop; none of them unasked", async () => {
    const body = await sent(openai, {
      ...base,
      presencePenalty: 0.5,
      frequencyPenalty: -1,
      logprobs: true,
      topLogprobs: 3,
      serviceTier: "flex",
      promptCacheKey: "tenant-7",
      user: "u-1",
      seed: 42,
      stop: ["END"],
    });
    expect(body).toMatchObject({
      presence_penalty: 0.5,
      frequency_penalty: -1,
      logprobs: true,
      top_logprobs: 3,
      service_tier: "flex",
      prompt_cache_key: "tenant-7",
      user: "u-1",
      seed: 42,
      stop: ["END"],
    });
    const plain = await sent(openai, base);
    expect(Object.keys(plain).sort()).toEqual(["max_completion_tokens", "messages", "model", "stream", "stream_options"]);
  });

  it("sends top_k to a compatible server and refuses it for OpenAI itself; adaptive thinking leaves the effort to the model", async () => {
    expect((await sent(compatible, { ...base, topK: 40 }))["top_k"]).toBe(40);
    const before = upstream.requests.length;
    const err = await failure(openai, { ...base, topK: 40 });
    expect([err.reason, err.metadata["field"], upstream.requests.length]).toEqual(["INVALID_REQUEST", "top_k", before]);
    expect(await sent(openai, { ...base, reasoning: { adaptive: true } })).not.toHaveProperty("reasoning_effort");
    expect((await sent(openai, { ...base, reasoning: { adaptive: true, effort: "low" } }))["reasoning_effort"]).toBe("low");
    const twice = await failure(compatible, { ...base, topK: 4, extraBody: { top_k: 5 } });
    expect(twice.metadata["field"]).toBe("extra_body.top_k");
  });

  it("refuses more than four stop sequences for OpenAI itself, which takes no more, and sends them to a compatible server", async () => {
    const stop = ["a", "b", "c", "d", "e"];
    expect((await sent(compatible, { ...base, stop }))["stop"]).toEqual(stop);
    const before = upstream.requests.length;
    const err = await failure(openai, { ...base, stop });
    expect([err.reason, err.metadata["field"], upstream.requests.length]).toEqual(["INVALID_REQUEST", "stop", before]);
    expect((await sent(openai, { ...base, stop: stop.slice(0, 4) }))["stop"]).toEqual(stop.slice(0, 4));
  });

  it("merges extra_body into a compatible server's body", async () => {
    const extraBody = { top_k: 40, chat_template_kwargs: { enable_thinking: false } };
    const body = await sent(compatible, { ...base, extraBody });
    expect(body).toMatchObject({ model: "gpt-4o-mini", top_k: 40, chat_template_kwargs: { enable_thinking: false } });
  });

  it.each([
    ["OpenAI itself", "openai", { top_k: 40 }, "extra_body"],
    ["a field the gateway sets (stream)", "openai-compatible", { stream: false }, "extra_body.stream"],
    ["a field the gateway sets (n)", "openai-compatible", { top_k: 1, n: 3 }, "extra_body.n"],
    ["a field the gateway sets (model)", "openai-compatible", { model: "other" }, "extra_body.model"],
  ] as const)("refuses extra_body for %s, naming the field, without calling the upstream", async (_, kind, extraBody, field) => {
    const before = upstream.requests.length;
    const err = await failure(kind === "openai" ? openai : compatible, { ...base, extraBody });
    expect(err.reason).toBe("INVALID_REQUEST");
    expect(err.metadata["field"]).toBe(field);
    expect(upstream.requests.length).toBe(before);
  });
});
