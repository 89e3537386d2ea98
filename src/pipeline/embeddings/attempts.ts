import { costOf, type Deployment } from "../../core/catalog.js";
import type { EmbedResult } from "../../core/embeddings.js";
import { GatewayError, isFallbackWorthy } from "../../core/errors.js";
import type { ProviderEmbedRequest, ProviderEmbedResult } from "../../providers/provider.js";
import { createAttemptSchedule } from "../../resilience/schedule.js";
import type { AttemptsDeps } from "../attempts/attempts.js";
import { Ledger } from "../attempts/ledger.js";
import { openAttempt } from "../attempts/scope.js";
import type { EmbedHandler, EmbedRound } from "./stage.js";

/**
 * The innermost stage of an embedding call: routes it among the model's deployments whose provider
 * has embeddings, then tries them in order (falling back, retrying after a backoff, each attempt
 * under the provider's timeout and the caller's deadline, with its breaker's permit) until one
 * answers. The completions' parts do the work: the router, the attempt schedule, the attempt scope
 * (its timers and the classification of failures: a caller's cancel is nobody's fault) and the
 * ledger (statistics, breakers, health, the list of attempts). Embedding calls are not hedged.
 */
export function createEmbedAttempts(deps: AttemptsDeps): EmbedHandler {
  const { clock } = deps;
  return async (round) => {
    const { model, call, request } = round;
    const order = embedders(
      deps.router.order(model, request.routing, () => ({ inputTokens: estimateInputTokens(request.inputs), maxTokens: 0 }), false),
      round,
      deps,
    );
    const schedule = createAttemptSchedule({
      order,
      breakers: deps.breakers,
      retry: deps.retry,
      budget: deps.retryBudget,
      clock,
      call,
      random: deps.random,
    });
    const ledger = new Ledger(deps);
    let failed: Parameters<typeof schedule.next>[0];
    for (let next = await schedule.next(); next; next = await schedule.next(failed)) {
      const { deployment: d, permit } = next;
      const target = deps.providers.get(d.provider);
      if (!target?.provider.embed) throw new GatewayError("INTERNAL", `provider "${d.provider}" was not built with embeddings`);
      const startedAt = clock.monotonic();
      const scope = openAttempt(target, call, clock, {
        upstreamModel: d.upstreamModel,
        promptTokens: 0,
        streaming: false,
        unaryUpstream: true,
        operation: "embeddings",
      });
      const upstream: ProviderEmbedRequest = { model: d.upstreamModel, inputs: request.inputs };
      if (request.dimensions !== undefined) upstream.dimensions = request.dimensions;
      if (request.user) upstream.user = request.user;
      if (round.model.embeddingTask) upstream.task = round.model.embeddingTask;
      let answer: ProviderEmbedResult;
      try {
        answer = await target.provider.embed(upstream, scope.signal);
        checkSizes(d.provider, answer, request.dimensions);
        scope.answered({ model: answer.model, inputTokens: answer.usage?.inputTokens, finishReason: "stop" });
      } catch (err) {
        const latencyMs = clock.monotonic() - startedAt;
        const error = scope.classify(err);
        ledger.record(d, permit, { kind: "failed", error, latencyMs });
        if (!isFallbackWorthy(error.reason) || call.signal.aborted) throw error;
        ledger.last = error;
        failed = { deployment: d, error };
        continue;
      } finally {
        scope.dispose();
      }
      ledger.record(d, permit, { kind: "answered", latencyMs: clock.monotonic() - startedAt });
      const result = await resultOf(round, d, answer, ledger);
      result.latencyMs = clock.monotonic() - call.receivedAt;
      return result;
    }
    throw ledger.exhausted(model, call, schedule.skipped);
  };
}

/** The result: usage as reported (or counted when the provider gave none), cost at the deployment's embedding price. */
async function resultOf(round: EmbedRound, d: Deployment, answer: ProviderEmbedResult, ledger: Ledger): Promise<EmbedResult> {
  const usage = answer.usage
    ? { inputTokens: answer.usage.inputTokens, estimated: false }
    : { inputTokens: await round.inputTokens(), estimated: true };
  return {
    id: round.call.requestId,
    vectors: answer.vectors,
    model: answer.model,
    usage,
    costUsd: costOf(d, { inputTokens: usage.inputTokens, outputTokens: 0 }),
    provider: d.provider,
    cacheStatus: "miss",
    attempts: ledger.attempts,
    latencyMs: 0,
  };
}

/**
 * The deployments whose provider has embeddings, in routing order. When none has, the call is
 * refused naming the model: the configuration put an embedding model on providers without them.
 */
function embedders(order: Deployment[], round: EmbedRound, deps: Pick<AttemptsDeps, "providers">): Deployment[] {
  const usable = order.filter((d) => deps.providers.get(d.provider)?.provider.embed !== undefined);
  if (usable.length === 0) {
    const kinds = [...new Set(order.map((d) => d.providerKind))].join(", ");
    throw new GatewayError(
      "CAPABILITY_UNSUPPORTED",
      `model: "${round.model.name}" is served by providers without embeddings (${kinds}); embeddings need a provider of kind openai, openai-compatible, azure-openai, gemini, vertex, bedrock, mistral or cohere`,
      { metadata: { field: "model", model: round.model.name } },
    );
  }
  return usable;
}

/**
 * The vectors are of the size asked for, and all of one size. A compatible server that does not
 * know `dimensions` ignores it and gives its model's own size: passed on (and cached), the caller
 * would get vectors it did not ask for. That is the answer's fault, not the deployment's health
 * (INVALID_OUTPUT: another deployment is tried, no breaker trips).
 */
function checkSizes(provider: string, answer: ProviderEmbedResult, dimensions: number | undefined): void {
  const size = dimensions ?? answer.vectors[0]?.length ?? 0;
  const i = answer.vectors.findIndex((v) => v.length !== size || v.length === 0);
  if (i < 0) return;
  const n = answer.vectors[i]!.length;
  const why =
    dimensions === undefined
      ? `vector ${i} has ${n} values where the first has ${size}`
      : `vector ${i} has ${n} values, not the ${size} asked for (dimensions)`;
  throw new GatewayError("INVALID_OUTPUT", `${provider}: the embeddings answer's ${why}`, { metadata: { provider, field: "dimensions" } });
}

/** About four characters a token, or the token ids themselves: what the cost strategy weighs (no output). */
function estimateInputTokens(inputs: EmbedRound["request"]["inputs"]): number {
  let tokens = 0;
  for (const input of inputs) tokens += typeof input === "string" ? Math.ceil(input.length / 4) : input.length;
  return tokens;
}
