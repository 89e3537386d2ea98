/**
 * Transport-neutral types of the core. The server converts protobuf
 * messages to and from these; providers translate them to wire formats.
 */

export type Role = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  id: string;
  name: string;
  argumentsJson: string;
}

/** A tool the model may call: a name, what it does, and its arguments' JSON Schema. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** A JSON Schema object, as JSON text. */
  parametersJson: string;
  /** Ask the provider to enforce the schema on the arguments (OpenAI strict function calling). */
  strict?: boolean;
  cacheControl?: CacheControl;
}

/** Provider prompt caching (Anthropic cache_control): the prompt may be cached up to here. */
export interface CacheControl {
  /** "5m" or "1h"; absent means the provider's default. */
  ttl?: "5m" | "1h";
}

/**
 * One piece of a message's content. Inline bytes are kept in base64 (`data`), so that a message
 * stays plain JSON wherever it goes (sessions, cache keys, logs).
 */
export type ContentPart =
  | { type: "text"; text: string; cacheControl?: CacheControl }
  | {
      type: "image";
      /** An https URL, or a data: URL. Either url or data. */
      url?: string;
      /** Base64 of the bytes. */
      data?: string;
      mediaType?: string;
      detail?: "auto" | "low" | "high";
      cacheControl?: CacheControl;
    }
  | {
      type: "file";
      /** Base64 of the bytes. */
      data?: string;
      mediaType?: string;
      filename?: string;
      url?: string;
      /** A file uploaded to the provider (OpenAI). */
      fileId?: string;
      cacheControl?: CacheControl;
    }
  | { type: "audio" /** Base64 of the bytes. */; data: string; format: "wav" | "mp3"; cacheControl?: CacheControl };

export interface ChatMessage {
  role: Role;
  /**
   * The message's text. With parts, the text of its text parts joined (what token estimates, the
   * semantic cache and logs read); providers send the parts.
   */
  content: string;
  /** The content as parts, when it is more than text (or carries cache control per part). */
  parts?: ContentPart[];
  name?: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  /** A tool result that reports the tool's failure (Anthropic's is_error). */
  isError?: boolean;
  cacheControl?: CacheControl;
  /** An assistant's reasoning (thinking) before its answer; never part of content. */
  reasoning?: string;
  /** The provider's signature of that reasoning (Anthropic), to send it back. */
  reasoningSignature?: string;
}

/** How much a reasoning model thinks. */
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high";

/** Reasoning asked of the model: an effort, a budget of thinking tokens, or both. */
export interface ReasoningOptions {
  effort?: ReasoningEffort;
  budgetTokens?: number;
  /** The model decides whether and how much to think (Anthropic's adaptive thinking): no budget, an effort at most. */
  adaptive?: boolean;
}

/** An answer in JSON: any object, or one that conforms to a schema (checked by the gateway). */
export type ResponseFormat =
  | { type: "json_object" }
  | { type: "json_schema"; name: string; description?: string /** JSON text. */; schemaJson: string; strict: boolean };

/** Whether the model may, must or must not call tools, or the one tool it must call. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** One token of the answer and its log probability. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  /** UTF-8 bytes of the token, when the provider gave them. */
  bytes?: number[];
  topLogprobs: { token: string; logprob: number; bytes?: number[] }[];
}

export type RoutingStrategy = "fallback" | "round-robin" | "cost" | "latency" | "weighted";

export interface RoutingHints {
  strategy?: RoutingStrategy;
  preferredProviders: string[];
  excludedProviders: string[];
}

/** Sampling parameters; absent means the provider's or the model's default. */
export interface SamplingParams {
  temperature?: number;
  topP?: number;
  /** Sample from only the k most likely tokens (Anthropic's top_k; vLLM and others take it too). */
  topK?: number;
  maxTokens?: number;
  stop: string[];
  seed?: number;
}

/** A completion request as the core sees it, whatever protocol it came by. */
export interface ChatRequest extends SamplingParams {
  /** Catalogue name or alias; empty means the default model. */
  model: string;
  messages: ChatMessage[];
  user: string;
  metadata: Record<string, string>;
  routing: RoutingHints;
  cache?: CacheOptions;
  /** Continue this session: its history goes first, and the turn is appended to it. */
  sessionId?: string;
  /** Its place among its tenant's waiting calls, 0 (last) to 9 (first); absent, the key's, else 5 (src/queue/). */
  priority?: number;
  /** Tools offered to the model, and who runs them. */
  tools?: ToolRequest;
  /** The caller's tool choice, or "none" set by the tool loop on its last round (answer in text). */
  toolChoice?: ToolChoice;
  /** Whether the model may ask for several tool calls at once; absent means the provider's default. */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningOptions;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Return the answer's tokens with log probabilities; topLogprobs at each position. */
  logprobs?: boolean;
  topLogprobs?: number;
  serviceTier?: string;
  promptCacheKey?: string;
  /** Provider-specific body fields for openai-compatible providers, passed as they are. */
  extraBody?: Record<string, unknown>;
}

/** The tools a request offers. */
export interface ToolRequest {
  /** Registered tools by name. */
  names: string[];
  /** Every registered tool. */
  all: boolean;
  /** Tools the caller defines and runs itself. */
  definitions: ToolDefinition[];
  /** Who runs registered tools: default and server mean the gateway; client means the caller. */
  execution: "default" | "client" | "server";
  /** Most model rounds when the gateway runs tools. */
  maxIterations?: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "unspecified";

export interface Usage {
  /** Every input token, including those read from or written to the provider's prompt cache. */
  inputTokens: number;
  /** Every output token, including reasoning. */
  outputTokens: number;
  /** True when the gateway counted because the provider did not report. */
  estimated: boolean;
  /** Of inputTokens: read from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Of inputTokens: written to the provider's prompt cache. */
  cacheWriteTokens?: number;
  /** Of cacheWriteTokens: written for an hour (Anthropic), priced at the 1-hour write rate. */
  cacheWrite1hTokens?: number;
  /** Of outputTokens: spent reasoning. */
  reasoningTokens?: number;
}

/**
 * How the cache answered: hit_* from a stored answer, coalesced by sharing an
 * identical call already in flight, miss after a lookup, bypass without one.
 */
export type CacheStatus = "miss" | "hit_exact" | "hit_semantic" | "bypass" | "disabled" | "coalesced";

/** Per-request cache control. */
export interface CacheOptions {
  /** Do not look up (the answer is still stored unless noStore). */
  noCache?: boolean;
  /** Do not store this answer. */
  noStore?: boolean;
  /** Keep this answer for this long (capped by the configured maximum). */
  ttlSeconds?: number;
  /** Cache even though the request is not deterministic (temperature above 0 or unset). */
  force?: boolean;
  /** Exact matches only. */
  noSemantic?: boolean;
}

/** One upstream call made for a completion. */
export interface AttemptRecord {
  provider: string;
  model: string;
  /** Absent for the attempt that answered. */
  errorReason?: string;
  errorMessage?: string;
  latencyMs: number;
  /** This attempt continued a stream cut on an earlier one: its text was spliced onto what was delivered. */
  continuation?: boolean;
}

/** The outcome of a completion, unary or at the end of a stream. */
export interface ChatResult {
  id: string;
  message: ChatMessage;
  finishReason: FinishReason;
  usage: Usage;
  costUsd: number;
  provider: string;
  model: string;
  cacheStatus: CacheStatus;
  latencyMs: number;
  gatewayOverheadMs: number;
  /** Only for streams: when the first text delta left the gateway. */
  timeToFirstTokenMs?: number;
  /** Every upstream call made, in order; the last one answered. */
  attempts: AttemptRecord[];
  /** The tool rounds the gateway ran: assistant messages asking for tools and the tool results. */
  toolTurns?: ChatMessage[];
  /** Model rounds made; 1 without server-side tools. */
  rounds?: number;
  /** The answer's tokens with log probabilities, when asked for. */
  logprobs?: TokenLogprob[];
  /** The stop sequence that ended the answer, when the provider says which (Anthropic). */
  stopSequence?: string;
  /**
   * Set only for a result served without an upstream call of its own (a cache
   * hit, a coalesced call): what the answer cost when it was made, so what this call saved.
   */
  savedCostUsd?: number;
}

/** One event of a streamed completion, as the core yields it. */
export type ChatStreamEvent =
  | { type: "delta"; text: string; logprobs?: TokenLogprob[] }
  /**
   * A piece of the model's reasoning, never part of the answer's text; its signature (Anthropic's)
   * comes as soon as the provider gives it, so a face can close the thinking before the text begins.
   */
  | { type: "reasoning"; text: string; signature?: string }
  | { type: "done"; result: ChatResult }
  /** First of every stream: how the cache will answer, before any text (for response headers). */
  | { type: "cache"; status: CacheStatus }
  /** Before a round's first text: who is answering (the deployment that won, or the one a cached answer came from). */
  | { type: "answering"; provider: string }
  | { type: "tool_call"; id: string; name: string; argumentsJson: string; round: number }
  | { type: "tool_result"; id: string; name: string; output: string; isError: boolean; latencyMs: number };
