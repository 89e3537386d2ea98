import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type { ChatMessage, FinishReason, ToolCall } from "../core/types.js";
import type { ProviderChunk, ProviderRequest, ProviderUsage } from "./provider.js";
import { upstreamHttpError } from "./upstream-error.js";

/*
 * The OpenAI chat completions wire format, shared by the provider that speaks it through the openai SDK
 * and the one that speaks it directly: the request body, and the answer (whole or streamed) as chunks.
 * Only types come from the openai package here, so this file loads no SDK.
 */

/**
 * The request body of one call. OpenAI's own API wants max_completion_tokens (o-series models
 * reject max_tokens); compatible servers know only max_tokens, hence `modernParams`.
 */
export function chatParams(request: ProviderRequest, modernParams: boolean): ChatCompletionCreateParamsBase {
  const body: ChatCompletionCreateParamsBase = {
    model: request.model,
    messages: request.messages.map(toOpenAiMessage),
  };
  if (modernParams) body.max_completion_tokens = request.maxTokens;
  else body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop.length > 0) body.stop = [...request.stop];
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user) body.user = request.user;
  if (request.tools?.length) {
    body.tools = request.tools.map((t) => ({
      type: "function" as const,
      function: { name: t.name, description: t.description, parameters: JSON.parse(t.parametersJson) as Record<string, unknown> },
    }));
    const choice = request.toolChoice;
    if (choice) body.tool_choice = typeof choice === "object" ? { type: "function", function: { name: choice.name } } : choice;
  }
  return body;
}

/** A whole (unary) answer as the chunks a stream would have given after "started": its text, then its end. */
export function wholeAnswer(provider: string, response: ChatCompletion): ProviderChunk[] {
  const choice = response.choices[0];
  if (!choice) throw upstreamHttpError(provider, { status: 502, headers: undefined, message: "response had no choices" }, undefined);
  const toolCalls = (choice.message.tool_calls ?? []).flatMap((c) =>
    c.type === "function" ? [{ id: c.id, name: c.function.name, argumentsJson: c.function.arguments }] : [],
  );
  const end: ProviderChunk = { type: "end", finishReason: finishReason(choice.finish_reason), model: response.model };
  if (response.usage) end.usage = { inputTokens: response.usage.prompt_tokens, outputTokens: response.usage.completion_tokens };
  if (toolCalls.length > 0) end.toolCalls = toolCalls;
  return choice.message.content ? [{ type: "delta", text: choice.message.content }, end] : [end];
}

/**
 * Reads a streamed answer one upstream chunk at a time. It is not a generator of its own, so
 * that each provider drives one loop and yields our chunks from it, with no generator in between:
 *
 *   const text = answer.read(chunk); if (text) yield delta; if (answer.toolCallsBegan()) yield progress;
 *
 * and, once the upstream stream is over, answer.end().
 */
export class StreamedAnswer {
  private finish: FinishReason | undefined;
  private usage: ProviderUsage | undefined;
  private readonly calls = new ToolCallAccumulator();
  private progress = false;
  constructor(private model: string) {}

  /** Takes in one chunk; returns its text, if it has any. */
  read(chunk: ChatCompletionChunk): string | undefined {
    this.model = chunk.model || this.model;
    if (chunk.usage) this.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    const choice = chunk.choices[0];
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

function toOpenAiMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content, ...(m.name ? { name: m.name } : {}) };
    case "user":
      return { role: "user", content: m.content, ...(m.name ? { name: m.name } : {}) };
    case "assistant": {
      const calls = m.toolCalls ?? [];
      return {
        role: "assistant",
        content: m.content || (calls.length > 0 ? null : ""),
        ...(m.name ? { name: m.name } : {}),
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
    case "tool":
      return { role: "tool", content: m.content, tool_call_id: m.toolCallId ?? "" };
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
