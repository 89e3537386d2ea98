import type { GenerateContentResponse, GenerateContentResponseUsageMetadata } from "@google/genai";
import type { FinishReason, ToolCall } from "../core/types.js";
import type { ProviderChunk, ProviderUsage } from "./provider.js";

/*
 * Gemini's answers read back, whole or streamed (a stream's chunks are partial answers): text and
 * thoughts, function calls, thought signatures, usage and finish reasons, safety blocks included.
 */

/** Gemini's reasons for a stop that was a refusal: the answer was blocked by a filter. */
const FILTERED = new Set(["SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT"]);

/**
 * Gemini's usage as ours. promptTokenCount already holds the cached tokens (cachedContentTokenCount
 * says how many of them), and a tool's prompt (toolUsePromptTokenCount) is input too. Thinking is
 * counted apart from the answer (thoughtsTokenCount beside candidatesTokenCount): both are output.
 */
export function usageOf(u: GenerateContentResponseUsageMetadata): ProviderUsage {
  const thoughts = u.thoughtsTokenCount ?? 0;
  const usage: ProviderUsage = {
    inputTokens: (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0),
    outputTokens: (u.candidatesTokenCount ?? 0) + thoughts,
  };
  if (u.cachedContentTokenCount != null) usage.cachedInputTokens = u.cachedContentTokenCount;
  if (u.thoughtsTokenCount != null) usage.reasoningTokens = thoughts;
  return usage;
}

export function finishReason(reason: string | undefined, calledTools: boolean): FinishReason {
  if (reason === "STOP") return calledTools ? "tool_calls" : "stop";
  if (reason === "MAX_TOKENS") return "length";
  if (reason && FILTERED.has(reason)) return "content_filter";
  return "unspecified";
}

/**
 * Reads one answer or streamed chunk after another into chunks, and keeps what the end needs: the
 * function calls (Gemini sends each whole, in one part), the thought signature, usage (each chunk's is
 * the total so far) and the finish reason. `end()` is undefined until Gemini said why it stopped.
 */
export function createAnswerReader(requestModel: string) {
  let model = requestModel;
  let usage: ProviderUsage | undefined;
  let reason: string | undefined;
  let blocked = false;
  let signature: string | undefined;
  const toolCalls: ToolCall[] = [];

  function* read(response: GenerateContentResponse): Generator<ProviderChunk> {
    if (response.modelVersion) model = response.modelVersion;
    if (response.usageMetadata) usage = usageOf(response.usageMetadata);
    // A blocked prompt has no candidate at all: the block reason is the whole answer.
    if (response.promptFeedback?.blockReason) blocked = true;
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      // The signature of the first function call is the one Gemini needs back; otherwise the last one seen.
      if (part.thoughtSignature && !(signature && toolCalls.length > 0)) signature = part.thoughtSignature;
      if (part.functionCall) {
        if (toolCalls.length === 0) yield { type: "progress" };
        const call = part.functionCall;
        // The Gemini API leaves ids out (Vertex gives them): the core needs one to match the result to its call.
        toolCalls.push({
          id: call.id || `call_${toolCalls.length}`,
          name: call.name ?? "",
          argumentsJson: JSON.stringify(call.args ?? {}),
        });
      } else if (part.text) {
        yield part.thought ? { type: "reasoning", text: part.text } : { type: "delta", text: part.text };
      }
    }
    if (candidate?.finishReason) reason = candidate.finishReason;
  }

  function end(): ProviderChunk | undefined {
    if (!reason && !blocked) return undefined;
    const finish = blocked ? "content_filter" : finishReason(reason, toolCalls.length > 0);
    const chunk: ProviderChunk = { type: "end", finishReason: finish, model };
    if (usage) chunk.usage = usage;
    if (toolCalls.length > 0) chunk.toolCalls = toolCalls;
    if (signature) chunk.reasoningSignature = signature;
    return chunk;
  }

  return { read, end };
}
