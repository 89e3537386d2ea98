import type Anthropic from "@anthropic-ai/sdk";
import type { GatewayError } from "../core/errors.js";
import type { FinishReason, ToolCall } from "../core/types.js";
import { type AnthropicUsageCounts, finishReason, mergeUsage, messageChunks, usageOf } from "./anthropic-answer.js";
import { messagesParams } from "./anthropic-request.js";
import type { Provider, ProviderChunk, ProviderRequest } from "./provider.js";
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages/messages";
import type { Fetch } from "./http.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Options of an Anthropic provider. */
export interface AnthropicProviderOptions {
  /** The HTTP client the SDK uses: the provider's own pool (createSdkFetch in src/providers/http.ts). */
  fetch: Fetch;
  name: string;
  apiKey: string | undefined;
  baseUrl?: string | undefined;
  /** Extra headers for every request. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** The SDK's logger, for a client whose logging is off: the gateway logs calls itself. */
const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A provider for Anthropic's Messages API through the official SDK. The
 * request's translation is in anthropic-request.ts and anthropic-content.ts
 * (what Anthropic cannot take is refused there, naming the field, before any
 * call); answers are read in anthropic-answer.ts and below: thinking becomes
 * reasoning chunks with the block's signature at the end, and usage keeps
 * cache reads and writes apart.
 *
 * The SDK module is imported when the provider is built (at start-up), not
 * when this file is: a gateway with no Anthropic provider never loads it.
 * Its client is built once, with what the gateway does itself turned off:
 * retries, timeouts, logging, and the SDK's own OpenTelemetry spans (the
 * gateway makes one span per attempt, with the GenAI attributes).
 */
export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  return createMessagesProvider({
    name: options.name,
    kind: "anthropic",
    connect: async () => {
      const { default: AnthropicSdk } = await import("@anthropic-ai/sdk");
      return new AnthropicSdk({
        apiKey: options.apiKey ?? null,
        baseURL: options.baseUrl ?? null,
        ...sdkClientOptions(options.fetch, options.headers),
      });
    },
  });
}

/**
 * The client options the three Anthropic clients (first-party, Vertex AI, Bedrock) share: what the
 * gateway does itself is turned off (retries, timeouts, logging, the SDK's own OpenTelemetry spans).
 */
export function sdkClientOptions(fetch: Fetch, headers: Readonly<Record<string, string>> | undefined) {
  return {
    maxRetries: 0,
    // The SDK arms a timer per call whatever it is given; the gateway's own timers end the call first.
    timeout: 24 * 60 * 60 * 1000,
    logLevel: "off" as const,
    logger: silent,
    openTelemetry: false as const,
    fetch,
    defaultHeaders: { ...headers },
  };
}

/** The part of an Anthropic client the provider calls: Vertex's and Bedrock's clients have it too. */
export interface MessagesClient {
  messages: Pick<Anthropic["messages"], "create">;
}

/** Options of a provider speaking Anthropic's Messages API through one of Anthropic's clients. */
export interface MessagesProviderOptions {
  name: string;
  kind: "anthropic" | "anthropic-vertex" | "anthropic-bedrock";
  /** Builds the client, at start-up; a client that cannot be built fails every call, not the process. */
  connect: () => Promise<MessagesClient>;
  /**
   * The platform's own version of the body: throws INVALID_REQUEST naming what the platform refuses,
   * adds what it needs (its anthropic_version). Called on every request and by `check`.
   */
  adapt?: (body: MessageCreateParamsBase, request: ProviderRequest) => MessageCreateParamsBase;
  /** Translates the errors of the platform's client that the shared translation does not know (credentials). */
  translateError?: (error: unknown) => GatewayError | undefined;
}

/**
 * One translation for Anthropic's three clients. The request's translation is in anthropic-request.ts
 * and anthropic-content.ts; the answers are read here and in anthropic-answer.ts. The SDK modules are
 * imported when the provider is built, not when this file is: a gateway with no Anthropic provider never
 * loads them. Vertex's and Bedrock's clients extend the first-party client and throw its error classes.
 */
export function createMessagesProvider(options: MessagesProviderOptions): Provider {
  let sdk: typeof Anthropic | undefined;
  let client: MessagesClient | undefined;
  const ready = Promise.all([import("@anthropic-ai/sdk"), options.connect()]).then(([{ default: AnthropicSdk }, c]) => {
    sdk = AnthropicSdk;
    client = c;
    return c;
  });
  // A module that cannot load fails every call (through `ready`), not the process.
  ready.catch(() => {});
  const paramsOf = (request: ProviderRequest) => {
    const body = messagesParams(request);
    return options.adapt ? options.adapt(body, request) : body;
  };

  /** One call without streaming, yielded as the stream a streaming call would have been. */
  async function* whole(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const body = paramsOf(request);
    const c = client ?? (await ready);
    const response = await c.messages.create({ ...body, stream: false }, { signal });
    yield { type: "started" };
    yield* messageChunks(response);
  }

  async function* streamed(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const body = paramsOf(request);
    const c = client ?? (await ready);
    const stream = await c.messages.create({ ...body, stream: true }, { signal });
    yield { type: "started" };
    let model = request.model;
    let usage: AnthropicUsageCounts = {};
    let finish: FinishReason | undefined;
    let stopped = false;
    let signature: string | undefined;
    let stopSequence: string | undefined;
    const toolCalls = new Map<number, ToolCall>();
    for await (const event of stream) {
      switch (event.type) {
        case "message_start":
          model = event.message.model || model;
          // Anthropic always counts here; servers that speak its format may not, and message_delta counts too.
          usage = event.message.usage ?? {};
          break;
        case "content_block_start":
          if (event.content_block.type === "tool_use") {
            if (toolCalls.size === 0) yield { type: "progress" };
            toolCalls.set(event.index, { id: event.content_block.id, name: event.content_block.name, argumentsJson: "" });
          } else if (event.content_block.type === "thinking") {
            // A block may start with some of its text and signature already in it.
            if (event.content_block.thinking) yield { type: "reasoning", text: event.content_block.thinking };
            if (event.content_block.signature) signature = event.content_block.signature;
          }
          // redacted_thinking: no readable text, and no place in the core's message for its opaque data.
          break;
        case "content_block_delta":
          if (event.delta.type === "text_delta") {
            if (event.delta.text) yield { type: "delta", text: event.delta.text };
          } else if (event.delta.type === "thinking_delta") {
            if (event.delta.thinking) yield { type: "reasoning", text: event.delta.thinking };
          } else if (event.delta.type === "signature_delta") {
            signature = event.delta.signature;
            // Passed on at once: a face in Anthropic's format closes the thinking block with it, before the text.
            yield { type: "reasoning", text: "", signature };
          } else if (event.delta.type === "input_json_delta") {
            const call = toolCalls.get(event.index);
            if (call) call.argumentsJson += event.delta.partial_json;
          }
          break;
        case "message_delta":
          finish = finishReason(event.delta.stop_reason);
          stopSequence = event.delta.stop_sequence ?? undefined;
          usage = mergeUsage(usage, event.usage);
          break;
        case "message_stop":
          stopped = true;
          break;
      }
    }
    // Without message_stop the upstream stream was cut short: no "end", so the gateway reports it.
    if (!stopped) return;
    const end: ProviderChunk = { type: "end", finishReason: finish ?? "unspecified", usage: usageOf(usage), model };
    if (toolCalls.size > 0) end.toolCalls = [...toolCalls.values()].map((c) => ({ ...c, argumentsJson: c.argumentsJson || "{}" }));
    if (signature) end.reasoningSignature = signature;
    if (stopSequence) end.stopSequence = stopSequence;
    yield end;
  }

  return {
    name: options.name,
    kind: options.kind,
    stream: (request, signal) => (request.unary ? whole(request, signal) : streamed(request, signal)),
    check(request) {
      paramsOf(request);
    },

    translateError(error): GatewayError | undefined {
      const own = options.translateError?.(error);
      if (own) return own;
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
