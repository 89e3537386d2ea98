import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { GatewayError } from "../core/errors.js";
import type { ChatMessage, FinishReason, ToolCall } from "../core/types.js";
import type { Provider, ProviderChunk, ProviderRequest, ProviderUsage } from "./provider.js";
import type { createUpstreamFetch } from "./http.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Options of an OpenAI or OpenAI-compatible provider. */
export interface OpenAiProviderOptions {
  /** The HTTP client the SDK uses: the provider's own pool (src/providers/http.ts). */
  fetch: ReturnType<typeof createUpstreamFetch>;
  name: string;
  kind: "openai" | "openai-compatible";
  apiKey: string | undefined;
  baseUrl?: string | undefined;
  organization?: string | undefined;
  /** Ask for usage in streams (stream_options.include_usage); some compatible servers refuse the field. */
  streamUsage?: boolean | undefined;
}

/**
 * A provider that speaks the OpenAI chat completions API through the
 * official SDK: OpenAI itself, or any compatible server (Ollama, vLLM,
 * Groq, Together...) at a base URL.
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): Provider {
  const client = new OpenAI({
    // Compatible servers often need no key, but the SDK insists on one.
    apiKey: options.apiKey ?? "unused",
    baseURL: options.baseUrl ?? null,
    organization: options.organization ?? null,
    // Retries and timeouts are the gateway's job: it knows the caller's deadline and the other providers.
    maxRetries: 0,
    timeout: 24 * 60 * 60 * 1000,
    fetch: options.fetch,
  });
  // OpenAI's own API wants max_completion_tokens (o-series models reject max_tokens);
  // compatible servers know only max_tokens.
  const modernParams = options.kind === "openai";

  function params(request: ProviderRequest): ChatCompletionCreateParamsBase {
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
      if (request.toolChoice) body.tool_choice = request.toolChoice;
    }
    return body;
  }

  /** One call without streaming, yielded as the stream a streaming call would have been. */
  async function* whole(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const response = await client.chat.completions.create({ ...params(request), stream: false }, { signal });
    yield { type: "started" };
    const choice = response.choices[0];
    if (!choice) throw upstreamHttpError(options.name, { status: 502, headers: undefined, message: "response had no choices" }, undefined);
    const toolCalls = (choice.message.tool_calls ?? []).flatMap((c) =>
      c.type === "function" ? [{ id: c.id, name: c.function.name, argumentsJson: c.function.arguments }] : [],
    );
    if (choice.message.content) yield { type: "delta", text: choice.message.content };
    const end: ProviderChunk = { type: "end", finishReason: finishReason(choice.finish_reason), model: response.model };
    if (response.usage) end.usage = { inputTokens: response.usage.prompt_tokens, outputTokens: response.usage.completion_tokens };
    if (toolCalls.length > 0) end.toolCalls = toolCalls;
    yield end;
  }

  return {
    name: options.name,
    kind: options.kind,

    async *stream(request, signal): AsyncIterable<ProviderChunk> {
      if (request.unary) {
        yield* whole(request, signal);
        return;
      }
      const stream = await client.chat.completions.create(
        { ...params(request), stream: true, ...(options.streamUsage === false ? {} : { stream_options: { include_usage: true } }) },
        { signal },
      );
      yield { type: "started" };
      let finish: FinishReason | undefined;
      let model = request.model;
      let usage: ProviderUsage | undefined;
      const calls = new ToolCallAccumulator();
      for await (const chunk of stream) {
        model = chunk.model || model;
        if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        const choice = chunk.choices[0];
        if (!choice) continue;
        const text = choice.delta?.content;
        if (text) yield { type: "delta", text };
        if (choice.delta?.tool_calls) {
          if (calls.empty) yield { type: "progress" };
          calls.add(choice.delta.tool_calls);
        }
        if (choice.finish_reason) finish = finishReason(choice.finish_reason);
      }
      // A stream that closes without a finish reason was cut short upstream: no "end", so the gateway says so.
      if (finish === undefined) return;
      const end: ProviderChunk = { type: "end", finishReason: finish, model };
      if (usage) end.usage = usage;
      const toolCalls = calls.result();
      if (toolCalls.length > 0) end.toolCalls = toolCalls;
      yield end;
    },

    translateError(error): GatewayError | undefined {
      if (error instanceof OpenAI.APIUserAbortError) return undefined;
      if (error instanceof OpenAI.APIConnectionError) {
        return upstreamConnectionError(options.name, networkErrorCode(error) ?? error.message, error);
      }
      if (error instanceof OpenAI.APIError) {
        return upstreamHttpError(options.name, { status: error.status, headers: error.headers, message: error.message }, error);
      }
      // A connection that breaks while the body streams surfaces as the HTTP client's own error.
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
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
