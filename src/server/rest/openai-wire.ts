import { Code } from "@connectrpc/connect";
import type { Tenant } from "../../auth/tenants.js";
import type { ModelEntry } from "../../core/catalog.js";
import { bounded, GatewayError } from "../../core/errors.js";
import type { Gateway } from "../../pipeline/pipeline.js";
import type { ChatMessage, ChatResult, FinishReason, TokenLogprob } from "../../core/types.js";
import { codeOfReason } from "../error-mapper.js";
import type { ErrorShape } from "./route.js";

/** HTTP status and OpenAI error type for each gRPC code, as OpenAI clients expect them. */
const HTTP: Partial<Record<Code, [number, string]>> = {
  [Code.InvalidArgument]: [400, "invalid_request_error"],
  [Code.FailedPrecondition]: [502, "api_error"],
  [Code.Unauthenticated]: [401, "authentication_error"],
  [Code.PermissionDenied]: [403, "permission_error"],
  [Code.NotFound]: [404, "not_found_error"],
  [Code.ResourceExhausted]: [429, "rate_limit_error"],
  [Code.Unavailable]: [503, "api_error"],
  [Code.DeadlineExceeded]: [504, "timeout_error"],
  [Code.Canceled]: [499, "api_error"],
  [Code.Unimplemented]: [405, "invalid_request_error"],
};

/**
 * Reasons whose status is not their gRPC code's. INVALID_OUTPUT: the provider answered, but with what
 * the request's response_format refuses; HTTP's own words for that are 502 "received an invalid
 * response from the upstream server" (503 would say the gateway is down or overloaded). The SDKs
 * retry both.
 */
const STATUS_OF_REASON: Partial<Record<GatewayError["reason"], [number, string]>> = {
  INVALID_OUTPUT: [502, "api_error"],
  // Stripe's and the IETF draft's status for a key reused with another body.
  IDEMPOTENCY_KEY_REUSED: [422, "invalid_request_error"],
};

export const FINISH: Record<FinishReason, string | null> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  unspecified: null,
};

/** The error body OpenAI clients read: `{ error: { message, type, param, code } }`, and its status. */
export function errorBody(error: GatewayError): { status: number; body: object } {
  const code = codeOfReason[error.reason];
  const [status, type] = STATUS_OF_REASON[error.reason] ?? HTTP[code] ?? [500, "api_error"];
  // The core names a message's parts; this face's callers sent them as `content`, one for one: the field
  // and the message that starts with it say so alike.
  const field = error.metadata["field"];
  const param = field?.replace(/^messages\[(\d+)\]\.parts\[/, "messages[$1].content[");
  const said = field && param !== field && error.message.startsWith(field) ? param + error.message.slice(field.length) : error.message;
  const message = error.reason === "INTERNAL" ? "internal error" : bounded(said);
  return {
    status,
    body: { error: { message, type, param: param === undefined ? null : bounded(param, 256), code: error.reason.toLowerCase() } },
  };
}

/** OpenAI's error shape, for the routes of its face: a body, or a data event ending a stream. */
export const openAiErrors: ErrorShape = {
  body: errorBody,
  streamEvent: (error) => `data: ${JSON.stringify(errorBody(error).body)}\n\n`,
};

export function toolCallsOf(m: ChatMessage) {
  return m.toolCalls?.map((c, index) => ({ index, id: c.id, type: "function", function: { name: c.name, arguments: c.argumentsJson } }));
}

/**
 * OpenAI's usage, with its details when the provider reported them: cached input in
 * prompt_tokens_details.cached_tokens, reasoning in completion_tokens_details.reasoning_tokens, and
 * prompt-cache writes (which OpenAI's format has no name for) in prompt_tokens_details.cache_write_tokens.
 * Absent details mean the provider did not say, not zero.
 */
export function usageBody(r: ChatResult) {
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens } = r.usage;
  const prompt =
    cachedInputTokens !== undefined || cacheWriteTokens !== undefined
      ? {
          prompt_tokens_details: {
            cached_tokens: cachedInputTokens ?? 0,
            ...(cacheWriteTokens !== undefined ? { cache_write_tokens: cacheWriteTokens } : {}),
          },
        }
      : {};
  const completion = reasoningTokens !== undefined ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {};
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    ...prompt,
    ...completion,
  };
}

/** Log probabilities as OpenAI writes them in a choice: `{ content: [...], refusal: null }`. */
export function logprobsBody(logprobs: readonly TokenLogprob[] | undefined) {
  if (!logprobs) return null;
  return {
    content: logprobs.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      bytes: t.bytes ?? null,
      top_logprobs: t.topLogprobs.map((x) => ({ token: x.token, logprob: x.logprob, bytes: x.bytes ?? null })),
    })),
    refusal: null,
  };
}

/**
 * An assistant's reasoning as OpenAI-compatible servers write it (DeepSeek's and vLLM's
 * reasoning_content), with its signature when the provider signed it (Anthropic), so that a client
 * sending the message back keeps both.
 */
export function reasoningOf(m: ChatMessage) {
  return {
    ...(m.reasoning ? { reasoning_content: m.reasoning } : {}),
    ...(m.reasoningSignature ? { reasoning_signature: m.reasoningSignature } : {}),
  };
}

/** A chat.completion object. */
export function completionBody(r: ChatResult, created: number) {
  const toolCalls = toolCallsOf(r.message);
  return {
    id: `chatcmpl-${r.id}`,
    object: "chat.completion",
    created,
    model: r.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: r.message.content || (toolCalls ? null : ""),
          refusal: null,
          ...reasoningOf(r.message),
          ...(toolCalls ? { tool_calls: toolCalls.map(({ index: _i, ...c }) => c) } : {}),
        },
        finish_reason: FINISH[r.finishReason],
        logprobs: logprobsBody(r.logprobs),
      },
    ],
    usage: usageBody(r),
    // What the gateway adds; OpenAI clients ignore fields they do not know.
    llm_gateway: { provider: r.provider, cost_usd: r.costUsd, cache_status: r.cacheStatus, latency_ms: r.latencyMs, rounds: r.rounds ?? 1 },
  };
}

/**
 * A model in OpenAI's shape and Anthropic's at once (each SDK reads its own fields and ignores the
 * other's), since both faces share GET /v1/models: the Anthropic SDKs' models.list() and retrieve()
 * read type, display_name, created_at, lifecycle and the model's token limits.
 */
const modelOf = (id: string, m: ModelEntry) => ({
  id,
  object: "model",
  created: 0,
  owned_by: m.deployments[0]?.provider ?? "llm-gateway",
  type: "model",
  display_name: id,
  created_at: new Date(0).toISOString(),
  lifecycle: "active",
  max_input_tokens: m.contextWindow,
  max_tokens: m.maxOutputTokens,
});

/** GET /v1/models: the names and aliases the tenant may use. */
export function modelList(gateway: Gateway, tenant: Tenant) {
  const data = gateway.catalog.models
    .filter((m) => !tenant.allowedModels || tenant.allowedModels.has(m.name))
    .flatMap((m) => [m.name, ...m.aliases].map((id) => modelOf(id, m)));
  // has_more, first_id and last_id are Anthropic's page; the list is never cut.
  return { object: "list", data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** GET /v1/models/{id}: one model the tenant may use, or 404 as for a model that does not exist. */
export function modelObject(gateway: Gateway, tenant: Tenant, id: string) {
  const m = gateway.catalog.models.find((x) => x.name === id || x.aliases.includes(id));
  if (!m || (tenant.allowedModels && !tenant.allowedModels.has(m.name))) {
    throw new GatewayError("MODEL_NOT_FOUND", "no such model; GET /v1/models lists the models served", { metadata: { field: "model" } });
  }
  return modelOf(id, m);
}
