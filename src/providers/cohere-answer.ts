import type { Cohere } from "cohere-ai";
import { GatewayError } from "../core/errors.js";
import type { FinishReason, TokenLogprob, ToolCall } from "../core/types.js";
import type { ProviderChunk, ProviderUsage } from "./provider.js";

/*
 * Cohere's v2 chat answers read back, whole or streamed (message-start, content-start/delta/end,
 * tool-plan-delta, tool-call-start/delta/end, citation-start/end, message-end): text, thinking, the
 * tool plan, tool calls, log probabilities, usage and finish reasons. Citations have no place in the
 * gateway's answer and are not read; the text they point into is.
 */

/**
 * Cohere's usage as ours. Cohere reports two counts: `tokens`, everything the model read and wrote,
 * special tokens Cohere adds included, and `billed_units`, what it charges for. Cost is computed from
 * usage, so the billed counts are the usage when Cohere gives them. Thinking is billed as output and
 * not counted apart. cached_tokens says how much of the prompt hit Cohere's cache.
 */
export function usageOf(u: Cohere.Usage | undefined): ProviderUsage | undefined {
  if (!u) return undefined;
  const input = u.billedUnits?.inputTokens ?? u.tokens?.inputTokens;
  const output = u.billedUnits?.outputTokens ?? u.tokens?.outputTokens;
  if (input === undefined && output === undefined) return undefined;
  const usage: ProviderUsage = { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  if (u.cachedTokens != null) usage.cachedInputTokens = Math.min(u.cachedTokens, usage.inputTokens);
  return usage;
}

/**
 * Cohere's finish reasons as ours. ERROR and TIMEOUT end an answer Cohere did not finish: they fail
 * the attempt, so that routing may try another deployment, rather than pass on a cut answer as done.
 */
export function finishReason(provider: string, reason: string | undefined, calledTools: boolean, error?: string): FinishReason {
  switch (reason) {
    case "COMPLETE":
    case "STOP_SEQUENCE":
      return calledTools ? "tool_calls" : "stop";
    case "MAX_TOKENS":
      return "length";
    case "TOOL_CALL":
      return "tool_calls";
    case "ERROR":
    case "TIMEOUT": {
      const why = reason === "ERROR" ? "UPSTREAM_UNAVAILABLE" : "UPSTREAM_TIMEOUT";
      const metadata = { provider, upstream_code: reason };
      throw new GatewayError(why, `${provider}: the answer ended with ${reason}${error ? `: ${error}` : ""}`, { metadata });
    }
    default:
      return "unspecified";
  }
}

/**
 * Cohere's log probabilities come per piece of text (one or more tokens), without alternatives: each
 * piece is one entry, its log probability the sum of its tokens' (the joint probability of that text).
 */
export function logprobsOf(items: readonly Cohere.LogprobItem[] | undefined): TokenLogprob[] | undefined {
  if (!items?.length) return undefined;
  return items.map((item) => ({
    token: item.text ?? "",
    logprob: (item.logprobs ?? []).reduce((sum, lp) => sum + lp, 0),
    topLogprobs: [],
  }));
}

function endChunk(
  model: string,
  finish: FinishReason,
  usage: ProviderUsage | undefined,
  toolCalls: readonly ToolCall[],
): Extract<ProviderChunk, { type: "end" }> {
  const end: Extract<ProviderChunk, { type: "end" }> = { type: "end", finishReason: finish, model };
  if (usage) end.usage = usage;
  if (toolCalls.length > 0) end.toolCalls = toolCalls.map((c) => ({ ...c, argumentsJson: c.argumentsJson || "{}" }));
  return end;
}

/** A whole answer as chunks: its thinking and tool plan first (both are the model's reasoning), then its text, then the end. */
export function* answerChunks(provider: string, response: Cohere.V2ChatResponse, model: string): Generator<ProviderChunk> {
  let text = "";
  let reasoning = "";
  for (const block of response.message?.content ?? []) {
    if (block.type === "thinking") reasoning += block.thinking;
    else if (block.type === "text") text += block.text;
  }
  if (response.message?.toolPlan) reasoning += response.message.toolPlan;
  const toolCalls: ToolCall[] = (response.message?.toolCalls ?? []).map((c) => ({
    id: c.id,
    name: c.function?.name ?? "",
    argumentsJson: c.function?.arguments ?? "",
  }));
  const finish = finishReason(provider, response.finishReason, toolCalls.length > 0);
  if (reasoning) yield { type: "reasoning", text: reasoning };
  const logprobs = logprobsOf(response.logprobs);
  if (text || logprobs) yield logprobs ? { type: "delta", text, logprobs } : { type: "delta", text };
  else if (toolCalls.length > 0) yield { type: "progress" };
  yield endChunk(model, finish, usageOf(response.usage), toolCalls);
}

/**
 * Reads a stream's events one after another into chunks, keeping what the end needs: tool calls (their
 * arguments come in pieces), usage and the finish reason, all on message-end. `end()` is undefined until
 * message-end came: a stream without it was cut short.
 */
export function createStreamReader(provider: string, model: string) {
  const toolCalls = new Map<number, ToolCall>();
  let end: ProviderChunk | undefined;

  function* read(event: Cohere.V2ChatStreamResponse): Generator<ProviderChunk> {
    switch (event.type) {
      case "content-start":
      case "content-delta": {
        const content = event.delta?.message?.content;
        if (content?.thinking) yield { type: "reasoning", text: content.thinking };
        const logprobs = event.type === "content-delta" && event.logprobs ? logprobsOf([event.logprobs]) : undefined;
        if (content?.text || logprobs)
          yield logprobs ? { type: "delta", text: content?.text ?? "", logprobs } : { type: "delta", text: content?.text ?? "" };
        break;
      }
      case "tool-plan-delta":
        if (event.delta?.message?.toolPlan) yield { type: "reasoning", text: event.delta.message.toolPlan };
        break;
      case "tool-call-start": {
        const call = event.delta?.message?.toolCalls;
        if (toolCalls.size === 0) yield { type: "progress" };
        toolCalls.set(event.index ?? toolCalls.size, {
          id: call?.id ?? "",
          name: call?.function?.name ?? "",
          argumentsJson: call?.function?.arguments ?? "",
        });
        break;
      }
      case "tool-call-delta": {
        const call = toolCalls.get(event.index ?? -1);
        if (call) call.argumentsJson += event.delta?.message?.toolCalls?.function?.arguments ?? "";
        break;
      }
      case "message-end": {
        const delta = event.delta;
        const calls = [...toolCalls.values()];
        end = endChunk(model, finishReason(provider, delta?.finishReason, calls.length > 0, delta?.error), usageOf(delta?.usage), calls);
        break;
      }
      default:
      // message-start, content-end, tool-call-end, citations and debug events carry nothing the answer needs.
    }
  }

  return { read, end: () => end };
}
