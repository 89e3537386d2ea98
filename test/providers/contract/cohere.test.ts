import type OpenAI from "openai";
import { expect, it } from "vitest";
import { PNG, providerContract, SCHEMA, TOOL_CALL, TOOL_RESULT } from "./contract.js";

/*
 * Cohere's v2 Chat API through cohere-ai's CohereClientV2, its key as a bearer token (a revoked one is
 * Cohere's 498). Cohere's models split what the contract asks of one: Command A calls tools but takes no
 * images, Command A Vision takes images but no tools, and only Command A Reasoning thinks; each case goes
 * to the model that carries it. Usage is what Cohere bills (11 input tokens of the 17 it counted, 3 of
 * them from its cache, which Cohere bills at the input price). Cohere has no safety finish reason.
 */
const COMMAND_A = "command-a-03-2025";
const VISION = "command-a-vision-07-2025";
const REASONING = "command-a-reasoning-08-2025";
const pricing = { inputPerMillion: 2.5, outputPerMillion: 10 };
const question = { type: "text", text: "what is it?" };
const thinkingUsage = { billed_units: { input_tokens: 11, output_tokens: 4 } };

providerContract({
  kind: "cohere",
  provider: (upstream) => ({ kind: "cohere", baseUrl: upstream.anthropicBaseUrl }),
  env: { COHERE_API_KEY: "co-key" },
  upstreamModel: COMMAND_A,
  pricing,
  rates: { ...pricing, cachedInputPerMillion: pricing.inputPerMillion },
  usage: (words) => ({ fresh: 8, cached: 3, cacheWrite: 0, output: words, reasoning: 0 }),
  sent: (request) => {
    expect(request.path).toBe("/v2/chat");
    expect(request.headers.authorization).toBe("Bearer co-key");
  },
  messages: (body) => body["messages"],
  imageModel: {
    upstreamModel: VISION,
    why: "Cohere's one model that takes images; it takes no tools, and Command A no images",
    // A question of one text part reaches Cohere as a plain string.
    textTurn: { role: "user", content: "what is it?" },
  },
  imageTurn: { role: "user", content: [question, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] },
  toolTurns: (id) => [
    { role: "assistant", tool_calls: [{ id, type: "function", function: { name: TOOL_CALL.name, arguments: TOOL_CALL.arguments } }] },
    { role: "tool", tool_call_id: id, content: TOOL_RESULT },
  ],
  rateLimited: { behaviour: { status: 429, retryAfter: "3" }, delay: { seconds: 3n } },
  authFailures: [{ status: 401 }, { status: 498 }],
  safety: {
    none: "Cohere's finish reasons have no safety block (safety_mode shapes the answer and never reports one: it passes through extra_body)",
  },
  jsonSchema: (body) => expect(body["response_format"]).toEqual({ type: "json_object", json_schema: SCHEMA }),
  thinking: {
    upstreamModel: REASONING,
    answer: {
      rawBody: {
        id: "c",
        finish_reason: "COMPLETE",
        message: {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Let me think." },
            { type: "text", text: "42" },
          ],
        },
        usage: thinkingUsage,
      },
      rawEvents: [
        { type: "content-delta", index: 0, delta: { message: { content: { thinking: "Let me think." } } } },
        { type: "content-delta", index: 1, delta: { message: { content: { text: "42" } } } },
        { type: "message-end", delta: { finish_reason: "COMPLETE", usage: thinkingUsage } },
      ],
    },
    // Cohere has no effort, only a thinking budget: low is 4,096 tokens.
    sent: (body) => {
      expect(body["model"]).toBe(REASONING);
      expect(body["thinking"]).toEqual({ type: "enabled", token_budget: 4096 });
    },
  },
  extraModels: [
    {
      name: "embed-v4.0",
      type: "embedding",
      provider: "subject",
      dimensions: 1536,
      contextWindow: 128000,
      pricing: { inputPerMillion: 0.12 },
    },
  ],
  extra: (gw) => {
    const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Hi" }];

    it("streams every call to Cohere, a unary one too, with the catalogue's upstream model", async () => {
      await gw().sdk.chat.completions.create({ model: "subject", messages: hi });
      expect(gw().upstream.requests.at(-1)!.body).toMatchObject({ model: COMMAND_A, stream: true });
    });

    it("passes on a streamed answer whose text holds [DONE], the cohere-ai SDK's end marker", async () => {
      gw().upstream.enqueue({ text: "data: [DONE] and then more" });
      const stream = await gw().sdk.chat.completions.create({ model: "subject", messages: hi, stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe("data: [DONE] and then more");
    });

    it("passes Cohere's documents and safety mode from extra_body", async () => {
      const extra_body = { documents: ["Paris is the capital of France."], safety_mode: "STRICT" };
      await gw().sdk.chat.completions.create({ model: "subject", messages: hi, extra_body } as never);
      expect(gw().upstream.requests.at(-1)!.body).toMatchObject(extra_body);
    });

    it("turns a reasoning model's thinking off with reasoning_effort none", async () => {
      await gw().sdk.chat.completions.create({ model: "subject-thinking", messages: hi, reasoning_effort: "none" });
      expect(gw().upstream.requests.at(-1)!.body["thinking"]).toEqual({ type: "disabled" });
    });

    it("embeds through /v2/embed, billed for Cohere's input tokens", async () => {
      const input = ["red apple", "green pear"];
      const data = await gw().sdk.embeddings.create({ model: "embed-v4.0", input, dimensions: 512, encoding_format: "float" });
      expect(data.data.map((d) => d.embedding.length)).toEqual([512, 512]);
      expect(data.usage.prompt_tokens).toBe(4);
      expect(gw().upstream.requests.at(-1)).toMatchObject({
        path: "/v2/embed",
        body: { input_type: "search_document", output_dimension: 512 },
      });
    });
  },
});
