import { bounded, GatewayError, type GatewayErrorReason, isGatewayError } from "../../core/errors.js";
import type { ChatMessage, ChatResult, FinishReason, Usage } from "../../core/types.js";
import type { ErrorShape } from "./route.js";

/*
 * The Anthropic Messages face's answers: the message body, its usage, its stop reasons, and its
 * errors, `{type:"error", error:{type, message}, request_id}` with Anthropic's statuses.
 */

type Status = [number, string];

const INVALID: Status = [400, "invalid_request_error"];
const OVERLOADED: Status = [529, "overloaded_error"];
const API: Status = [500, "api_error"];
const TIMEOUT: Status = [504, "timeout_error"];
const RATE: Status = [429, "rate_limit_error"];
const NOT_FOUND: Status = [404, "not_found_error"];

/**
 * Each reason's status and error type as Anthropic's clients know them. Every upstream that failed
 * (after the gateway's retries and fallbacks) is 529 overloaded_error, which the SDKs retry; the
 * gateway's own limits and budgets are 429 with retry-after; our upstream credentials failing is
 * not the caller's 401 but our 500.
 */
const STATUS: Record<GatewayErrorReason, Status> = {
  INVALID_REQUEST: INVALID,
  CAPABILITY_UNSUPPORTED: INVALID,
  UPSTREAM_BAD_REQUEST: INVALID,
  UNSUPPORTED: INVALID,
  UNAUTHENTICATED: [401, "authentication_error"],
  PERMISSION_DENIED: [403, "permission_error"],
  MODEL_NOT_ALLOWED: [403, "permission_error"],
  MODEL_NOT_FOUND: NOT_FOUND,
  NOT_FOUND: NOT_FOUND,
  SESSION_NOT_FOUND: NOT_FOUND,
  TOOL_NOT_FOUND: NOT_FOUND,
  METHOD_NOT_ALLOWED: [405, "invalid_request_error"],
  REQUEST_TOO_LARGE: [413, "request_too_large"],
  RATE_LIMITED: RATE,
  CAPACITY_EXHAUSTED: RATE,
  BUDGET_EXCEEDED: RATE,
  SESSION_TOO_LONG: INVALID,
  IDEMPOTENCY_KEY_REUSED: [422, "invalid_request_error"],
  SESSION_STORE_FULL: RATE,
  UPSTREAM_RATE_LIMITED: OVERLOADED,
  UPSTREAM_UNAVAILABLE: OVERLOADED,
  CIRCUIT_OPEN: OVERLOADED,
  STREAM_INTERRUPTED: OVERLOADED,
  LIMITER_UNAVAILABLE: OVERLOADED,
  REQUEST_LOG_UNAVAILABLE: OVERLOADED,
  SHUTTING_DOWN: OVERLOADED,
  SESSION_UNAVAILABLE: OVERLOADED,
  TOOL_FAILED: API,
  INVALID_OUTPUT: API,
  UPSTREAM_AUTH_FAILED: API,
  INTERNAL: API,
  CONFIG_REFUSED: INVALID,
  UPSTREAM_TIMEOUT: TIMEOUT,
  DEADLINE_EXCEEDED: TIMEOUT,
  TOOL_TIMEOUT: TIMEOUT,
  CANCELLED: [499, "api_error"],
};

/** The body and status of an error. A body too large is Anthropic's 413, though the reader calls it a bad request. */
export function errorBody(error: GatewayError, requestId?: string): { status: number; body: object } {
  const tooLarge =
    error.reason === "INVALID_REQUEST" && error.metadata["field"] === "body" && error.message.startsWith("body: larger than");
  const [status, type] = tooLarge ? STATUS.REQUEST_TOO_LARGE : STATUS[error.reason];
  const message = error.reason === "INTERNAL" ? "internal error" : bounded(error.message);
  // Anthropic's clients branch on error.details.error_code where there is one (the SDKs' ThreadUnsupportedRequestError).
  const code = error.metadata["error_code"];
  const details = code === undefined ? {} : { details: { error_code: code } };
  return { status, body: { type: "error", error: { type, message, ...details }, request_id: requestId ?? null } };
}

/**
 * The core's refusal of a prompt that does not fit the model's window, in Anthropic's words, which
 * Claude Code reads: "prompt is too long" makes it compact the conversation, and "input length and
 * `max_tokens` exceed context limit: P + M > W" makes it ask again with a smaller max_tokens. The
 * core stops counting a prompt once it is past the window: its count is then a lower bound. A max_tokens
 * over the model's output limit is said as Anthropic says it too.
 */
export function contextInAnthropicWords(error: unknown): unknown {
  if (!isGatewayError(error) || error.reason !== "INVALID_REQUEST") return error;
  const { max_output_tokens: most, model } = error.metadata;
  if (most !== undefined && model !== undefined) {
    // Anthropic's words for a max_tokens over the model's output limit: Claude Code reads the limit from
    // them and asks again with max_tokens within it.
    const message = `max_tokens: ${error.metadata["max_tokens"]} > ${most}, which is the maximum allowed number of output tokens for ${model}`;
    return new GatewayError(error.reason, message, { metadata: error.metadata, cause: error });
  }
  const { prompt_tokens: prompt, max_tokens: room, context_window: window } = error.metadata;
  if (prompt === undefined || room === undefined || window === undefined) return error;
  const message =
    Number(prompt) > Number(window)
      ? `messages: prompt is too long: at least ${prompt} tokens > ${window} maximum`
      : `messages: input length and \`max_tokens\` exceed context limit: ${prompt} + ${room} > ${window}, decrease input length or \`max_tokens\` and try again`;
  return new GatewayError(error.reason, message, { metadata: error.metadata, cause: error });
}

/** Anthropic's error shape: a body, or an `error` event ending a stream already started. */
export const anthropicErrors: ErrorShape = {
  body: errorBody,
  streamEvent: (error, requestId) => sse("error", errorBody(error, requestId).body),
};

/** One server-sent event, named as Anthropic names them, its data the event with its type. */
export const sse = (event: string, data: object): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const STOP: Record<FinishReason, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "refusal",
  unspecified: "end_turn",
};

/**
 * How the answer stopped. Which stop sequence ended it is known when the provider said (Anthropic);
 * OpenAI's format says only "stop", which reads end_turn.
 */
export function stopOf(r: ChatResult): { stop_reason: string; stop_sequence: string | null; stop_details: object | null } {
  const details = r.finishReason === "content_filter" ? { type: "refusal", category: null, explanation: null } : null;
  if (r.stopSequence && r.finishReason === "stop")
    return { stop_reason: "stop_sequence", stop_sequence: r.stopSequence, stop_details: null };
  return { stop_reason: STOP[r.finishReason], stop_sequence: null, stop_details: details };
}

/**
 * Anthropic's usage: input_tokens without the cache's reads and writes (the core's input count
 * includes them), those two apart, and the writes by lifetime.
 */
export function usageBody(u: Usage) {
  const read = u.cachedInputTokens ?? 0;
  const write = u.cacheWriteTokens ?? 0;
  const hour = u.cacheWrite1hTokens ?? 0;
  return {
    input_tokens: Math.max(0, u.inputTokens - read - write),
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: write - hour, ephemeral_1h_input_tokens: hour },
    output_tokens: u.outputTokens,
    output_tokens_details: u.reasoningTokens === undefined ? null : { thinking_tokens: u.reasoningTokens },
    server_tool_use: null,
    service_tier: null,
    inference_geo: null,
    speed: null,
  };
}

/** What message_start says of usage before the answer: the prompt's size as the gateway estimated it. */
export function startUsage(inputTokens: number) {
  return { ...usageBody({ inputTokens, outputTokens: 0, estimated: true }), output_tokens: 0 };
}

/** A tool call's arguments as the object a tool_use block carries (text that is not an object is kept, wrapped). */
export function inputOf(argumentsJson: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(argumentsJson || "{}");
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw: argumentsJson };
  }
}

/** An answer's blocks in Anthropic's order: thinking, text, then tool calls. */
export function contentOf(m: ChatMessage): object[] {
  const content: object[] = [];
  if (m.reasoning || m.reasoningSignature)
    content.push({ type: "thinking", thinking: m.reasoning ?? "", signature: m.reasoningSignature ?? "" });
  // No citations key at all, as Anthropic sends a text block without citations: the AI SDK's schema
  // takes an array or nothing, and fails the whole answer on null.
  if (m.content) content.push({ type: "text", text: m.content });
  for (const c of m.toolCalls ?? [])
    content.push({ type: "tool_use", id: c.id, name: c.name, input: inputOf(c.argumentsJson), caller: { type: "direct" } });
  return content;
}

/** A whole answer as Anthropic's Message. `model` is the name the caller asked for. */
export function messageBody(r: ChatResult, id: string, model: string) {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: contentOf(r.message),
    ...stopOf(r),
    container: null,
    diagnostics: null,
    usage: usageBody(r.usage),
  };
}
