import { expect } from "vitest";
import { messageEnd, messageStart, signedThinkingThenText } from "../../support/anthropic-events.js";
import { type KindSpec, PNG, SCHEMA, TOOL_CALL, TOOL_RESULT } from "./contract.js";

/*
 * The three wire formats several kinds share, as the contract's spec fields: OpenAI's Chat Completions
 * (openai, openai-compatible, azure-openai), Anthropic's Messages (anthropic, and Claude on Vertex AI and
 * Bedrock, which carry the same body), and Gemini's generateContent (the Gemini API and Vertex AI).
 * What differs between the kinds of one wire (paths, credentials, error framing) stays in their spec files.
 */

/** The spec fields a wire decides. */
export type Wire = Omit<KindSpec, "kind" | "label" | "provider" | "sent" | "upstreamModel" | "pricing" | "rates" | "env" | "listed">;

const body = (key: string) => (b: Record<string, unknown>) => b[key];
const args = JSON.parse(TOOL_CALL.arguments) as object;
const thought = "Let me think.";

export const openAiWire: Wire = {
  // The fake counts 11 prompt tokens, one per answer word, and no cache.
  usage: (words) => ({ fresh: 11, cached: 0, cacheWrite: 0, output: words, reasoning: 0 }),
  messages: body("messages"),
  imageTurn: {
    role: "user",
    content: [
      { type: "text", text: "what is it?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
    ],
  },
  toolTurns: (id) => [
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id, type: "function", function: { name: TOOL_CALL.name, arguments: TOOL_CALL.arguments } }],
    },
    { role: "tool", tool_call_id: id, content: TOOL_RESULT },
  ],
  rateLimited: { behaviour: { status: 429, retryAfter: "3" }, delay: { seconds: 3n } },
  authFailures: [{ status: 401 }],
  safety: { text: "", finishReason: "content_filter" },
  jsonSchema: (b) =>
    expect(b["response_format"]).toEqual({ type: "json_schema", json_schema: { name: "answer", schema: SCHEMA, strict: true } }),
  thinking: {
    answer: {
      rawEvents: [
        {
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "m",
          choices: [{ index: 0, delta: { role: "assistant", reasoning_content: thought } }],
        },
        {
          id: "c",
          object: "chat.completion.chunk",
          created: 0,
          model: "m",
          choices: [{ index: 0, delta: { content: "42" }, finish_reason: "stop" }],
        },
        "[DONE]",
      ],
    },
    sent: (b) => expect(b["reasoning_effort"]).toBe("low"),
  },
};

export const anthropicWire: Wire = {
  // The fake counts 13 fresh input tokens, 3 read from the cache and 2 written to it, one per answer word.
  usage: (words) => ({ fresh: 13, cached: 3, cacheWrite: 2, output: words, reasoning: 0 }),
  messages: body("messages"),
  imageTurn: {
    role: "user",
    content: [
      { type: "text", text: "what is it?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
    ],
  },
  toolTurns: (id) => [
    { role: "assistant", content: [{ type: "tool_use", id, name: TOOL_CALL.name, input: args }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: TOOL_RESULT }] },
  ],
  rateLimited: { behaviour: { status: 429, retryAfter: "3" }, delay: { seconds: 3n } },
  authFailures: [{ status: 401 }],
  safety: { text: "", finishReason: "refusal" },
  jsonSchema: (b) => expect(b["output_config"]).toEqual({ format: { type: "json_schema", schema: SCHEMA } }),
  thinking: {
    answer: { rawEvents: [messageStart(), ...signedThinkingThenText(thought, "sig-1", "42"), ...messageEnd(5)] },
    sent: (b) => expect(b["thinking"]).toEqual({ type: "enabled", budget_tokens: 1024 }),
  },
};

const geminiThinking = [
  { candidates: [{ content: { role: "model", parts: [{ text: thought, thought: true }] }, index: 0 }] },
  { candidates: [{ content: { role: "model", parts: [{ text: "42" }] }, index: 0, finishReason: "STOP" }] },
];

export const geminiWire: Wire = {
  // Gemini counts the 3 cached tokens inside its 13 prompt tokens, and 4 thinking tokens beside the answer's.
  usage: (words) => ({ fresh: 10, cached: 3, cacheWrite: 0, output: words, reasoning: 4 }),
  messages: body("contents"),
  imageTurn: { role: "user", parts: [{ text: "what is it?" }, { inlineData: { mimeType: "image/png", data: PNG } }] },
  toolTurns: (id) => [
    { role: "model", parts: [{ functionCall: { id, name: TOOL_CALL.name, args } }] },
    { role: "user", parts: [{ functionResponse: { id, name: TOOL_CALL.name, response: { output: TOOL_RESULT } } }] },
  ],
  // Gemini sends no tool call ids: the gateway makes one, and sends it back with the result.
  callId: () => expect.stringMatching(/.+/),
  // Google names the delay in the error body (RetryInfo).
  rateLimited: { behaviour: { status: 429, retryAfter: "2.5" }, delay: { seconds: 2n, nanos: 500_000_000 } },
  authFailures: [{ status: 401 }, { status: 403 }],
  safety: { text: "", finishReason: "SAFETY" },
  jsonSchema: (b) => expect(b["generationConfig"]).toMatchObject({ responseMimeType: "application/json", responseJsonSchema: SCHEMA }),
  thinking: {
    answer: { rawEvents: geminiThinking },
    sent: (b) => expect(b["generationConfig"]).toMatchObject({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } }),
  },
};
