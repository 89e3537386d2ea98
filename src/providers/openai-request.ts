import type {
  ChatCompletionContentPart,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionFunctionTool,
} from "openai/resources/chat/completions";
import { invalidRequest } from "../core/errors.js";
import type { ChatMessage, ContentPart, ReasoningEffort, ReasoningOptions, ResponseFormat } from "../core/types.js";
import type { ProviderRequest } from "./provider.js";

/*
 * The request half of the OpenAI chat completions wire format, shared by the SDK client and the
 * direct one. Every field of a ProviderRequest is either translated here or refused with the name
 * of the field; none is left out without a word.
 *
 * Prompt caching: OpenAI caches prompt prefixes by itself and has no cache_control. Its newest
 * models (gpt-5.6 and later) also take explicit breakpoints (`prompt_cache_breakpoint`, TTL 30m
 * only), but other models and the compatible servers do not know the field, and the gateway
 * cannot tell which model is behind a deployment. So cache_control on parts, messages and tools is
 * honoured by the provider's automatic caching and not sent; it is not an error.
 */

/** The body of a chat completions request, with room for the fields a compatible server takes beyond OpenAI's. */
export type ChatBody = ChatCompletionCreateParamsBase & Record<string, unknown>;

/** Which OpenAI-format API a provider speaks to: OpenAI's own, or a compatible server's. */
export type OpenAiKind = "openai" | "openai-compatible";

/**
 * Fields the gateway sets from the request's own options. extra_body may not set them: that
 * would slip past the gateway's checks (n > 1, stream) or make the cache key lie.
 */
const OWN_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "n",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "seed",
  "user",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "presence_penalty",
  "frequency_penalty",
  "logprobs",
  "top_logprobs",
  "service_tier",
  "prompt_cache_key",
]);

/**
 * The request body of one call. OpenAI's own API wants max_completion_tokens (o-series models
 * reject max_tokens); compatible servers know only max_tokens.
 */
const OPENAI_MAX_STOP = 4;

export function chatParams(request: ProviderRequest, kind: OpenAiKind): ChatBody {
  const body: ChatBody = {
    model: request.model,
    messages: request.messages.map(toOpenAiMessage),
  };
  if (kind === "openai") body.max_completion_tokens = request.maxTokens;
  else body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  // OpenAI takes at most four stop sequences; the core allows more (Anthropic's API does), and compatible
  // servers decide for themselves.
  if (kind === "openai" && request.stop.length > OPENAI_MAX_STOP) throw invalidRequest("stop", `OpenAI takes at most ${OPENAI_MAX_STOP}`);
  if (request.topK !== undefined) {
    // OpenAI's API has no top_k; compatible servers (vLLM, llama.cpp, Ollama, Together) take it by this name.
    if (kind === "openai") throw invalidRequest("top_k", "OpenAI's API does not take it");
    body.top_k = request.topK;
  }
  if (request.stop.length > 0) body.stop = [...request.stop];
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user) body.user = request.user;
  if (request.tools?.length) {
    body.tools = request.tools.map(toOpenAiTool);
    const choice = request.toolChoice;
    if (choice) body.tool_choice = typeof choice === "object" ? { type: "function", function: { name: choice.name } } : choice;
    // OpenAI refuses parallel_tool_calls in a request without tools.
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.responseFormat) body.response_format = toResponseFormat(request.responseFormat);
  // Adaptive thinking without an effort leaves the effort to the model, as OpenAI's reasoning models do by default.
  if (request.reasoning && !(request.reasoning.adaptive && !request.reasoning.effort)) body.reasoning_effort = effortOf(request.reasoning);
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.logprobs) {
    body.logprobs = true;
    if (request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
  }
  // Tiers pass by name: OpenAI adds new ones (and compatible servers have their own) faster than the SDK's types do.
  if (request.serviceTier) body.service_tier = request.serviceTier as NonNullable<ChatBody["service_tier"]>;
  if (request.promptCacheKey) body.prompt_cache_key = request.promptCacheKey;
  return request.extraBody ? withExtraBody(body, request.extraBody, kind) : body;
}

/** The caller's provider-specific fields merged into the body: only for compatible servers, never over the gateway's own. */
function withExtraBody(body: ChatBody, extra: Readonly<Record<string, unknown>>, kind: OpenAiKind): ChatBody {
  if (kind === "openai") {
    throw invalidRequest("extra_body", "OpenAI's API takes no fields beyond its own; extra_body is for openai-compatible providers");
  }
  for (const key of Object.keys(extra)) {
    if (OWN_FIELDS.has(key)) throw invalidRequest(`extra_body.${key}`, "is set by the gateway from the request's own field");
    // top_k came by extra_body before the core carried it: still welcome there, but not twice.
    if (key === "top_k" && body.top_k !== undefined) throw invalidRequest("extra_body.top_k", "top_k is set by the request's own field");
  }
  // A spread defines own properties, so a key such as "__proto__" is sent as a field, not taken as a prototype.
  return { ...body, ...extra };
}

/**
 * The effort asked for; a budget alone becomes the effort OpenAI would spend about that many
 * thinking tokens at: under 2,048 low, under 8,192 medium, else high.
 */
function effortOf(reasoning: ReasoningOptions): ReasoningEffort {
  if (reasoning.effort) return reasoning.effort;
  const budget = reasoning.budgetTokens ?? 0;
  return budget < 2048 ? "low" : budget < 8192 ? "medium" : "high";
}

function toResponseFormat(format: ResponseFormat): NonNullable<ChatCompletionCreateParamsBase["response_format"]> {
  if (format.type === "json_object") return { type: "json_object" };
  return {
    type: "json_schema",
    json_schema: {
      name: format.name,
      ...(format.description ? { description: format.description } : {}),
      schema: JSON.parse(format.schemaJson) as Record<string, unknown>,
      strict: format.strict,
    },
  };
}

function toOpenAiTool(t: NonNullable<ProviderRequest["tools"]>[number]): ChatCompletionFunctionTool {
  const fn: ChatCompletionFunctionTool["function"] = {
    name: t.name,
    description: t.description,
    parameters: JSON.parse(t.parametersJson) as Record<string, unknown>,
  };
  if (t.strict !== undefined) fn.strict = t.strict;
  return { type: "function", function: fn };
}

function toOpenAiMessage(m: ChatMessage, i: number): ChatCompletionMessageParam {
  const name = m.name ? { name: m.name } : {};
  switch (m.role) {
    // System and assistant messages carry text only (the gateway checks so): their content is the text of their parts.
    case "system":
      return { role: "system", content: m.content, ...name };
    case "user":
      return { role: "user", content: m.parts ? m.parts.map((p, j) => toOpenAiPart(p, `messages[${i}].parts[${j}]`)) : m.content, ...name };
    case "assistant": {
      // An assistant's reasoning is not sent back: OpenAI's chat API has no input for it (its models
      // keep their own reasoning server-side), and a compatible server would read it as answer text.
      const calls = m.toolCalls ?? [];
      return {
        role: "assistant",
        content: m.content || (calls.length > 0 ? null : ""),
        ...name,
        ...(calls.length > 0
          ? {
              tool_calls: calls.map((c) => ({
                id: c.id,
                type: "function" as const,
                function: { name: c.name, arguments: c.argumentsJson },
              })),
            }
          : {}),
      };
    }
    case "tool": {
      // OpenAI's tool messages take text only: an image or a file in a tool result cannot be carried.
      const j = m.parts?.findIndex((p) => p.type !== "text") ?? -1;
      if (j !== -1) {
        throw invalidRequest(`messages[${i}].parts[${j}]`, `OpenAI takes only text in a tool result, not ${m.parts![j]!.type} parts`);
      }
      // OpenAI's tool messages have no error flag (Anthropic's is_error): the failure is said in the text,
      // as the gateway's own tool loop says a tool's failure, rather than lost (the model would read a result).
      const content = m.isError ? `error: ${m.content}` : m.content;
      return { role: "tool", content, tool_call_id: m.toolCallId ?? "" };
    }
  }
}

/** One part of a user message; `field` names it for errors. */
function toOpenAiPart(p: ContentPart, field: string): ChatCompletionContentPart {
  switch (p.type) {
    case "text":
      return { type: "text", text: p.text };
    case "image": {
      const url = p.url ?? `data:${p.mediaType ?? ""};base64,${p.data ?? ""}`;
      return { type: "image_url", image_url: { url, ...(p.detail ? { detail: p.detail } : {}) } };
    }
    case "file": {
      const filename = p.filename ? { filename: p.filename } : {};
      if (p.fileId) return { type: "file", file: { file_id: p.fileId, ...filename } };
      // A data: URL is the file's bytes, which is what file_data is; a URL to fetch is not taken.
      if (p.url?.startsWith("data:")) return { type: "file", file: { file_data: p.url, ...filename } };
      if (p.url)
        throw invalidRequest(`${field}.file.url`, "OpenAI does not fetch files by URL: send the file's bytes or an uploaded file's id");
      return { type: "file", file: { file_data: `data:${p.mediaType ?? "application/pdf"};base64,${p.data ?? ""}`, ...filename } };
    }
    case "audio":
      return { type: "input_audio", input_audio: { data: p.data, format: p.format } };
  }
}
