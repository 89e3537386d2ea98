import { create } from "@bufbuild/protobuf";
import type { ModelEntry } from "../core/catalog.js";
import { invalidRequest } from "../core/errors.js";
import type {
  CacheOptions,
  CacheStatus as CoreCacheStatus,
  ChatMessage,
  ChatRequest,
  ChatResult,
  FinishReason as CoreFinishReason,
  Role as CoreRole,
  RoutingHints as CoreRoutingHints,
  RoutingStrategy as CoreStrategy,
  ToolDefinition,
} from "../core/types.js";
import { addRequestOptions, fromContentParts, textOfParts, toCacheControl, toContentParts, toTokenLogprobs } from "./convert-content.js";
import type { CompleteRequest, ModelInfo, StreamCompleteRequest } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { ModelInfoSchema, ModelType } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { parsePriority } from "../queue/queues.js";
import {
  CacheStatus,
  CompletionSchema,
  FinishReason,
  MessageSchema,
  ToolExecution,
  Role,
  RoutingStrategy,
  type Completion,
  type RoutingHints,
  type Message,
} from "../../gen/ts/llmgateway/v1/types_pb.js";

const roles: Record<Role, CoreRole | undefined> = {
  [Role.UNSPECIFIED]: undefined,
  [Role.SYSTEM]: "system",
  [Role.USER]: "user",
  [Role.ASSISTANT]: "assistant",
  [Role.TOOL]: "tool",
};

const strategies: Record<RoutingStrategy, CoreStrategy | undefined> = {
  [RoutingStrategy.UNSPECIFIED]: undefined,
  [RoutingStrategy.FALLBACK]: "fallback",
  [RoutingStrategy.ROUND_ROBIN]: "round-robin",
  [RoutingStrategy.COST]: "cost",
  [RoutingStrategy.LATENCY]: "latency",
  [RoutingStrategy.WEIGHTED]: "weighted",
};

/** A request's routing hints, as the core takes them (unset, none). */
export function toRoutingHints(routing: RoutingHints | undefined): CoreRoutingHints {
  const out: CoreRoutingHints = {
    preferredProviders: routing?.preferredProviders ?? [],
    excludedProviders: routing?.excludedProviders ?? [],
  };
  const strategy = routing ? strategies[routing.strategy] : undefined;
  if (strategy) out.strategy = strategy;
  return out;
}

const executions: Record<ToolExecution, "default" | "client" | "server"> = {
  [ToolExecution.UNSPECIFIED]: "default",
  [ToolExecution.CLIENT]: "client",
  [ToolExecution.SERVER]: "server",
};

const coreToProtoRole: Record<CoreRole, Role> = { system: Role.SYSTEM, user: Role.USER, assistant: Role.ASSISTANT, tool: Role.TOOL };

const finishReasons: Record<CoreFinishReason, FinishReason> = {
  stop: FinishReason.STOP,
  length: FinishReason.LENGTH,
  tool_calls: FinishReason.TOOL_CALLS,
  content_filter: FinishReason.CONTENT_FILTER,
  unspecified: FinishReason.UNSPECIFIED,
};

export const cacheStatuses: Record<CoreCacheStatus, CacheStatus> = {
  miss: CacheStatus.MISS,
  hit_exact: CacheStatus.HIT_EXACT,
  hit_semantic: CacheStatus.HIT_SEMANTIC,
  bypass: CacheStatus.BYPASS,
  disabled: CacheStatus.DISABLED,
  coalesced: CacheStatus.COALESCED,
};

/** Converts protobuf messages to the core's, naming the field of any bad value. */
export function toChatMessages(messages: readonly Message[]): ChatMessage[] {
  return messages.map((m, i) => {
    const role = roles[m.role];
    if (!role) throw invalidRequest(`messages[${i}].role`, "must be set (ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL)");
    const out: ChatMessage = { role, content: m.content };
    if (m.parts.length > 0) {
      const parts = toContentParts(m.parts, `messages[${i}].parts`);
      // Content beside parts is their first text part, so that nothing the caller sent is dropped.
      out.parts = m.content ? [{ type: "text", text: m.content }, ...parts] : parts;
      out.content = textOfParts(out.parts);
    }
    if (m.name) out.name = m.name;
    if (m.toolCallId) out.toolCallId = m.toolCallId;
    if (m.toolCalls.length > 0) out.toolCalls = m.toolCalls.map((c) => ({ id: c.id, name: c.name, argumentsJson: c.argumentsJson }));
    const cacheControl = toCacheControl(m.cacheControl, `messages[${i}].cache_control`);
    if (cacheControl) out.cacheControl = cacheControl;
    if (m.reasoning) out.reasoning = m.reasoning;
    if (m.reasoningSignature) out.reasoningSignature = m.reasoningSignature;
    return out;
  });
}

/** Converts a Complete or StreamComplete request (they share their fields) to the core's request. */
export function toChatRequest(req: CompleteRequest | StreamCompleteRequest): ChatRequest {
  const out: ChatRequest = {
    model: req.model,
    messages: toChatMessages(req.messages),
    stop: req.stop,
    user: req.user,
    metadata: req.metadata,
    routing: toRoutingHints(req.routing),
  };
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.topP !== undefined) out.topP = req.topP;
  if (req.topK !== undefined) out.topK = req.topK;
  if (req.maxTokens !== undefined) out.maxTokens = req.maxTokens;
  if (req.maxCostUsd !== undefined) out.maxCostUsd = req.maxCostUsd;
  if (req.seed !== undefined) {
    if (req.seed > BigInt(Number.MAX_SAFE_INTEGER) || req.seed < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw invalidRequest("seed", "must fit in a 53-bit integer");
    }
    out.seed = Number(req.seed);
  }
  if (req.sessionId) out.sessionId = req.sessionId;
  const priority = parsePriority(req.priority);
  if (priority !== undefined) out.priority = priority;
  if (req.tools) {
    out.tools = {
      names: req.tools.names,
      all: req.tools.all,
      definitions: req.tools.definitions.map((d, i) => {
        const def: ToolDefinition = { name: d.name, description: d.description, parametersJson: d.parametersJson };
        if (d.strict) def.strict = true;
        const cacheControl = toCacheControl(d.cacheControl, `tools.definitions[${i}].cache_control`);
        if (cacheControl) def.cacheControl = cacheControl;
        return def;
      }),
      execution: executions[req.tools.execution],
    };
    if (req.tools.maxIterations > 0) out.tools.maxIterations = req.tools.maxIterations;
  }
  if (req.cache) out.cache = toCacheOptions(req.cache);
  addRequestOptions(req, out);
  return out;
}

/** A request's cache control in the core's terms. */
export function toCacheOptions(c: NonNullable<CompleteRequest["cache"]>): CacheOptions {
  const cache: CacheOptions = {};
  if (c.noCache) cache.noCache = true;
  if (c.noStore) cache.noStore = true;
  if (c.force) cache.force = true;
  if (c.noSemantic) cache.noSemantic = true;
  if (c.ttlSeconds !== undefined) {
    if (c.ttlSeconds === 0) throw invalidRequest("cache.ttl_seconds", "must be at least 1 (use no_store not to store)");
    cache.ttlSeconds = c.ttlSeconds;
  }
  return cache;
}

/** Converts a core message to the Message message. */
export function toMessage(m: ChatMessage): Message {
  return create(MessageSchema, {
    role: coreToProtoRole[m.role],
    content: m.content,
    name: m.name ?? "",
    toolCalls: m.toolCalls ?? [],
    toolCallId: m.toolCallId ?? "",
    parts: m.parts?.some((p) => p.type !== "text" || p.cacheControl) ? fromContentParts(m.parts) : [],
    ...(m.cacheControl ? { cacheControl: { ttl: m.cacheControl.ttl ?? "" } } : {}),
    reasoning: m.reasoning ?? "",
    reasoningSignature: m.reasoningSignature ?? "",
  });
}

/** Converts a core result to the Completion message. */
export function toCompletion(result: ChatResult): Completion {
  return create(CompletionSchema, {
    id: result.id,
    message: toMessage(result.message),
    toolTurns: (result.toolTurns ?? []).map(toMessage),
    rounds: result.rounds ?? 1,
    finishReason: finishReasons[result.finishReason],
    usage: {
      inputTokens: BigInt(result.usage.inputTokens),
      outputTokens: BigInt(result.usage.outputTokens),
      totalTokens: BigInt(result.usage.inputTokens + result.usage.outputTokens),
      estimated: result.usage.estimated,
      cachedInputTokens: BigInt(result.usage.cachedInputTokens ?? 0),
      cacheWriteTokens: BigInt(result.usage.cacheWriteTokens ?? 0),
      cacheWrite1hTokens: BigInt(result.usage.cacheWrite1hTokens ?? 0),
      reasoningTokens: BigInt(result.usage.reasoningTokens ?? 0),
    },
    logprobs: result.logprobs ? toTokenLogprobs(result.logprobs) : [],
    costUsd: result.costUsd,
    provider: result.provider,
    model: result.model,
    cacheStatus: cacheStatuses[result.cacheStatus],
    latencyMs: result.latencyMs,
    gatewayOverheadMs: result.gatewayOverheadMs,
    timeToFirstTokenMs: result.timeToFirstTokenMs ?? 0,
    attempts: result.attempts.map((a) => ({
      provider: a.provider,
      model: a.model,
      errorReason: a.errorReason ?? "",
      errorMessage: a.errorMessage ?? "",
      latencyMs: a.latencyMs,
      continuation: a.continuation ?? false,
    })),
  });
}

/** Describes a catalogue model. */
export function toModelInfo(m: ModelEntry): ModelInfo {
  return create(ModelInfoSchema, {
    name: m.name,
    aliases: [...m.aliases],
    provider: m.provider,
    providerKind: m.providerKind,
    upstreamModel: m.upstreamModel,
    local: m.providerKind === "local",
    contextWindow: BigInt(m.contextWindow),
    maxOutputTokens: BigInt(m.maxOutputTokens),
    inputPricePerMillion: m.inputPricePerMillion,
    outputPricePerMillion: m.outputPricePerMillion,
    cachedInputPricePerMillion: m.cachedInputPricePerMillion,
    cacheWritePricePerMillion: m.cacheWritePricePerMillion,
    cacheWrite1hPricePerMillion: m.cacheWrite1hPricePerMillion,
    capabilities: { ...m.capabilities },
    type: m.type === "embedding" ? ModelType.EMBEDDING : ModelType.CHAT,
    embeddingDimensions: m.embeddingDimensions ?? 0,
  });
}
