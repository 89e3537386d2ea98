import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCohereProvider } from "../../src/providers/cohere.js";
import { escapeDoneMarker } from "../../src/providers/cohere-fetch.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { Provider } from "../../src/providers/provider.js";
import { chunksOf, complete, request, tools } from "../support/cohere-calls.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * The Cohere provider through the real cohere-ai SDK (CohereClientV2), pointed at the fake upstream by
 * its baseUrl: Cohere's v2 chat wire format, JSON and server-sent events, both ways. Its failures,
 * refusals and embeddings are in cohere-failures.test.ts and cohere-embed.test.ts.
 */

let upstream: FakeUpstream;
let cohere: Provider;
const fetch = createSdkFetch(new Agent());
const sent = () => upstream.requests.at(-1)!;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  cohere = createCohereProvider({
    name: "cohere",
    apiKey: "co-key",
    baseUrl: upstream.anthropicBaseUrl,
    fetch,
    headers: { "x-route": "blue" },
  });
});
afterAll(() => upstream.close());

describe("Cohere provider through cohere-ai", () => {
  it("calls POST /v2/chat with the bearer key, Cohere's own field names and the extra headers", async () => {
    const result = await complete(cohere, { ...request, temperature: 0.2, topP: 0.9, topK: 5, seed: 7, presencePenalty: 0.5, unary: true });
    expect(sent().path).toBe("/v2/chat");
    expect(sent().headers.authorization).toBe("Bearer co-key");
    expect(sent().headers["x-route"]).toBe("blue");
    expect(sent().body).toEqual({
      model: "command-a-03-2025",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 64,
      temperature: 0.2,
      p: 0.9,
      k: 5,
      stop_sequences: ["END"],
      seed: 7,
      presence_penalty: 0.5,
      stream: false,
    });
    expect(result.message.content).toBe("Hello from the fake upstream, streaming word by word.");
    expect(result.finishReason).toBe("stop");
    // Cohere bills 11 input tokens of the 17 it counted; 3 of them hit its cache.
    expect(result.usage).toEqual({ inputTokens: 11, outputTokens: 9, cachedInputTokens: 3 });
  });

  it("streams server-sent events: started, one delta per content-delta, an end with the billed usage", async () => {
    upstream.enqueue({ text: "one two three" });
    const chunks = await chunksOf(cohere, request);
    expect(sent().body["stream"]).toBe(true);
    expect(chunks.map((c) => (c.type === "delta" ? c.text : c.type))).toEqual(["started", "one ", "two ", "three", "end"]);
    expect(chunks.at(-1)).toEqual({
      type: "end",
      finishReason: "stop",
      model: "command-a-03-2025",
      usage: { inputTokens: 11, outputTokens: 3, cachedInputTokens: 3 },
    });
  });

  it.each([1, 3, 64])("passes on an answer whose text holds [DONE], the SDK's end marker (sent %i bytes at a time)", async (size) => {
    const events = [
      { type: "content-delta", index: 0, delta: { message: { content: { text: "data: [DONE] ends " } } } },
      { type: "content-delta", index: 0, delta: { message: { content: { text: "[DONE]" } } } },
      { type: "message-end", delta: { finish_reason: "COMPLETE" } },
    ];
    const wire = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
    // The escape is checked on the bytes as they come, split anywhere: through the fake's raw chunks.
    const chunks: string[] = [];
    for (let i = 0; i < wire.length; i += size) chunks.push(wire.slice(i, i + size));
    const body = (async function* () {
      for (const c of chunks) yield new TextEncoder().encode(c);
    })();
    const seen: Uint8Array[] = [];
    for await (const b of escapeDoneMarker(body)) seen.push(b);
    const text = Buffer.concat(seen).toString();
    expect(text).not.toContain("[DONE]");
    expect(
      text
        .split("\n\n")
        .filter(Boolean)
        .map((e) => JSON.parse(e.slice(e.indexOf("\ndata: ") + 7))),
    ).toEqual(events);
    upstream.enqueue({ rawEvents: events });
    expect((await complete(cohere, request)).message.content).toBe("data: [DONE] ends [DONE]");
  });

  it("yields no end when the stream stops before message-end", async () => {
    upstream.enqueue({ text: "a b c", endWithoutFinish: true });
    expect((await chunksOf(cohere, request)).some((c) => c.type === "end")).toBe(false);
  });

  it.each([true, false])(
    "carries a tool round trip (unary %s): declarations, a named choice, the plan as reasoning, calls",
    async (unary) => {
      const call = { id: "call_1", name: "clock", arguments: '{"tz":"UTC"}' };
      upstream.enqueue({ text: "", toolCalls: [call] });
      const more = [...tools, { name: "other", description: "", parametersJson: '{"type":"object"}', strict: true }];
      const first = await complete(cohere, { ...request, unary, tools: more, toolChoice: { name: "clock" } });
      // Cohere names no single tool: the named one is declared alone, and a call required.
      expect(sent().body["tools"]).toEqual([
        { type: "function", function: { name: "clock", description: "The time", parameters: JSON.parse(tools[0]!.parametersJson) } },
      ]);
      expect(sent().body["tool_choice"]).toBe("REQUIRED");
      expect(first.finishReason).toBe("tool_calls");
      expect(first.message.toolCalls).toEqual([{ id: "call_1", name: "clock", argumentsJson: '{"tz":"UTC"}' }]);
      expect(first.message.reasoning).toBe("I will call the tools.");

      await complete(cohere, {
        ...request,
        tools,
        messages: [...request.messages, first.message, { role: "tool", toolCallId: "call_1", content: '{"time":"12:00"}' }],
      });
      expect((sent().body["messages"] as unknown[]).slice(2)).toEqual([
        {
          role: "assistant",
          tool_calls: [{ id: "call_1", type: "function", function: { name: "clock", arguments: '{"tz":"UTC"}' } }],
          tool_plan: "I will call the tools.",
        },
        { role: "tool", tool_call_id: "call_1", content: '{"time":"12:00"}' },
      ]);
    },
  );

  it.each([
    ["none", "NONE"],
    ["required", "REQUIRED"],
    ["auto", undefined],
  ] as const)("sends tool_choice %s as %s, and strict tools as strict_tools", async (choice, sentChoice) => {
    await complete(cohere, { ...request, tools: [{ ...tools[0]!, strict: true }], toolChoice: choice });
    expect(sent().body["tool_choice"]).toBe(sentChoice);
    expect(sent().body["strict_tools"]).toBe(true);
  });

  it("sends images as image_url blocks: bytes as a data: URL, a web URL as it is, with the detail", async () => {
    await complete(cohere, {
      ...request,
      model: "command-a-vision-07-2025",
      messages: [
        {
          role: "user",
          content: "What is this?",
          parts: [
            { type: "text", text: "What is this?" },
            { type: "image", data: "iVBORw0KGgo=", mediaType: "image/png" },
            { type: "image", url: "https://example.com/cat.jpg", detail: "low" },
          ],
        },
      ],
    });
    expect(sent().body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "low" } },
        ],
      },
    ]);
  });

  it("asks for thinking with a token budget, reads thinking blocks as reasoning, and sends reasoning back as thinking", async () => {
    upstream.enqueue({
      rawEvents: [
        { type: "message-start", id: "x", delta: { message: { role: "assistant" } } },
        { type: "content-start", index: 0, delta: { message: { content: { type: "thinking", thinking: "" } } } },
        { type: "content-delta", index: 0, delta: { message: { content: { thinking: "Two and two." } } } },
        { type: "content-start", index: 1, delta: { message: { content: { type: "text", text: "" } } } },
        { type: "content-delta", index: 1, delta: { message: { content: { text: "Four." } } } },
        { type: "message-end", delta: { finish_reason: "COMPLETE", usage: { billed_units: { input_tokens: 5, output_tokens: 40 } } } },
      ],
    });
    const r = { ...request, model: "command-a-reasoning-08-2025", maxTokens: 2048, reasoning: { budgetTokens: 1024 } };
    const result = await complete(cohere, r);
    expect(sent().body["thinking"]).toEqual({ type: "enabled", token_budget: 1024 });
    expect(result.message).toEqual({ role: "assistant", content: "Four.", reasoning: "Two and two." });
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 40 });

    await complete(cohere, {
      ...r,
      reasoning: { effort: "none" },
      messages: [...request.messages, result.message, { role: "user", content: "And 3+3?" }],
    });
    expect(sent().body["thinking"]).toEqual({ type: "disabled" });
    expect((sent().body["messages"] as unknown[])[2]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Two and two." },
        { type: "text", text: "Four." },
      ],
    });
  });

  it("asks for JSON with a schema, and passes Cohere's own fields from extra_body", async () => {
    const schemaJson = '{"type":"object","properties":{"a":{"type":"number"}}}';
    await complete(cohere, { ...request, responseFormat: { type: "json_schema", name: "x", schemaJson, strict: true } });
    expect(sent().body["response_format"]).toEqual({ type: "json_object", json_schema: JSON.parse(schemaJson) });
    const extraBody = {
      documents: ["Paris is in France.", { id: "d2", data: { title: "Rome", snippet: "Rome is in Italy." } }],
      citation_options: { mode: "FAST" },
      safety_mode: "STRICT",
      priority: 2,
    };
    await complete(cohere, { ...request, extraBody });
    expect(sent().body).toMatchObject(extraBody);
  });

  it("reads an answer grounded on documents, its citation events skipped and its text whole", async () => {
    const citation = { start: 0, end: 5, text: "Paris", sources: [{ type: "document", id: "d1", document: { snippet: "Paris..." } }] };
    upstream.enqueue({
      rawEvents: [
        { type: "message-start", id: "x", delta: { message: { role: "assistant" } } },
        { type: "content-start", index: 0, delta: { message: { content: { type: "text", text: "" } } } },
        { type: "content-delta", index: 0, delta: { message: { content: { text: "Paris is the capital." } } } },
        { type: "citation-start", index: 0, delta: { message: { citations: citation } } },
        { type: "citation-end", index: 0 },
        { type: "content-end", index: 0 },
        { type: "message-end", delta: { finish_reason: "COMPLETE", usage: { tokens: { input_tokens: 30, output_tokens: 6 } } } },
      ],
    });
    const result = await complete(cohere, { ...request, extraBody: { documents: [{ id: "d1", data: { snippet: "Paris..." } }] } });
    expect(result.message.content).toBe("Paris is the capital.");
    // Without billed units, the token counts stand in.
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 6 });
  });

  it("reads log probabilities, one entry per piece of text", async () => {
    upstream.enqueue({
      rawEvents: [
        {
          type: "content-delta",
          index: 0,
          delta: { message: { content: { text: "Hi" } } },
          logprobs: { text: "Hi", token_ids: [5], logprobs: [-0.5] },
        },
        {
          type: "content-delta",
          index: 0,
          delta: { message: { content: { text: " there" } } },
          logprobs: { text: " there", token_ids: [6, 7], logprobs: [-0.25, -1] },
        },
        { type: "message-end", delta: { finish_reason: "COMPLETE" } },
      ],
    });
    const chunks = await chunksOf(cohere, { ...request, logprobs: true });
    expect(sent().body["logprobs"]).toBe(true);
    expect(chunks.filter((c) => c.type === "delta").map((c) => (c as { logprobs?: unknown }).logprobs)).toEqual([
      [{ token: "Hi", logprob: -0.5, topLogprobs: [] }],
      [{ token: " there", logprob: -1.25, topLogprobs: [] }],
    ]);
  });
});
