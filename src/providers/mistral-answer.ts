import type {
  ChatCompletionResponse,
  CompletionChunk,
  ContentChunk,
  ToolCall as MistralToolCall,
  UsageInfo,
} from "@mistralai/mistralai/models/components";
import type { FinishReason, ToolCall } from "../core/types.js";
import type { ProviderChunk, ProviderUsage } from "./provider.js";

/*
 * Mistral's answers read back, whole or streamed: content that is a string or a list of chunks
 * (thinking chunks are the reasoning, text chunks the answer), tool calls, usage with its cached
 * prompt tokens, and the finish reason.
 */

/**
 * Mistral's usage as ours. prompt_tokens holds the cached tokens, which Mistral reports under
 * prompt_tokens_details.cached_tokens (num_cached_tokens in older answers); the SDK keeps both as
 * they came, its types not naming them. Reasoning is counted in completion_tokens, not apart.
 */
export function usageOf(u: UsageInfo): ProviderUsage {
  const usage: ProviderUsage = { inputTokens: u.promptTokens ?? 0, outputTokens: u.completionTokens ?? 0 };
  const details = u["prompt_tokens_details"] as { cached_tokens?: unknown } | null | undefined;
  const cached = details?.cached_tokens ?? u["num_cached_tokens"];
  if (typeof cached === "number" && cached > 0) usage.cachedInputTokens = cached;
  return usage;
}

export function finishReason(reason: string | null | undefined, calledTools: boolean): FinishReason {
  switch (reason) {
    case "stop":
      return calledTools ? "tool_calls" : "stop";
    case "length":
    // model_length: the model's context was full before max_tokens was reached.
    case "model_length":
      return "length";
    case "tool_calls":
      return "tool_calls";
    default:
      return "unspecified";
  }
}

/** The text of a thinking chunk: its text parts, in order (its reference parts are citations). */
function thinkingText(chunk: Extract<ContentChunk, { type: "thinking" }>): string {
  let text = "";
  for (const part of chunk.thinking) if (part.type === "text") text += part.text;
  return text;
}

/**
 * Reads a whole answer or one streamed chunk after another into chunks, and keeps what the end
 * needs: tool calls (Mistral sends each whole; pieces with the same index are joined all the same),
 * the thinking's signature, usage (on the last streamed chunk) and the finish reason. `end()` is
 * undefined until Mistral said why it stopped.
 */
export function createAnswerReader(requestModel: string) {
  let model = requestModel;
  let usage: ProviderUsage | undefined;
  let reason: string | undefined;
  let signature: string | undefined;
  const calls = new Map<number, ToolCall>();

  function* content(value: string | ContentChunk[] | null | undefined): Generator<ProviderChunk> {
    if (typeof value === "string") {
      if (value) yield { type: "delta", text: value };
      return;
    }
    for (const chunk of value ?? []) {
      if (chunk.type === "text") {
        if (chunk.text) yield { type: "delta", text: chunk.text };
      } else if (chunk.type === "thinking") {
        if (chunk.signature) signature = chunk.signature;
        const text = thinkingText(chunk);
        if (text) yield { type: "reasoning", text };
      }
    }
  }

  function* toolCalls(list: MistralToolCall[] | null | undefined): Generator<ProviderChunk> {
    for (const [position, c] of (list ?? []).entries()) {
      if (calls.size === 0) yield { type: "progress" };
      const index = c.index ?? position;
      const call = calls.get(index) ?? { id: "", name: "", argumentsJson: "" };
      if (c.id) call.id = c.id;
      call.name += c.function.name;
      call.argumentsJson += typeof c.function.arguments === "string" ? c.function.arguments : JSON.stringify(c.function.arguments);
      calls.set(index, call);
    }
  }

  /** A whole (unary) answer. */
  function* whole(response: ChatCompletionResponse): Generator<ProviderChunk> {
    model = response.model || model;
    usage = usageOf(response.usage);
    const choice = response.choices[0];
    if (!choice) return;
    yield* content(choice.message?.content);
    yield* toolCalls(choice.message?.toolCalls);
    reason = choice.finishReason;
  }

  /** One streamed chunk. */
  function* chunk(c: CompletionChunk): Generator<ProviderChunk> {
    model = c.model || model;
    if (c.usage) usage = usageOf(c.usage);
    const choice = c.choices[0];
    if (!choice) return;
    yield* content(choice.delta.content);
    yield* toolCalls(choice.delta.toolCalls);
    if (choice.finishReason) reason = choice.finishReason;
  }

  function end(): ProviderChunk | undefined {
    if (!reason) return undefined;
    const list = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
    const out: ProviderChunk = { type: "end", finishReason: finishReason(reason, list.length > 0), model };
    if (usage) out.usage = usage;
    if (list.length > 0) out.toolCalls = list;
    if (signature) out.reasoningSignature = signature;
    return out;
  }

  return { whole, chunk, end };
}
