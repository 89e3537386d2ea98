import { assertModelAllowed, scopeOf } from "../auth/tenants.js";
import { type CallContext, noteCaller } from "../core/call.js";
import type { Catalog, ModelEntry, ModelType } from "../core/catalog.js";
import { GatewayError } from "../core/errors.js";
import { estimatePromptTokens } from "../core/tokens.js";
import type { ChatRequest, ChatStreamEvent } from "../core/types.js";
import { validateChatRequest } from "../core/validate.js";
import type { Admission, LimitSettings, RateLimiter, Reservation } from "../limits/limiter.js";
import type { Queues } from "../queue/queues.js";
import type { Ask, AskHandler, Round, RoundHandler, RoundStage, UpstreamParams } from "./stage.js";

/**
 * Resolves a model name for a caller, refusing models its tenant may not use, and a model of the
 * other type (an embedding model for a completion, a chat model for embeddings), naming `model`.
 */
export function resolveModel(catalog: Catalog, name: string, call: CallContext, type: ModelType = "chat"): ModelEntry {
  const model = catalog.resolve(name);
  assertModelAllowed(call.tenant, model.name, call.key);
  const actual = model.type ?? "chat";
  if (actual !== type) {
    const why =
      type === "chat"
        ? `"${model.name}" is an embedding model: it answers embedding calls (EmbeddingService.Embed, POST /v1/embeddings), not completions`
        : `"${model.name}" is a chat model: embedding calls need a model of type embedding (ListModels and GET /v1/models say each model's type)`;
    throw new GatewayError("INVALID_REQUEST", `model: ${why}`, { metadata: { field: "model", model: model.name } });
  }
  return model;
}

/**
 * Admits a round: resolves its model (which the tenant must be allowed),
 * checks the request against the contract and the model, and builds what
 * the providers will be sent. Routing waits until the cache has missed: a
 * hit needs no deployment.
 */
export function admission(catalog: Catalog): (next: RoundHandler) => AskHandler {
  return (next) =>
    async function* admit(ask: Ask): AsyncGenerator<ChatStreamEvent> {
      const { request, call } = ask;
      noteCaller(call, request.model, request.user);
      const model = resolveModel(catalog, request.model, call);
      await validateChatRequest(request, model, !ask.buffered);
      const upstream: UpstreamParams = {
        messages: request.messages,
        maxTokens: request.maxTokens ?? model.maxOutputTokens,
        stop: request.stop,
      };
      if (request.temperature !== undefined) upstream.temperature = request.temperature;
      if (request.topP !== undefined) upstream.topP = request.topP;
      if (request.topK !== undefined) upstream.topK = request.topK;
      if (request.seed !== undefined) upstream.seed = request.seed;
      if (request.user) upstream.user = request.user;
      // A model that cannot stream is asked without streaming (only unary calls reach here for it).
      if (!model.capabilities.streaming) upstream.unary = true;
      if (ask.tools) {
        upstream.tools = ask.tools.definitions;
        if (request.toolChoice) upstream.toolChoice = request.toolChoice;
        if (request.parallelToolCalls !== undefined) upstream.parallelToolCalls = request.parallelToolCalls;
      }
      copyOptions(request, upstream, model);
      const round: Round = { ...ask, model, upstream, promptTokens: estimatePromptTokens(request.messages) };
      yield* next(round);
    };
}

/** The request's options that go to the provider as they are (each provider translates or refuses them). */
function copyOptions(request: ChatRequest, upstream: UpstreamParams, model: ModelEntry): void {
  if (request.responseFormat) upstream.responseFormat = request.responseFormat;
  // "No reasoning", or adaptive thinking, to a model that does not reason is already so: nothing to send
  // (OpenAI's older models refuse reasoning_effort).
  if (request.reasoning && (model.capabilities.reasoning || (request.reasoning.effort !== "none" && !request.reasoning.adaptive)))
    upstream.reasoning = request.reasoning;
  if (request.presencePenalty !== undefined) upstream.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) upstream.frequencyPenalty = request.frequencyPenalty;
  if (request.logprobs) {
    upstream.logprobs = true;
    if (request.topLogprobs !== undefined) upstream.topLogprobs = request.topLogprobs;
  }
  if (request.serviceTier) upstream.serviceTier = request.serviceTier;
  if (request.promptCacheKey) upstream.promptCacheKey = request.promptCacheKey;
  if (request.extraBody) upstream.extraBody = request.extraBody;
}

export const limited = (l: LimitSettings) =>
  l.requestsPerMinute !== undefined || l.requestsPerHour !== undefined || l.tokensPerMinute !== undefined;

/** Tokens a finished round used: none when it was served without an upstream call of its own. */
export const tokensUsed = (e: Extract<ChatStreamEvent, { type: "done" }>): number =>
  e.result.savedCostUsd !== undefined ? 0 : e.result.usage.inputTokens + e.result.usage.outputTokens;

/**
 * The caller's rate limits (its tenant's, or the gateway's): a round is
 * admitted while it fits, reserving its prompt estimate plus max_tokens, and
 * settles to what it used. One that fails before any text gives the tokens
 * back; one cut short after text keeps its estimate, since some was surely used.
 */
export function limits(options: {
  limiter: RateLimiter;
  limits: LimitSettings;
  onRefused?: ((limit: string) => void) | undefined;
  /** Present, a call over a limit waits its turn while its deadline allows (src/queue/) rather than being refused at once. */
  queues?: Queues | undefined;
}): RoundStage {
  const { limiter } = options;
  return (next) => {
    async function* limitedRound(
      round: Round,
      scope: string,
      applied: LimitSettings,
      inner: RoundHandler,
    ): AsyncGenerator<ChatStreamEvent> {
      const tokens = round.promptTokens + round.upstream.maxTokens;
      const { queues } = options;
      // Waiting lines are per limiter key (the tenant's, a key's); the turn is fair across tenants either way.
      const admission = queues
        ? await queues.rate.admit(scope, tokens, applied, queues.ticket(round.request, round.call))
        : await limiter.admit(scope, tokens, applied);
      if (!admission.admitted) {
        options.onRefused?.(admission.limit);
        throw rateLimited(admission);
      }
      yield* settled(admission.reservation, inner(round));
    }
    // A runtime key's own limits apply after its tenant's admitted the call: a call must fit both.
    const keyed: RoundHandler = (round) => {
      const key = round.call.key;
      return key?.limits && limited(key.limits) ? limitedRound(round, `key:${key.id}`, key.limits, next) : next(round);
    };
    return (round) => {
      // A tenant's own limits replace the gateway-wide ones.
      const applied = round.call.tenant?.limits ?? options.limits;
      return limited(applied) ? limitedRound(round, scopeOf(round.call.tenant, round.request.user), applied, keyed) : keyed(round);
    };
  };
}

/** The refusal of a call over one of its caller's rate limits, with the time until it would fit. */
export function rateLimited(refused: Extract<Admission, { admitted: false }>): GatewayError {
  const what = { rpm: "requests per minute", rph: "requests per hour", tpm: "tokens per minute" }[refused.limit];
  return new GatewayError("RATE_LIMITED", `rate limit reached: ${what}; retry in ${Math.ceil(refused.retryAfterMs / 1000)} s`, {
    metadata: { limit: refused.limit },
    retryAfterMs: refused.retryAfterMs,
  });
}

/** Passes events through, then settles the reservation: used tokens, nothing, or the estimate kept. */
async function* settled(reservation: Reservation, events: AsyncIterable<ChatStreamEvent>): AsyncGenerator<ChatStreamEvent> {
  let used: number | undefined;
  let delivered = false;
  try {
    for await (const e of events) {
      if (e.type === "done") used = tokensUsed(e);
      else if (e.type === "delta") delivered = true;
      yield e;
    }
  } finally {
    const tokens = used ?? (delivered ? undefined : 0);
    // A store failure here only loses accuracy of the limit; the call's answer is already out.
    if (tokens !== undefined) reservation.reconcile(tokens).catch(() => {});
  }
}
