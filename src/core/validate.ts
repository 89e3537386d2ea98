import type { ModelEntry } from "./catalog.js";
import { GatewayError, invalidRequest } from "./errors.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-limits.js";
import { countMessageTokens, estimatePromptTokens } from "./tokens.js";
import type { ChatRequest } from "./types.js";
import { checkOptions, checkParts } from "./validate-content.js";

// A bound, not a provider's rule: OpenAI's own API takes 4 (its provider refuses more), Anthropic's more.
const MAX_STOP_SEQUENCES = 64;
const MAX_METADATA_ENTRIES = 16;
const MAX_METADATA_KEY = 64;
const MAX_METADATA_VALUE = 512;
const MAX_USER_LENGTH = 256;

/**
 * Checks a request against the contract and the model it resolved to, so
 * that bad input fails here with the field named, not at the provider.
 */
export async function validateChatRequest(request: ChatRequest, model: ModelEntry, streaming: boolean): Promise<void> {
  if (request.messages.length === 0) throw invalidRequest("messages", "at least one message is required");
  request.messages.forEach((m, i) => {
    if (m.role === "tool" && !m.toolCallId) throw invalidRequest(`messages[${i}].tool_call_id`, "required for a tool message");
    if (m.role !== "assistant" && m.toolCalls && m.toolCalls.length > 0) {
      throw invalidRequest(`messages[${i}].tool_calls`, "only assistant messages carry tool calls");
    }
    if (m.role !== "assistant" && (m.reasoning || m.reasoningSignature)) {
      throw invalidRequest(`messages[${i}].reasoning`, "only assistant messages carry reasoning");
    }
    if (m.content === "" && !m.parts?.length && m.role !== "assistant") throw invalidRequest(`messages[${i}].content`, "must not be empty");
    m.toolCalls?.forEach((c, j) => {
      // Arguments are passed on as text, but some providers take them as JSON objects: no absurd nesting.
      if (nestsDeeperThan(c.argumentsJson))
        throw invalidRequest(`messages[${i}].tool_calls[${j}].arguments_json`, `nests deeper than ${MAX_JSON_DEPTH} levels`);
    });
  });
  if (!request.messages.some((m) => m.role !== "system")) {
    throw invalidRequest("messages", "needs at least one message that is not a system message");
  }
  const { temperature, topP, maxTokens, seed } = request;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) {
    throw invalidRequest("temperature", `must be between 0 and 2, got ${temperature}`);
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw invalidRequest("top_p", `must be in (0, 1], got ${topP}`);
  if (request.topK !== undefined && !(Number.isSafeInteger(request.topK) && request.topK >= 1))
    throw invalidRequest("top_k", `must be a whole number of at least 1, got ${request.topK}`);
  if (request.maxCostUsd !== undefined && !(Number.isFinite(request.maxCostUsd) && request.maxCostUsd > 0))
    throw invalidRequest("max_cost_usd", `must be a number of US dollars above 0, got ${request.maxCostUsd}`);
  if (maxTokens !== undefined) {
    if (!(maxTokens >= 1)) throw invalidRequest("max_tokens", `must be at least 1, got ${maxTokens}`);
    if (maxTokens > model.maxOutputTokens) {
      throw new GatewayError(
        "INVALID_REQUEST",
        `max_tokens: ${maxTokens} exceeds the ${model.maxOutputTokens} output tokens model "${model.name}" allows`,
        {
          // What a face needs to say it in its vendor's words (clients parse those to ask again with less).
          metadata: {
            field: "max_tokens",
            max_tokens: String(maxTokens),
            max_output_tokens: String(model.maxOutputTokens),
            model: model.name,
          },
        },
      );
    }
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw invalidRequest("seed", "must be a safe integer");
  if (request.stop.length > MAX_STOP_SEQUENCES) throw invalidRequest("stop", `at most ${MAX_STOP_SEQUENCES} stop sequences`);
  if (request.stop.some((s) => s === "")) throw invalidRequest("stop", "stop sequences must not be empty");
  const meta = Object.entries(request.metadata);
  if (meta.length > MAX_METADATA_ENTRIES) throw invalidRequest("metadata", `at most ${MAX_METADATA_ENTRIES} entries`);
  for (const [k, v] of meta) {
    if (k.length === 0 || k.length > MAX_METADATA_KEY)
      throw invalidRequest("metadata", `keys must have 1 to ${MAX_METADATA_KEY} characters`);
    if (v.length > MAX_METADATA_VALUE) throw invalidRequest(`metadata.${k}`, `values must have at most ${MAX_METADATA_VALUE} characters`);
  }
  if (request.user.length > MAX_USER_LENGTH) throw invalidRequest("user", `at most ${MAX_USER_LENGTH} characters`);
  if (streaming && !model.capabilities.streaming) {
    throw new GatewayError("CAPABILITY_UNSUPPORTED", `model "${model.name}" cannot stream; use Complete`, {
      metadata: { model: model.name, capability: "streaming" },
    });
  }
  const offersTools =
    request.tools !== undefined && (request.tools.all || request.tools.names.length > 0 || request.tools.definitions.length > 0);
  if ((offersTools || request.messages.some((m) => (m.toolCalls?.length ?? 0) > 0 || m.role === "tool")) && !model.capabilities.tools) {
    throw new GatewayError("CAPABILITY_UNSUPPORTED", `model "${model.name}" does not support tool calls`, {
      metadata: { model: model.name, capability: "tools" },
    });
  }
  checkParts(request, model);
  await checkOptions(request, model, offersTools);
  // Last: the only check that may count tokens.
  await checkContextLength(request, model);
}

/**
 * The prompt plus the answer's room must fit the model's context window. The
 * free character estimate settles most requests; only a prompt that comes
 * near the limit is counted exactly, so long prompts pay for a tokenizer pass
 * only when it matters.
 */
async function checkContextLength(request: ChatRequest, model: ModelEntry): Promise<void> {
  const room = request.maxTokens ?? model.maxOutputTokens;
  const estimate = estimatePromptTokens(request.messages);
  if (estimate + room <= model.contextWindow / 2) return;
  // Counting stops once the prompt alone is known not to fit: a huge prompt costs no more than one that
  // just fits. Up to there the count is whole, so the refusal can say whether the prompt or max_tokens
  // should shrink (prompt_tokens is then a lower bound, or the prompt's size).
  const counted = await countMessageTokens(request.messages, model.tokenizer, model.contextWindow);
  if (counted.tokens + room > model.contextWindow) {
    throw new GatewayError(
      "INVALID_REQUEST",
      `messages: the prompt is more than ${model.contextWindow - room} tokens, which with max_tokens ${room} exceeds the ${model.contextWindow}-token context of model "${model.name}"`,
      {
        metadata: {
          field: "messages",
          max_prompt_tokens: String(model.contextWindow - room),
          context_window: String(model.contextWindow),
          prompt_tokens: String(counted.tokens),
          max_tokens: String(room),
        },
      },
    );
  }
}
