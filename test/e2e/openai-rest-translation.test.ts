import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../src/core/errors.js";
import { fromOpenAi } from "../../src/server/rest/chat-request.js";

/*
 * The REST face's request translation on its own: an OpenAI request to the core's request, or a
 * refusal naming the field (the answers: openai-rest-answers.test.ts). The end-to-end proofs through
 * the official SDK are in openai-rest-content.test.ts and openai-rest-anthropic.test.ts.
 */

const PDF = Buffer.from("%PDF-1.4 tiny").toString("base64");
const PNG = Buffer.from("not really a png").toString("base64");
const base = { model: "gpt-test" };
const user = (content: unknown) => ({ ...base, messages: [{ role: "user", content }] });

/** The field an INVALID_REQUEST names, or a failure if the request was accepted. */
function refusedField(raw: object): string {
  try {
    fromOpenAi(raw as Record<string, unknown>);
  } catch (err) {
    if (isGatewayError(err) && err.reason === "INVALID_REQUEST") return err.metadata["field"] ?? "";
    throw err;
  }
  throw new Error("accepted");
}

describe("content arrays", () => {
  it("carries text, image_url, file and input_audio parts; content is the text joined", () => {
    const { request } = fromOpenAi(
      user([
        { type: "text", text: "What is " },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "low" } },
        { type: "image_url", image_url: { url: "https://example.test/cat.jpg" } },
        { type: "text", text: "in these?", cache_control: { type: "ephemeral", ttl: "1h" } },
        { type: "file", file: { file_data: `data:application/pdf;base64,${PDF}`, filename: "a.pdf" } },
        { type: "file", file: { file_data: PDF } },
        { type: "file", file: { file_data: PDF, filename: "notes.txt" } },
        { type: "file", file: { file_id: "file-abc" } },
        { type: "input_audio", input_audio: { data: PNG, format: "wav" } },
      ]),
    );
    const m = request.messages[0]!;
    expect(m.content).toBe("What is in these?");
    expect(m.parts).toEqual([
      { type: "text", text: "What is " },
      // A data: URL stays a URL: the providers take it as it is.
      { type: "image", url: `data:image/png;base64,${PNG}`, detail: "low" },
      { type: "image", url: "https://example.test/cat.jpg" },
      { type: "text", text: "in these?", cacheControl: { ttl: "1h" } },
      { type: "file", data: PDF, mediaType: "application/pdf", filename: "a.pdf" },
      { type: "file", data: PDF, mediaType: "application/pdf" },
      { type: "file", data: PDF, mediaType: "text/plain", filename: "notes.txt" },
      { type: "file", fileId: "file-abc" },
      { type: "audio", data: PNG, format: "wav" },
    ]);
  });

  it("keeps a text-only array as plain content, and cache_control on a message or a tool", () => {
    const { request } = fromOpenAi({
      ...base,
      messages: [
        { role: "system", content: [{ type: "text", text: "Long rules." }], cache_control: { type: "ephemeral" } },
        {
          role: "user",
          content: [
            { type: "text", text: "a" },
            { type: "text", text: "b" },
          ],
        },
      ],
      tools: [{ type: "function", function: { name: "f", strict: true }, cache_control: { type: "ephemeral", ttl: "5m" } }],
    });
    expect(request.messages[0]).toEqual({ role: "system", content: "Long rules.", cacheControl: {} });
    expect(request.messages[1]).toEqual({ role: "user", content: "ab" });
    expect(request.tools?.definitions[0]).toMatchObject({ name: "f", strict: true, cacheControl: { ttl: "5m" } });
  });

  it("takes an assistant's reasoning and its signature sent back", () => {
    const { request } = fromOpenAi({
      ...base,
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello", reasoning_content: "they greet", reasoning_signature: "sig" },
        { role: "user", content: "again" },
      ],
    });
    expect(request.messages[1]).toEqual({ role: "assistant", content: "hello", reasoning: "they greet", reasoningSignature: "sig" });
  });

  it.each([
    ["an unknown part type", user([{ type: "video", video: {} }]), "messages[0].content[0].type"],
    ["a part without a type", user([{ text: "x" }]), "messages[0].content[0].type"],
    ["a refusal part", user([{ type: "refusal", refusal: "no" }]), "messages[0].content[0].type"],
    ["an unknown key of a text part", user([{ type: "text", text: "x", extra: 1 }]), "messages[0].content[0].extra"],
    [
      "an unknown key inside image_url",
      user([{ type: "image_url", image_url: { url: "https://x.test/a.png", size: 1 } }]),
      "messages[0].content[0].image_url.size",
    ],
    [
      "a bad detail",
      user([{ type: "image_url", image_url: { url: "https://x.test/a.png", detail: "max" } }]),
      "messages[0].content[0].image_url.detail",
    ],
    [
      "OpenAI's prompt_cache_breakpoint",
      user([{ type: "text", text: "x", prompt_cache_breakpoint: { mode: "explicit" } }]),
      "messages[0].content[0].prompt_cache_breakpoint",
    ],
    ["a file with both data and id", user([{ type: "file", file: { file_data: PDF, file_id: "f" } }]), "messages[0].content[0].file"],
    ["a file with neither", user([{ type: "file", file: { filename: "a.pdf" } }]), "messages[0].content[0].file"],
    ["file_data that is not base64", user([{ type: "file", file: { file_data: "%%%" } }]), "messages[0].content[0].file.file_data"],
    [
      "a file data: URL without base64",
      user([{ type: "file", file: { file_data: "data:application/pdf,abc" } }]),
      "messages[0].content[0].file.file_data",
    ],
    [
      "audio in another format",
      user([{ type: "input_audio", input_audio: { data: PNG, format: "flac" } }]),
      "messages[0].content[0].input_audio.format",
    ],
    [
      "cache_control of another type",
      user([{ type: "text", text: "x", cache_control: { type: "persistent" } }]),
      "messages[0].content[0].cache_control.type",
    ],
    [
      "cache_control with another ttl",
      { ...base, messages: [{ role: "user", content: "x", cache_control: { type: "ephemeral", ttl: "2h" } }] },
      "messages[0].cache_control.ttl",
    ],
    [
      "reasoning on a user message",
      { ...base, messages: [{ role: "user", content: "x", reasoning_content: "r" }] },
      "messages[0].reasoning_content",
    ],
  ])("refuses %s by its path", (_name, raw, field) => {
    expect(refusedField(raw)).toBe(field);
  });
});

describe("options", () => {
  const tool = { type: "function", function: { name: "lookup", parameters: { type: "object" } } };
  const hi = { ...base, messages: [{ role: "user", content: "hi" }] };

  it("carries every option into the core's request", () => {
    const schema = { type: "object", properties: { a: { type: "number" } }, required: ["a"] };
    const { request } = fromOpenAi({
      ...hi,
      tools: [tool],
      tool_choice: { type: "function", function: { name: "lookup" } },
      parallel_tool_calls: false,
      response_format: { type: "json_schema", json_schema: { name: "answer", description: "d", schema, strict: true } },
      reasoning_effort: "high",
      reasoning: { budget_tokens: 4096 },
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 3,
      service_tier: "flex",
      prompt_cache_key: "tenant-1",
      extra_body: { top_k: 20, chat_template_kwargs: { enable_thinking: false } },
    });
    expect(request).toMatchObject({
      toolChoice: { name: "lookup" },
      parallelToolCalls: false,
      responseFormat: { type: "json_schema", name: "answer", description: "d", schemaJson: JSON.stringify(schema), strict: true },
      reasoning: { effort: "high", budgetTokens: 4096 },
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      logprobs: true,
      topLogprobs: 3,
      serviceTier: "flex",
      promptCacheKey: "tenant-1",
      extraBody: { top_k: 20, chat_template_kwargs: { enable_thinking: false } },
    });
  });

  it("reads defaults as asking for nothing", () => {
    const { request } = fromOpenAi({
      ...hi,
      response_format: { type: "text" },
      presence_penalty: 0,
      frequency_penalty: 0,
      logprobs: false,
      parallel_tool_calls: true,
      extra_body: {},
      n: 1,
      store: false,
    });
    for (const key of ["responseFormat", "reasoning", "presencePenalty", "frequencyPenalty", "logprobs", "parallelToolCalls", "extraBody"])
      expect(request, key).not.toHaveProperty(key);
  });

  it('carries reasoning_effort "none": models that reason by default are told not to', () => {
    expect(fromOpenAi({ ...hi, reasoning_effort: "none" }).request.reasoning).toEqual({ effort: "none" });
  });

  it("maps json_object, tool_choice modes, and a schema-less json_schema", () => {
    expect(fromOpenAi({ ...hi, response_format: { type: "json_object" } }).request.responseFormat).toEqual({ type: "json_object" });
    expect(fromOpenAi({ ...hi, response_format: { type: "json_schema", json_schema: { name: "any" } } }).request.responseFormat).toEqual({
      type: "json_schema",
      name: "any",
      schemaJson: "{}",
      strict: false,
    });
    for (const mode of ["auto", "none", "required"] as const)
      expect(fromOpenAi({ ...hi, tools: [tool], tool_choice: mode }).request.toolChoice).toBe(mode);
    expect(fromOpenAi({ ...hi, reasoning: { effort: "low" } }).request.reasoning).toEqual({ effort: "low" });
  });

  it.each([
    ["n above 1", { n: 2 }, "n"],
    ["store true", { store: true }, "store"],
    ["audio output", { modalities: ["text", "audio"] }, "modalities"],
    ["safety_identifier", { safety_identifier: "x" }, "safety_identifier"],
    ["prompt_cache_retention", { prompt_cache_retention: "24h" }, "prompt_cache_retention"],
    ["an effort the core cannot carry", { reasoning_effort: "xhigh" }, "reasoning_effort"],
    ["two efforts that differ", { reasoning_effort: "low", reasoning: { effort: "high" } }, "reasoning.effort"],
    ["an unknown key of reasoning", { reasoning: { max_tokens: 5 } }, "reasoning.max_tokens"],
    ["tool_choice without tools", { tool_choice: "required" }, "tool_choice"],
    ["an allowed_tools tool_choice", { tools: [tool], tool_choice: { type: "allowed_tools", allowed_tools: {} } }, "tool_choice"],
    ["an unknown response_format type", { response_format: { type: "grammar" } }, "response_format.type"],
    [
      "an unknown key of json_schema",
      { response_format: { type: "json_schema", json_schema: { name: "a", schema: {}, extra: 1 } } },
      "response_format.json_schema.extra",
    ],
    ["extra_body that is not an object", { extra_body: [1] }, "extra_body"],
    ["an unknown key of a tool", { tools: [{ ...tool, cache: 1 }] }, "tools[0].cache"],
  ])("refuses %s by name", (_name, extra, field) => {
    expect(refusedField({ ...hi, ...extra })).toBe(field);
  });
});
