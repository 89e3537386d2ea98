import Anthropic from "@anthropic-ai/sdk";
import { expect, it } from "vitest";
import { ReasoningEffort, Role } from "../../../gen/ts/llmgateway/v1/types_pb.js";
import { PNG, providerContract, SCHEMA, TOOL_CALL, TOOL_RESULT } from "./contract.js";

/*
 * Mistral's chat API through @mistralai/mistralai, on the fake's Mistral face (/mistral/v1), its key as a
 * bearer token. Mistral refuses fields it does not know and tool call ids that are not nine letters or
 * digits (the fake does too), so the contract's tool call carries one of Mistral's ids. Its prompt tokens
 * include the cached ones, which the catalogue prices at a tenth of the input price; thinking tokens are
 * counted in the completion's, not apart. Its chat API has no safety finish reason.
 */
const MODEL = "mistral-small-latest";
const THOUGHT = "Let me think.";
const think = (text: string) => ({ type: "thinking", thinking: [{ type: "text", text }] });
const chunk = (delta: Record<string, unknown>, finish: string | null = null, usage?: object) => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 0,
  model: MODEL,
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...(usage ? { usage } : {}),
});
const thinkingUsage = { prompt_tokens: 13, completion_tokens: 4, total_tokens: 17 };
const hi = [{ role: "user" as const, content: "Hi" }];

providerContract({
  kind: "mistral",
  provider: (upstream) => ({ kind: "mistral", baseUrl: `${upstream.anthropicBaseUrl}/mistral` }),
  env: { MISTRAL_API_KEY: "ms-key" },
  upstreamModel: MODEL,
  pricing: { inputPerMillion: 0.1, outputPerMillion: 0.3 },
  // Mistral's cached input costs a tenth of the input price unless the catalogue says otherwise.
  rates: { inputPerMillion: 0.1, outputPerMillion: 0.3, cachedInputPerMillion: 0.01 },
  listed: { cachedInputPricePerMillion: 0.01 },
  // The fake counts 13 prompt tokens, 3 of them cached, and one per answer word.
  usage: (words) => ({ fresh: 10, cached: 3, cacheWrite: 0, output: words, reasoning: 0 }),
  sent: (request) => {
    expect(request.path).toBe("/mistral/v1/chat/completions");
    expect(request.headers.authorization).toBe("Bearer ms-key");
    expect(request.body["model"]).toBe(MODEL);
  },
  messages: (body) => body["messages"],
  // Mistral takes an image's URL as a plain string.
  imageTurn: {
    role: "user",
    content: [
      { type: "text", text: "what is it?" },
      { type: "image_url", image_url: `data:image/png;base64,${PNG}` },
    ],
  },
  toolCallId: "D681PevKs",
  // The SDK writes its defaults (prefix, the call's index); tool results name their call's function, as Mistral's examples do.
  toolTurns: (id) => [
    {
      role: "assistant",
      content: "",
      prefix: false,
      tool_calls: [{ id, type: "function", function: { name: TOOL_CALL.name, arguments: TOOL_CALL.arguments }, index: 0 }],
    },
    { role: "tool", content: TOOL_RESULT, tool_call_id: id, name: TOOL_CALL.name },
  ],
  rateLimited: { behaviour: { status: 429, retryAfter: "3" }, delay: { seconds: 3n } },
  authFailures: [{ status: 401 }],
  safety: {
    none: "Mistral's chat API has no safety finish reason (safe_prompt only prepends a system prompt; moderation is its own API)",
  },
  jsonSchema: (body) =>
    expect(body["response_format"]).toEqual({ type: "json_schema", json_schema: { name: "answer", schema: SCHEMA, strict: true } }),
  thinking: {
    answer: {
      rawBody: {
        id: "c",
        object: "chat.completion",
        model: MODEL,
        created: 0,
        choices: [
          { index: 0, message: { role: "assistant", content: [think(THOUGHT), { type: "text", text: "42" }] }, finish_reason: "stop" },
        ],
        usage: thinkingUsage,
      },
      rawEvents: [chunk({ role: "assistant", content: [think(THOUGHT)] }), chunk({ content: "42" }, "stop", thinkingUsage), "[DONE]"],
    },
    sent: (body) => expect(body["reasoning_effort"]).toBe("low"),
  },
  extraModels: [
    {
      name: "mistral-embed",
      type: "embedding",
      provider: "subject",
      dimensions: 1024,
      contextWindow: 8192,
      pricing: { inputPerMillion: 0.1 },
    },
  ],
  extra: (gw) => {
    it("carries reasoning asked on gRPC: the effort goes up as Mistral's, its thinking chunks come back as the reasoning", async () => {
      gw().upstream.enqueue({ text: "Hello." });
      const answer = await gw().grpc.complete({
        model: "subject",
        messages: [{ role: Role.USER, content: "Hi" }],
        reasoning: { effort: ReasoningEffort.HIGH },
      });
      expect(gw().upstream.requests.at(-1)!.body["reasoning_effort"]).toBe("high");
      expect(answer.completion?.message?.content).toBe("Hello.");
      expect(answer.completion?.message?.reasoning).toBe("The user greets me; I answer briefly.");
    });

    it("serves Anthropic's Messages API from Mistral: a thinking budget as Mistral's effort, its thinking as a thinking block", async () => {
      gw().upstream.enqueue({ text: "Hello." });
      const anthropic = new Anthropic({ apiKey: "unused", baseURL: `http://127.0.0.1:${gw().server.httpPort}`, maxRetries: 0 });
      const message = await anthropic.messages.create({
        model: "subject",
        max_tokens: 1024,
        thinking: { type: "enabled", budget_tokens: 512 },
        messages: hi,
      });
      // A budget of 512 thinking tokens is Mistral's low effort.
      expect(gw().upstream.requests.at(-1)!.body["reasoning_effort"]).toBe("low");
      expect(message.content[0]).toMatchObject({ type: "thinking", thinking: "The user greets me; I answer briefly." });
      expect(message.content[1]).toMatchObject({ type: "text", text: "Hello." });
    });

    it("continues on Mistral a tool conversation begun elsewhere, its call ids made Mistral's nine characters", async () => {
      gw().upstream.enqueue({ text: "It is noon." });
      const data = await gw().sdk.chat.completions.create({
        model: "subject",
        messages: [
          { role: "user", content: "Time?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_Xy12", type: "function", function: { name: "clock", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "call_Xy12", content: "12:00" },
        ],
      });
      expect(data.choices[0]?.message.content).toBe("It is noon.");
      const [, assistant, tool] = gw().upstream.requests.at(-1)!.body["messages"] as {
        tool_calls?: { id: string }[];
        tool_call_id?: string;
      }[];
      expect(assistant?.tool_calls?.[0]?.id).toMatch(/^[a-zA-Z0-9]{9}$/);
      expect(tool?.tool_call_id).toBe(assistant?.tool_calls?.[0]?.id);
    });

    it("embeds with mistral-embed through POST /v1/embeddings", async () => {
      const data = await gw().sdk.embeddings.create({
        model: "mistral-embed",
        input: ["red apple", "green pear"],
        encoding_format: "float",
      });
      expect(data.data.map((d) => d.embedding.length)).toEqual([1024, 1024]);
      expect(data.usage.prompt_tokens).toBe(4);
      expect(gw().upstream.requests.at(-1)!.path).toBe("/mistral/v1/embeddings");
    });
  },
});
