import type { ConverseResponse, StopReason, TokenUsage } from "@aws-sdk/client-bedrock-runtime";
import type { FinishReason, ToolCall } from "../core/types.js";
import type { ProviderChunk, ProviderUsage } from "./provider.js";

/*
 * Bedrock's Converse answers read back: usage with cache reads and writes, stop reasons, and a whole
 * (unary) answer as the chunks a stream of it would have been.
 */

/**
 * Converse's usage as ours. Like Anthropic's, Bedrock's inputTokens leaves out the tokens read from and
 * written to the prompt cache (totalTokens is all four counts' sum): all of them were input, so
 * inputTokens is their sum and the cache counts say which part of it was read or written.
 */
export function usageOf(u: TokenUsage | undefined): ProviderUsage | undefined {
  if (!u) return undefined;
  const read = u.cacheReadInputTokens ?? 0;
  const written = u.cacheWriteInputTokens ?? 0;
  const usage: ProviderUsage = { inputTokens: (u.inputTokens ?? 0) + read + written, outputTokens: u.outputTokens ?? 0 };
  if (u.cacheReadInputTokens != null) usage.cachedInputTokens = read;
  if (u.cacheWriteInputTokens != null) usage.cacheWriteTokens = written;
  // The writes by lifetime, when Bedrock gives them: hour-long writes are priced above 5-minute ones.
  const hour = u.cacheDetails?.filter((d) => d.ttl === "1h").reduce((n, d) => n + (d.inputTokens ?? 0), 0) ?? 0;
  if (hour > 0) usage.cacheWrite1hTokens = Math.min(hour, written);
  return usage;
}

/** A guardrail's or the model's own content filter ends the answer as content_filter. */
export function finishReason(reason: StopReason | string | undefined): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    default:
      return "unspecified";
  }
}

/** Converse names no stop sequence; the model's own answer fields may (Claude's stop_sequence). */
export function stopSequenceOf(fields: unknown): string | undefined {
  const value = (fields as { stop_sequence?: unknown } | undefined)?.stop_sequence;
  return typeof value === "string" && value ? value : undefined;
}

/** A whole Converse answer as chunks: its reasoning first, then its text, then the end. */
export function* converseChunks(response: ConverseResponse, model: string): Generator<ProviderChunk> {
  let text = "";
  let reasoning = "";
  let signature: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of response.output?.message?.content ?? []) {
    if (block.text !== undefined) text += block.text;
    else if (block.reasoningContent?.reasoningText) {
      reasoning += block.reasoningContent.reasoningText.text ?? "";
      signature = block.reasoningContent.reasoningText.signature ?? signature;
    } else if (block.toolUse) {
      const { toolUseId, name, input } = block.toolUse;
      toolCalls.push({ id: toolUseId ?? "", name: name ?? "", argumentsJson: JSON.stringify(input ?? {}) });
    }
    // redactedContent (encrypted reasoning) has no readable text and no place in the core's message.
  }
  if (reasoning) yield { type: "reasoning", text: reasoning };
  if (text) yield { type: "delta", text };
  const end: ProviderChunk = { type: "end", finishReason: finishReason(response.stopReason), model };
  const usage = usageOf(response.usage);
  if (usage) end.usage = usage;
  if (toolCalls.length > 0) end.toolCalls = toolCalls;
  if (signature) end.reasoningSignature = signature;
  const stop = stopSequenceOf(response.additionalModelResponseFields);
  if (stop) end.stopSequence = stop;
  yield end;
}
