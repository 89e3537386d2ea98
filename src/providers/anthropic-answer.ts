import type { Message, StopReason } from "@anthropic-ai/sdk/resources/messages/messages";
import type { FinishReason, ToolCall } from "../core/types.js";
import type { ProviderChunk, ProviderUsage } from "./provider.js";

/*
 * Anthropic's answers read back: usage with its cache reads and writes, stop reasons, and a whole
 * (unary) message as the chunks a stream of it would have been.
 */

/** Usage counts as Anthropic reports them, in a message or (cumulative) in a message_delta event. */
export interface AnthropicUsageCounts {
  input_tokens?: number | null | undefined;
  cache_creation_input_tokens?: number | null | undefined;
  cache_read_input_tokens?: number | null | undefined;
  /** The writes by lifetime: 1-hour writes cost more than 5-minute ones. */
  cache_creation?: { ephemeral_1h_input_tokens: number; ephemeral_5m_input_tokens: number } | null | undefined;
  output_tokens?: number | null | undefined;
  output_tokens_details?: { thinking_tokens: number } | null | undefined;
}

/**
 * Anthropic's usage as ours. Anthropic counts cache reads and writes apart from input_tokens; all
 * of them were input, so inputTokens is their sum and the two cache counts say what part of it
 * was read or written (each priced at its own rate). Thinking tokens are already in output_tokens.
 */
export function usageOf(u: AnthropicUsageCounts): ProviderUsage {
  const read = u.cache_read_input_tokens ?? 0;
  const written = u.cache_creation_input_tokens ?? 0;
  const usage: ProviderUsage = { inputTokens: (u.input_tokens ?? 0) + read + written, outputTokens: u.output_tokens ?? 0 };
  if (u.cache_read_input_tokens != null) usage.cachedInputTokens = read;
  if (u.cache_creation_input_tokens != null) usage.cacheWriteTokens = written;
  const hour = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  if (hour > 0) usage.cacheWrite1hTokens = Math.min(hour, written);
  if (u.output_tokens_details) usage.reasoningTokens = u.output_tokens_details.thinking_tokens;
  return usage;
}

/**
 * message_delta's usage is cumulative, but its input counts may be absent (null): each count is the
 * later one when given, else message_start's.
 */
export function mergeUsage(start: AnthropicUsageCounts, delta: AnthropicUsageCounts): AnthropicUsageCounts {
  const later = (a: number | null | undefined, b: number | null | undefined) => (b == null ? a : Math.max(a ?? 0, b));
  const merged: AnthropicUsageCounts = {
    input_tokens: later(start.input_tokens, delta.input_tokens),
    cache_creation_input_tokens: later(start.cache_creation_input_tokens, delta.cache_creation_input_tokens),
    cache_read_input_tokens: later(start.cache_read_input_tokens, delta.cache_read_input_tokens),
    output_tokens: delta.output_tokens ?? start.output_tokens,
  };
  const creation = delta.cache_creation ?? start.cache_creation;
  if (creation) merged.cache_creation = creation;
  const details = delta.output_tokens_details ?? start.output_tokens_details;
  if (details) merged.output_tokens_details = details;
  return merged;
}

export function finishReason(reason: StopReason | null): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "unspecified";
  }
}

/**
 * A whole message as chunks: its thinking first (one reasoning chunk), then its text, then the end.
 * redacted_thinking blocks have no readable text and the core's message has no place for their
 * opaque data: they are not passed on.
 */
export function* messageChunks(response: Message): Generator<ProviderChunk> {
  let text = "";
  let reasoning = "";
  let signature: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of response.content) {
    if (block.type === "text") text += block.text;
    else if (block.type === "thinking") {
      reasoning += block.thinking;
      if (block.signature) signature = block.signature;
    } else if (block.type === "tool_use") toolCalls.push({ id: block.id, name: block.name, argumentsJson: JSON.stringify(block.input) });
  }
  if (reasoning) yield { type: "reasoning", text: reasoning };
  if (text) yield { type: "delta", text };
  const end: ProviderChunk = {
    type: "end",
    finishReason: finishReason(response.stop_reason),
    usage: usageOf(response.usage),
    model: response.model,
  };
  if (toolCalls.length > 0) end.toolCalls = toolCalls;
  if (signature) end.reasoningSignature = signature;
  if (response.stop_sequence) end.stopSequence = response.stop_sequence;
  yield end;
}
