import type Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam, MessageCreateParamsBase, MessageParam, StopReason } from "@anthropic-ai/sdk/resources/messages/messages";
import type { GatewayError } from "../core/errors.js";
import type { ChatMessage, FinishReason, ToolCall } from "../core/types.js";
import type { Provider, ProviderChunk, ProviderRequest, ProviderUsage } from "./provider.js";
import type { Fetch } from "./http.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Options of an Anthropic provider. */
export interface AnthropicProviderOptions {
  /** The HTTP client the SDK uses: the provider's own pool (createSdkFetch in src/providers/http.ts). */
  fetch: Fetch;
  name: string;
  apiKey: string | undefined;
  baseUrl?: string | undefined;
}

/** The SDK's logger, for a client whose logging is off: the gateway logs calls itself. */
const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A provider for Anthropic's Messages API through the official SDK.
 * System messages become the top-level system prompt, tool turns become
 * tool_use / tool_result blocks, and stop reasons map onto ours.
 * temperature and top_p are not sent: the Messages API dropped them.
 *
 * The SDK module is imported when the provider is built (at start-up), not
 * when this file is: a gateway with no Anthropic provider never loads it.
 * Its client is built once, with what the gateway does itself turned off:
 * retries, timeouts, logging, and the SDK's own OpenTelemetry spans (the
 * gateway makes one span per attempt, with the GenAI attributes).
 */
export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  let sdk: typeof Anthropic | undefined;
  let client: Anthropic | undefined;
  const ready = import("@anthropic-ai/sdk").then(({ default: AnthropicSdk }) => {
    sdk = AnthropicSdk;
    client = new AnthropicSdk({
      apiKey: options.apiKey ?? null,
      baseURL: options.baseUrl ?? null,
      maxRetries: 0,
      // The SDK arms a timer per call whatever it is given; the gateway's own timers end the call first.
      timeout: 24 * 60 * 60 * 1000,
      logLevel: "off",
      logger: silent,
      openTelemetry: false,
      fetch: options.fetch,
    });
    return client;
  });
  // A module that cannot load fails every call (through `ready`), not the process.
  ready.catch(() => {});

  function params(request: ProviderRequest): MessageCreateParamsBase {
    const { system, messages } = toAnthropicMessages(request.messages);
    const body: MessageCreateParamsBase = { model: request.model, max_tokens: request.maxTokens, messages };
    if (system) body.system = system;
    // The Messages API of the pinned SDK has no temperature or top_p any more (deprecated upstream); they are dropped.
    if (request.stop.length > 0) body.stop_sequences = [...request.stop];
    if (request.user) body.metadata = { user_id: request.user };
    if (request.tools?.length) {
      body.tools = request.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: JSON.parse(t.parametersJson) as Anthropic.Messages.Tool.InputSchema,
      }));
      const choice = request.toolChoice;
      if (choice)
        body.tool_choice =
          typeof choice === "object" ? { type: "tool", name: choice.name } : { type: choice === "required" ? "any" : choice };
    }
    return body;
  }

  /** One call without streaming, yielded as the stream a streaming call would have been. */
  async function* whole(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const c = client ?? (await ready);
    const response = await c.messages.create({ ...params(request), stream: false }, { signal });
    yield { type: "started" };
    let text = "";
    const toolCalls: ToolCall[] = [];
    for (const block of response.content) {
      if (block.type === "text") text += block.text;
      else if (block.type === "tool_use") toolCalls.push({ id: block.id, name: block.name, argumentsJson: JSON.stringify(block.input) });
    }
    if (text) yield { type: "delta", text };
    const end: ProviderChunk = {
      type: "end",
      finishReason: finishReason(response.stop_reason),
      usage: { inputTokens: inputTokens(response.usage), outputTokens: response.usage.output_tokens },
      model: response.model,
    };
    if (toolCalls.length > 0) end.toolCalls = toolCalls;
    yield end;
  }

  async function* streamed(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const c = client ?? (await ready);
    const stream = await c.messages.create({ ...params(request), stream: true }, { signal });
    yield { type: "started" };
    let model = request.model;
    let usage: ProviderUsage = { inputTokens: 0, outputTokens: 0 };
    let finish: FinishReason | undefined;
    let stopped = false;
    const toolCalls = new Map<number, ToolCall>();
    for await (const event of stream) {
      switch (event.type) {
        case "message_start":
          model = event.message.model || model;
          usage = { inputTokens: inputTokens(event.message.usage), outputTokens: event.message.usage.output_tokens };
          break;
        case "content_block_start":
          if (event.content_block.type === "tool_use") {
            if (toolCalls.size === 0) yield { type: "progress" };
            toolCalls.set(event.index, { id: event.content_block.id, name: event.content_block.name, argumentsJson: "" });
          }
          break;
        case "content_block_delta":
          if (event.delta.type === "text_delta") {
            if (event.delta.text) yield { type: "delta", text: event.delta.text };
          } else if (event.delta.type === "input_json_delta") {
            const call = toolCalls.get(event.index);
            if (call) call.argumentsJson += event.delta.partial_json;
          }
          break;
        case "message_delta":
          finish = finishReason(event.delta.stop_reason);
          // message_delta usage is cumulative; its input counts, when present at all, never shrink message_start's.
          usage = {
            inputTokens: Math.max(usage.inputTokens, inputTokens(event.usage)),
            outputTokens: event.usage.output_tokens,
          };
          break;
        case "message_stop":
          stopped = true;
          break;
      }
    }
    // Without message_stop the upstream stream was cut short: no "end", so the gateway reports it.
    if (!stopped) return;
    const end: ProviderChunk = { type: "end", finishReason: finish ?? "unspecified", usage, model };
    if (toolCalls.size > 0) end.toolCalls = [...toolCalls.values()].map((c) => ({ ...c, argumentsJson: c.argumentsJson || "{}" }));
    yield end;
  }

  return {
    name: options.name,
    kind: "anthropic",
    stream: (request, signal) => (request.unary ? whole(request, signal) : streamed(request, signal)),

    translateError(error): GatewayError | undefined {
      // Errors of the SDK's own classes come only from a loaded SDK.
      if (sdk && error instanceof sdk.APIUserAbortError) return undefined;
      if (sdk && error instanceof sdk.APIConnectionError) {
        return upstreamConnectionError(options.name, networkErrorCode(error) ?? error.message, error);
      }
      if (sdk && error instanceof sdk.APIError) {
        return upstreamHttpError(options.name, { status: error.status, headers: error.headers, message: error.message }, error);
      }
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
}

/** Anthropic counts cached prompt tokens apart from input_tokens; all of them were input. */
function inputTokens(usage: {
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}): number {
  return (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

function finishReason(reason: StopReason | null): FinishReason {
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

/** Splits out the system prompt and turns tool traffic into content blocks. */
export function toAnthropicMessages(input: readonly ChatMessage[]): { system: string; messages: MessageParam[] } {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  for (const m of input) {
    switch (m.role) {
      case "system":
        system.push(m.content);
        break;
      case "user":
        messages.push({ role: "user", content: m.content });
        break;
      case "assistant": {
        const calls = m.toolCalls ?? [];
        if (calls.length === 0) {
          messages.push({ role: "assistant", content: m.content });
          break;
        }
        const blocks: ContentBlockParam[] = m.content ? [{ type: "text", text: m.content }] : [];
        for (const c of calls) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: parseArguments(c.argumentsJson) });
        messages.push({ role: "assistant", content: blocks });
        break;
      }
      case "tool":
        messages.push({
          role: "user",
          content: [{ type: "tool_result", tool_use_id: m.toolCallId ?? "", content: m.content }],
        });
        break;
    }
  }
  return { system: system.join("\n\n"), messages };
}

function parseArguments(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json || "{}");
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { raw: json };
  }
}
