import type { EmbeddingTask } from "../config/parts.js";
import type { EmbedInput } from "../core/embeddings.js";
import type {
  ChatMessage,
  FinishReason,
  ReasoningOptions,
  ResponseFormat,
  TokenLogprob,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from "../core/types.js";

/** A request translated for one provider: the upstream model name and final parameters. */
export interface ProviderRequest {
  /** The model's name at the provider. */
  model: string;
  messages: readonly ChatMessage[];
  /** Always set: the gateway fills the model's default and caps it. */
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop: readonly string[];
  seed?: number;
  user?: string;
  /** Tools the model may call. */
  tools?: readonly ToolDefinition[];
  /** The tool choice; "none" asks for text even though tools are defined (a tool loop's last round). */
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningOptions;
  presencePenalty?: number;
  frequencyPenalty?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  serviceTier?: string;
  promptCacheKey?: string;
  /** Only for openai-compatible providers: body fields sent as they are. */
  extraBody?: Readonly<Record<string, unknown>>;
  /**
   * Ask the upstream without streaming (a model configured `streaming: false`): the whole answer
   * comes at once, and the provider yields it as one stream (started, the text, the end).
   */
  unary?: boolean;
}

/** Token counts as the provider reported them. */
export interface ProviderUsage {
  /** Every input token, including cache reads and writes. */
  inputTokens: number;
  /** Every output token, including reasoning. */
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  /** Of cacheWriteTokens: written for an hour (Anthropic's ttl 1h), priced above 5-minute writes. */
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
}

/** A provider's whole answer. */
export interface ProviderResult {
  message: ChatMessage;
  finishReason: FinishReason;
  /** Absent when the provider did not report usage; the gateway then estimates. */
  usage?: ProviderUsage;
  /** The model that answered, as the provider named it. */
  model: string;
}

/**
 * One piece of a provider's streamed answer: first "started" (the upstream
 * accepted the request: its response headers came), then text deltas, then
 * exactly one "end" for a complete answer.
 */
export type ProviderChunk =
  | { type: "started" }
  | { type: "delta"; text: string; logprobs?: TokenLogprob[] }
  /** A piece of the model's reasoning (thinking): the answer has begun, though not its text. */
  | { type: "reasoning"; text: string; signature?: string }
  /** The answer has begun with something other than text (a tool call): its first token came. */
  | { type: "progress" }
  | {
      type: "end";
      finishReason: FinishReason;
      usage?: ProviderUsage;
      model: string;
      toolCalls?: ToolCall[];
      /** The reasoning's signature (Anthropic's thinking block), to send the reasoning back later. */
      reasoningSignature?: string;
      /** The stop sequence that ended the answer, when the provider says which. */
      stopSequence?: string;
    };

/**
 * A translator between the core's request and one provider's wire format.
 * Routing, retries and fallback live outside it; a provider makes exactly one
 * upstream call per method call and stops when the signal aborts. Every call
 * streams: a unary caller's answer is collected above, so that every attempt
 * shows when the upstream accepted it and when its first token came.
 */
export interface Provider {
  readonly name: string;
  readonly kind:
    | "openai"
    | "openai-compatible"
    | "azure-openai"
    | "anthropic"
    | "anthropic-vertex"
    | "anthropic-bedrock"
    | "bedrock"
    | "gemini"
    | "vertex"
    | "mistral"
    | "cohere"
    | "local";
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk>;
  /**
   * Throws the refusal (INVALID_REQUEST naming the field) when this provider cannot carry the request,
   * without calling anyone: routing then tries the deployments that can. `stream` refuses the same.
   */
  check?(request: ProviderRequest): void;
  /** Turns an error thrown by this provider's client into a GatewayError, or undefined if it is not one of its own. */
  translateError(error: unknown): import("../core/errors.js").GatewayError | undefined;
  /**
   * One embeddings call, for providers whose API has them (OpenAI and compatible servers, Azure OpenAI,
   * Gemini and Vertex AI, Bedrock's Titan and Cohere models); a provider
   * without it is never routed an embedding call. Its errors are translated like the completions'.
   */
  embed?(request: ProviderEmbedRequest, signal: AbortSignal): Promise<ProviderEmbedResult>;
}

/** An embedding call translated for one provider. */
export interface ProviderEmbedRequest {
  /** The model's name at the provider. */
  model: string;
  /** All texts or all token ids (validated above). */
  inputs: readonly EmbedInput[];
  dimensions?: number;
  user?: string;
  /** The catalogue model's task, for providers whose models take one; the others refuse it by name. */
  task?: EmbeddingTask;
}

/** A provider's vectors, one per input in the inputs' order. */
export interface ProviderEmbedResult {
  vectors: Float32Array[];
  model: string;
  /** Absent when the provider did not report usage; the gateway then counts. */
  usage?: { inputTokens: number };
}
