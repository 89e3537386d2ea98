import type { ModelEntry } from "../../src/core/catalog.js";
import type { ChatMessage, ChatRequest, ChatResult } from "../../src/core/types.js";

/*
 * The model, request and upstream answer that tests of the response cache build around: one OpenAI-format model
 * "m", a request at temperature 0 (cacheable), and a fresh answer as the pipeline hands it to the cache.
 */

export const cacheTestModel: ModelEntry = {
  name: "m",
  aliases: [],
  deployments: [],
  provider: "p1",
  providerKind: "openai",
  upstreamModel: "m-up",
  contextWindow: 100_000,
  maxOutputTokens: 500,
  inputPricePerMillion: 1,
  outputPricePerMillion: 2,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  capabilities: { streaming: true, tools: false, vision: false, jsonMode: false, documents: false, audio: false, reasoning: false },
  tokenizer: "estimate",
  hedgeAfterMs: undefined,
};

/** A cacheable request to "m" with these messages. */
export const cacheTestRequest = (messages: ChatMessage[]): ChatRequest => ({
  model: "m",
  messages,
  temperature: 0,
  stop: [],
  user: "",
  metadata: {},
  routing: { preferredProviders: [], excludedProviders: [] },
});

/** An upstream's fresh answer with this text. */
export const freshAnswer = (content: string): ChatResult => ({
  id: "r",
  message: { role: "assistant", content },
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 5, estimated: false },
  costUsd: 0.001,
  provider: "p1",
  model: "m-up",
  cacheStatus: "miss",
  latencyMs: 1,
  gatewayOverheadMs: 0,
  attempts: [],
});
