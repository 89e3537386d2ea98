import type { ChatCompletion, ChatCompletionChunk, ChatCompletionTokenLogprob } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { FinishReason, TokenLogprob, ToolCall } from "../core/types.js";
import type { ProviderChunk, ProviderUsage } from "./provider.js";
import { upstreamHttpError } from "./upstream-error.js";

export { chatParams, type ChatBody, type OpenAiKind } from "./openai-request.js";

/*
 * The OpenAI chat completions wire format, shared by the provider that speaks it through the openai SDK
 * and the one that speaks it directly: the request body (./openai-request.ts), and the answer (whole or
 * streamed) as chunks. Only types come from the openai package here, so this file loads no SDK.
 */

/**
 * The reasoning text OpenAI-compatible servers put beside the answer's: DeepSeek and vLLM name it
 * `reasoning_content`, OpenRouter and Ollama `reasoning`. OpenAI itself returns none in chat completions.
 */
interface WithReasoning {
  reasoning_content?: unknown;
  reasoning?: unknown;
}

/** The reasoning text of a message or delta; a server that puts something other than text there gives none. */
function reasoningOf(m: WithReasoning | undefined): string | undefined {
  const text = m?.reasoning_content || m?.reasoning;
  return typeof text === "string" && text ? text : undefined;
}

/** Token counts, with the cached input and reasoning output when the upstream reports them. */
function usageOf(u: CompletionUsage): ProviderUsage {
  const usage: ProviderUsage = { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens };
  const cached = u.prompt_tokens_details?.cached_tokens;
  if (cached) usage.cachedInputTokens = cached;
  const reasoning = u.completion_tokens_details?.reasoning_tokens;
  if (reasoning) usage.reasoningTokens = reasoning;
  return usage;
}

/** Log probabilities in the core's terms; undefined when the upstream gave none. */
function logprobsOf(content: readonly ChatCompletionTokenLogprob[] | null | undefined): TokenLogprob[] | undefined {
  if (!content?.length) return undefined;
  return content.map((l) => {
    const out: TokenLogprob = {
      token: l.token,
      logprob: l.logprob,
      topLogprobs: (l.top_logprobs ?? []).map((t) =>
        t.bytes ? { token: t.token, logprob: t.logprob, bytes: t.bytes } : { token: t.token, logprob: t.logprob },
      ),
    };
    if (l.bytes) out.bytes = l.bytes;
    return out;
  });
}

/**
 * A whole (unary) answer as the chunks a stream would have given after "started": its reasoning
 * (from a compatible server that returns it), its text with its log probabilities, then its end.
 */
export function wholeAnswer(provider: string, response: ChatCompletion): ProviderChunk[] {
  const choice = response.choices[0];
  if (!choice) throw upstreamHttpError(provider, { status: 502, headers: undefined, message: "response had no choices" }, undefined);
  const toolCalls = (choice.message.tool_calls ?? []).flatMap((c) =>
    c.type === "function" ? [{ id: c.id, name: c.function.name, argumentsJson: c.function.arguments }] : [],
  );
  const out: ProviderChunk[] = [];
  const reasoning = reasoningOf(choice.message as WithReasoning);
  if (reasoning) out.push({ type: "reasoning", text: reasoning });
  const logprobs = logprobsOf(choice.logprobs?.content);
  const text = choice.message.content ?? "";
  if (text || logprobs) out.push(logprobs ? { type: "delta", text, logprobs } : { type: "delta", text });
  const end: ProviderChunk = { type: "end", finishReason: finishReason(choice.finish_reason), model: response.model };
  if (response.usage) end.usage = usageOf(response.usage);
  if (toolCalls.length > 0) end.toolCalls = toolCalls;
  out.push(end);
  return out;
}

/**
 * Reads a streamed answer one upstream chunk at a time. It is not a generator of its own, so
 * that each provider drives one loop and yields our chunks from it, with no generator in between:
 *
 *   const text = answer.read(chunk);
 *   if (answer.reasoning) yield reasoning; if (text || answer.logprobs) yield delta;
 *   if (answer.toolCallsBegan()) yield progress;
 *
 * and, once the upstream stream is over, answer.end().
 */
export class StreamedAnswer {
  /** The reasoning text of the chunk read last, if it had any. */
  reasoning: string | undefined;
  /** The log probabilities of the chunk read last, if it had any: they go with its text. */
  logprobs: TokenLogprob[] | undefined;
  private finish: FinishReason | undefined;
  private usage: ProviderUsage | undefined;
  private readonly calls = new ToolCallAccumulator();
  private progress = false;
  constructor(private model: string) {}

  /** Takes in one chunk; returns its text, if it has any. */
  read(chunk: ChatCompletionChunk): string | undefined {
    this.model = chunk.model || this.model;
    if (chunk.usage) this.usage = usageOf(chunk.usage);
    const choice = chunk.choices[0];
    this.reasoning = reasoningOf(choice?.delta as WithReasoning | undefined);
    this.logprobs = logprobsOf(choice?.logprobs?.content);
    if (!choice) return undefined;
    if (choice.delta?.tool_calls) {
      if (this.calls.empty) this.progress = true;
      this.calls.add(choice.delta.tool_calls);
    }
    if (choice.finish_reason) this.finish = finishReason(choice.finish_reason);
    return choice.delta?.content ?? undefined;
  }

  /** True once, after the chunk in which the first tool call began: the answer is coming, though not as text. */
  toolCallsBegan(): boolean {
    const began = this.progress;
    this.progress = false;
    return began;
  }

  /**
   * The "end" chunk, or undefined for a stream that closed without a finish reason: it was cut
   * short upstream, and the gateway says so.
   */
  end(): ProviderChunk | undefined {
    if (this.finish === undefined) return undefined;
    const end: ProviderChunk = { type: "end", finishReason: this.finish, model: this.model };
    if (this.usage) end.usage = this.usage;
    const toolCalls = this.calls.result();
    if (toolCalls.length > 0) end.toolCalls = toolCalls;
    return end;
  }
}

function finishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "unspecified";
  }
}

type ToolCallDelta = NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number];

/** Streamed tool calls arrive in pieces keyed by index; this puts them back together. */
class ToolCallAccumulator {
  private readonly calls = new Map<number, ToolCall>();
  get empty(): boolean {
    return this.calls.size === 0;
  }
  add(deltas: readonly ToolCallDelta[]): void {
    for (const d of deltas) {
      const call = this.calls.get(d.index) ?? { id: "", name: "", argumentsJson: "" };
      if (d.id) call.id = d.id;
      if (d.function?.name) call.name += d.function.name;
      if (d.function?.arguments) call.argumentsJson += d.function.arguments;
      this.calls.set(d.index, call);
    }
  }
  result(): ToolCall[] {
    return [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
  }
}

/**
 * An error's message as the openai SDK words it (APIError.makeMessage), so that both OpenAI paths
 * say the same: the status, then the error object's message, or the body when it was not JSON.
 */
export function apiErrorMessage(status: number | undefined, error: unknown, bodyText: string | undefined): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  const msg = message ? (typeof message === "string" ? message : JSON.stringify(message)) : error ? JSON.stringify(error) : bodyText;
  if (status && msg) return `${status} ${msg}`;
  if (status) return `${status} status code (no body)`;
  return msg || "(no status code or body)";
}
