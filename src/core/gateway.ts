import type { ProviderChunk, ProviderRequest, ProviderUsage } from "../providers/provider.js";
import type { ProviderDeployment } from "../providers/registry.js";
import { openAttempt, type CallContext } from "./attempt.js";
import { costOf, type Catalog, type ModelEntry } from "./catalog.js";
import type { Clock } from "./clock.js";
import { GatewayError } from "./errors.js";
import type { HealthMonitor } from "./health.js";
import { countMessageTokens, countTextTokens, type TokenCount } from "./tokens.js";
import type { ChatMessage, ChatRequest, ChatResult, ChatStreamEvent, FinishReason, Usage } from "./types.js";
import { validateChatRequest } from "./validate.js";

export type { CallContext } from "./attempt.js";

/** The core every transport calls: one pipeline for unary and streamed completions. */
export interface Gateway {
  readonly catalog: Catalog;
  readonly health: HealthMonitor;
  complete(request: ChatRequest, call: CallContext): Promise<ChatResult>;
  /** Yields text deltas, then exactly one "done"; throws a GatewayError if the call fails. */
  stream(request: ChatRequest, call: CallContext): AsyncIterable<ChatStreamEvent>;
  countTokens(model: string, messages: readonly ChatMessage[]): TokenCount & { model: string };
}

/** What the gateway is built from; everything is made once at start-up. */
export interface GatewayOptions {
  catalog: Catalog;
  providers: ReadonlyMap<string, ProviderDeployment>;
  health: HealthMonitor;
  clock: Clock;
}

/** Builds the core pipeline. */
export function createGateway(options: GatewayOptions): Gateway {
  const { catalog, providers, health, clock } = options;

  function prepare(request: ChatRequest, streaming: boolean): { model: ModelEntry; deployment: ProviderDeployment; upstream: ProviderRequest } {
    const model = catalog.resolve(request.model);
    validateChatRequest(request, model, streaming);
    if (request.routing.excludedProviders.includes(model.provider)) {
      throw new GatewayError("UPSTREAM_UNAVAILABLE", `model "${model.name}" is served only by "${model.provider}", which the request excludes`, {
        metadata: { model: model.name, provider: model.provider },
      });
    }
    const deployment = providers.get(model.provider);
    if (!deployment) throw new GatewayError("INTERNAL", `provider "${model.provider}" of model "${model.name}" was not built`);
    const upstream: ProviderRequest = {
      model: model.upstreamModel,
      messages: request.messages,
      maxTokens: request.maxTokens ?? model.maxOutputTokens,
      stop: request.stop,
    };
    if (request.temperature !== undefined) upstream.temperature = request.temperature;
    if (request.topP !== undefined) upstream.topP = request.topP;
    if (request.seed !== undefined) upstream.seed = request.seed;
    if (request.user) upstream.user = request.user;
    return { model, deployment, upstream };
  }

  function usageOf(model: ModelEntry, reported: ProviderUsage | undefined, messages: readonly ChatMessage[], output: string): Usage {
    if (reported) return { ...reported, estimated: false };
    // Some compatible servers report no usage; count rather than bill nothing.
    return {
      inputTokens: countMessageTokens(messages, model.tokenizer).tokens,
      outputTokens: countTextTokens(output, model.tokenizer),
      estimated: true,
    };
  }

  function result(
    call: CallContext,
    model: ModelEntry,
    answer: { message: ChatMessage; finishReason: FinishReason; usage: Usage; model: string },
    upstreamMs: number,
    timeToFirstTokenMs?: number,
  ): ChatResult {
    const latencyMs = clock.monotonic() - call.receivedAt;
    const out: ChatResult = {
      id: call.requestId,
      message: answer.message,
      finishReason: answer.finishReason,
      usage: answer.usage,
      costUsd: costOf(model, answer.usage),
      provider: model.provider,
      model: answer.model,
      cacheStatus: "disabled",
      latencyMs,
      gatewayOverheadMs: Math.max(0, latencyMs - upstreamMs),
    };
    if (timeToFirstTokenMs !== undefined) out.timeToFirstTokenMs = timeToFirstTokenMs;
    return out;
  }

  return {
    catalog,
    health,

    async complete(request, call) {
      const { model, deployment, upstream } = prepare(request, false);
      const attempt = openAttempt(deployment, call, clock);
      const started = clock.monotonic();
      try {
        const answer = await deployment.provider.complete(upstream, attempt.signal);
        const upstreamMs = clock.monotonic() - started;
        health.recordSuccess(model.provider);
        const usage = usageOf(model, answer.usage, request.messages, answer.message.content);
        return result(call, model, { ...answer, usage }, upstreamMs);
      } catch (err) {
        const error = attempt.classify(err);
        health.recordFailure(model.provider, error);
        throw error;
      } finally {
        attempt.dispose();
      }
    },

    async *stream(request, call) {
      const { model, deployment, upstream } = prepare(request, true);
      const attempt = openAttempt(deployment, call, clock);
      const started = clock.monotonic();
      let text = "";
      let firstTokenAt: number | undefined;
      let end: Extract<ProviderChunk, { type: "end" }> | undefined;
      try {
        for await (const chunk of deployment.provider.stream(upstream, attempt.signal)) {
          if (chunk.type === "end") {
            end = chunk;
            continue;
          }
          text += chunk.text;
          firstTokenAt ??= clock.monotonic();
          yield { type: "delta", text: chunk.text };
        }
      } catch (err) {
        const error = attempt.classify(err);
        const failure = interrupted(error, text, model.provider);
        health.recordFailure(model.provider, failure);
        throw failure;
      } finally {
        attempt.dispose();
      }
      if (!end) {
        const error = interrupted(
          new GatewayError("UPSTREAM_UNAVAILABLE", `${model.provider}: the stream ended without a finish reason`, {
            metadata: { provider: model.provider },
          }),
          text,
          model.provider,
        );
        health.recordFailure(model.provider, error);
        throw error;
      }
      // The provider loop's span counts as not ours, including time the caller took to read deltas.
      const upstreamMs = clock.monotonic() - started;
      health.recordSuccess(model.provider);
      const message: ChatMessage = { role: "assistant", content: text };
      if (end.toolCalls) message.toolCalls = end.toolCalls;
      const usage = usageOf(model, end.usage, request.messages, text);
      const ttft = firstTokenAt === undefined ? undefined : firstTokenAt - call.receivedAt;
      const done = result(call, model, { message, finishReason: end.finishReason, usage, model: end.model }, upstreamMs, ttft);
      yield { type: "done", result: done };
    },

    countTokens(name, messages) {
      const model = catalog.resolve(name);
      return { ...countMessageTokens(messages, model.tokenizer), model: model.name };
    },
  };
}

/**
 * Once text has reached the caller, a failure can no longer be hidden or
 * retried: it becomes STREAM_INTERRUPTED, saying how much was delivered, so
 * that no caller mistakes a cut stream for a whole answer.
 */
function interrupted(error: GatewayError, delivered: string, provider: string): GatewayError {
  if (delivered.length === 0 || error.reason === "CANCELLED" || error.reason === "DEADLINE_EXCEEDED") return error;
  return new GatewayError("STREAM_INTERRUPTED", `${provider}: stream failed after ${delivered.length} characters: ${error.message}`, {
    metadata: { ...error.metadata, provider, delivered_chars: String(delivered.length), upstream_reason: error.reason },
    cause: error,
  });
}
