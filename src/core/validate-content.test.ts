import { describe, expect, it } from "vitest";
import { costOf, type ModelEntry } from "./catalog.js";
import type { GatewayError } from "./errors.js";
import { outputProblem } from "./output-format.js";
import type { ChatRequest, ContentPart } from "./types.js";
import { validateChatRequest } from "./validate.js";

const capabilities = { streaming: true, tools: true, vision: true, jsonMode: true, documents: true, audio: false, reasoning: true };
const model = (over: Partial<ModelEntry["capabilities"]> = {}): ModelEntry => ({
  name: "m",
  aliases: [],
  provider: "p",
  providerKind: "openai",
  upstreamModel: "m",
  tokenizer: "estimate",
  contextWindow: 1_000_000,
  maxOutputTokens: 1000,
  inputPricePerMillion: 1,
  outputPricePerMillion: 2,
  cachedInputPricePerMillion: 0.5,
  cacheWritePricePerMillion: 1,
  cacheWrite1hPricePerMillion: 1,
  deployments: [],
  capabilities: { ...capabilities, ...over },
  hedgeAfterMs: undefined,
});

const request = (over: Partial<ChatRequest> = {}, parts?: ContentPart[]): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: parts ? "" : "hi", ...(parts ? { parts } : {}) }],
  stop: [],
  user: "",
  metadata: {},
  routing: { preferredProviders: [], excludedProviders: [] },
  ...over,
});

async function refusal(r: ChatRequest, m = model()): Promise<[string, string | undefined]> {
  try {
    await validateChatRequest(r, m, false);
  } catch (err) {
    const e = err as GatewayError;
    return [e.reason, e.metadata["field"]];
  }
  return ["ok", undefined];
}

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString("base64");

describe("validation of what a request carries beyond text", () => {
  it("takes an image, a PDF and text parts on a user message with no text of its own", async () => {
    const parts: ContentPart[] = [
      { type: "text", text: "what is this?" },
      { type: "image", data: png, mediaType: "image/png" },
      { type: "image", url: "https://example.com/a.jpg", detail: "low" },
      { type: "file", data: Buffer.from("%PDF-1.4").toString("base64"), mediaType: "application/pdf", filename: "a.pdf" },
    ];
    expect(await refusal(request({}, parts))).toEqual(["ok", undefined]);
  });

  it("refuses a part the model cannot take, naming the part and the capability", async () => {
    const image: ContentPart[] = [{ type: "image", url: "https://example.com/a.jpg" }];
    expect(await refusal(request({}, image), model({ vision: false }))).toEqual(["CAPABILITY_UNSUPPORTED", "messages[0].parts[0]"]);
    const audio: ContentPart[] = [{ type: "audio", data: Buffer.alloc(10).toString("base64"), format: "wav" }];
    expect(await refusal(request({}, audio))).toEqual(["CAPABILITY_UNSUPPORTED", "messages[0].parts[0]"]);
    const pdf: ContentPart[] = [{ type: "file", fileId: "file-1" }];
    expect(await refusal(request({}, pdf), model({ documents: false }))).toEqual(["CAPABILITY_UNSUPPORTED", "messages[0].parts[0]"]);
  });

  it("refuses parts a role cannot carry, odd media types and URLs, and oversized parts", async () => {
    const system = request({
      messages: [
        { role: "system", content: "", parts: [{ type: "image", url: "https://x/y.png" }] },
        { role: "user", content: "hi" },
      ],
    });
    expect(await refusal(system)).toEqual(["INVALID_REQUEST", "messages[0].parts[0]"]);
    expect(await refusal(request({}, [{ type: "image", data: png, mediaType: "image/bmp" }]))).toEqual([
      "INVALID_REQUEST",
      "messages[0].parts[0].media_type",
    ]);
    expect(await refusal(request({}, [{ type: "image", url: "ftp://x/y.png" }]))).toEqual(["INVALID_REQUEST", "messages[0].parts[0].url"]);
    expect(await refusal(request({}, [{ type: "image", url: "data:text/html;base64,AAAA" }]))).toEqual([
      "INVALID_REQUEST",
      "messages[0].parts[0].url",
    ]);
    const big = Buffer.alloc(21 * 1024 * 1024).toString("base64");
    expect(await refusal(request({}, [{ type: "image", data: big, mediaType: "image/png" }]))).toEqual([
      "INVALID_REQUEST",
      "messages[0].parts[0]",
    ]);
  });

  it("refuses reasoning on a message that is not the assistant's, as the REST face does", async () => {
    const r = request({ messages: [{ role: "user", content: "hi", reasoning: "I think" }] });
    expect(await refusal(r)).toEqual(["INVALID_REQUEST", "messages[0].reasoning"]);
  });

  it("counts images in the context check", async () => {
    const images: ContentPart[] = Array.from({ length: 10 }, () => ({ type: "image", url: "https://x/y.png" }));
    // Ten images of unknown size weigh 16,000 tokens: more than a 10,000-token window.
    const small = { ...model(), contextWindow: 10_000, maxOutputTokens: 100 };
    expect(await refusal(request({}, images), small)).toEqual(["INVALID_REQUEST", "messages"]);
  });

  it("checks tool choice against the tools offered", async () => {
    const tools = {
      names: [],
      all: false,
      definitions: [{ name: "lookup", description: "", parametersJson: "{}" }],
      execution: "client" as const,
    };
    expect(await refusal(request({ toolChoice: "required" }))).toEqual(["INVALID_REQUEST", "tool_choice"]);
    expect(await refusal(request({ tools, toolChoice: { name: "other" } }))).toEqual(["INVALID_REQUEST", "tool_choice"]);
    expect(await refusal(request({ tools, toolChoice: { name: "lookup" }, parallelToolCalls: false }))).toEqual(["ok", undefined]);
  });

  it("checks response formats: the capability, the name, and that the schema is one", async () => {
    const schema = (schemaJson: string, name = "answer") =>
      request({ responseFormat: { type: "json_schema", name, schemaJson, strict: true } });
    expect(await refusal(schema('{"type":"object"}'))).toEqual(["ok", undefined]);
    expect(await refusal(schema('{"type":"object"}'), model({ jsonMode: false }))).toEqual(["CAPABILITY_UNSUPPORTED", "response_format"]);
    expect(await refusal(schema('{"type":"object"}', "has space"))).toEqual(["INVALID_REQUEST", "response_format.json_schema.name"]);
    expect(await refusal(schema("[1]"))).toEqual(["INVALID_REQUEST", "response_format.json_schema.schema"]);
    expect(await refusal(schema('{"type":"no-such-type"}'))).toEqual(["INVALID_REQUEST", "response_format.json_schema.schema"]);
  });

  it("checks reasoning, penalties, logprobs and the pass-through body", async () => {
    expect(await refusal(request({ reasoning: { effort: "high" } }), model({ reasoning: false }))).toEqual([
      "CAPABILITY_UNSUPPORTED",
      "reasoning",
    ]);
    expect(await refusal(request({ reasoning: { budgetTokens: 0.5 } }))).toEqual(["INVALID_REQUEST", "reasoning.budget_tokens"]);
    expect(await refusal(request({ presencePenalty: 3 }))).toEqual(["INVALID_REQUEST", "presence_penalty"]);
    expect(await refusal(request({ frequencyPenalty: -2.5 }))).toEqual(["INVALID_REQUEST", "frequency_penalty"]);
    expect(await refusal(request({ topLogprobs: 3 }))).toEqual(["INVALID_REQUEST", "top_logprobs"]);
    expect(await refusal(request({ logprobs: true, topLogprobs: 21 }))).toEqual(["INVALID_REQUEST", "top_logprobs"]);
    expect(await refusal(request({ serviceTier: "a b" }))).toEqual(["INVALID_REQUEST", "service_tier"]);
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(await refusal(request({ extraBody: { deep } }))).toEqual(["INVALID_REQUEST", "extra_body"]);
    expect(await refusal(request({ logprobs: true, topLogprobs: 5, extraBody: { top_k: 40 } }))).toEqual(["ok", undefined]);
  });
});

describe("structured outputs, checked", () => {
  const format = { type: "json_schema" as const, name: "n", schemaJson: '{"type":"object","required":["a"]}', strict: false };
  it("says why an answer does not conform, and nothing when it does", async () => {
    expect(await outputProblem(format, '{"a":1}')).toBeUndefined();
    expect(await outputProblem(format, "{}")).toContain("must have required property 'a'");
    expect(await outputProblem(format, "{")).toBe("the answer is not valid JSON");
    expect(await outputProblem({ type: "json_object" }, "42")).toBe("the answer is JSON but not an object");
  });
});

describe("cost with prompt caching", () => {
  it("prices cache reads and writes at their own rates, the rest of the input at the input rate", () => {
    // Claude-like prices: input 3, output 15, cache reads 0.3, writes 3.75 per million.
    const prices = { inputPricePerMillion: 3, outputPricePerMillion: 15, cachedInputPricePerMillion: 0.3, cacheWritePricePerMillion: 3.75 };
    const usage = { inputTokens: 10 + 3000 + 500, cachedInputTokens: 3000, cacheWriteTokens: 500, outputTokens: 200 };
    // 10 × 3 + 3000 × 0.3 + 500 × 3.75 + 200 × 15 = 30 + 900 + 1875 + 3000 = 5805 per million.
    expect(costOf(prices, usage)).toBeCloseTo(0.005805, 12);
    // An hour's writes at Anthropic's 2× input (6 per million): 200 of the 500 written for an hour.
    const hourly = { ...prices, cacheWrite1hPricePerMillion: 6 };
    expect(costOf(hourly, { ...usage, cacheWrite1hTokens: 200 })).toBeCloseTo((30 + 900 + 300 * 3.75 + 200 * 6 + 3000) / 1e6, 12);
    // Without cache details the same tokens cost the full input rate.
    expect(costOf(prices, { inputTokens: 3510, outputTokens: 200 })).toBeCloseTo((3510 * 3 + 200 * 15) / 1e6, 12);
  });
});
