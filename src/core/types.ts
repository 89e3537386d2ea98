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
}

export interface ChatMessage {
  role: Role;
  content: string;
  name?: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
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
  /** Tools offered to the model, and who runs them. */
  tools?: ToolRequest;
  /** Set by the tool loop on its last round: the model must answer in text. */
  toolChoice?: "none";
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
  inputTokens: number;
  outputTokens: number;
  /** True when the gateway counted because the provider did not report. */
  estimated: boolean;
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
  /**
   * Set only for a result served without an upstream call of its own (a cache
   * hit, a coalesced call): what the answer cost when it was made, so what this call saved.
   */
  savedCostUsd?: number;
}

/** One event of a streamed completion, as the core yields it. */
export type ChatStreamEvent =
  | { type: "delta"; text: string }
  | { type: "done"; result: ChatResult }
  /** First of every stream: how the cache will answer, before any text (for response headers). */
  | { type: "cache"; status: CacheStatus }
  /** Before a round's first text: who is answering (the deployment that won, or the one a cached answer came from). */
  | { type: "answering"; provider: string }
  | { type: "tool_call"; id: string; name: string; argumentsJson: string; round: number }
  | { type: "tool_result"; id: string; name: string; output: string; isError: boolean; latencyMs: number };
