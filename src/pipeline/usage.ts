import { trace } from "@opentelemetry/api";
import { scopeOf } from "../auth/tenants.js";
import type { CallContext } from "../core/call.js";
import type { ModelEntry } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import type { ChatRequest, ChatResult, ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import { dayOf, type UsageStore } from "../usage/store.js";
import type { Round, RoundStage } from "./stage.js";

const micros = (usd: number) => Math.round(usd * 1_000_000);

export interface UsageOptions {
  usage: UsageStore;
  clock: Clock;
  logger?: Logger | undefined;
  /** Log each completion's messages and answer (config log.prompts). */
  logPrompts?: boolean | undefined;
  /** Told of every answered round (for metrics). */
  onCompleted?: ((model: ModelEntry, result: ChatResult, call: CallContext) => void) | undefined;
}

/**
 * What every answered round leaves behind: its day's usage totals (streams
 * and cache savings included), its span's GenAI attributes, the access log's
 * fields, the metrics, and the prompt log when configured. A usage store that
 * fails is logged; it never fails the caller's answer.
 */
export function usage(options: UsageOptions): RoundStage {
  return (next) =>
    async function* counted(round: Round): AsyncGenerator<ChatStreamEvent> {
      for await (const e of next(round)) {
        if (e.type === "done") record(round, e.result);
        yield e;
      }
    };

  function record(round: Round, result: ChatResult): void {
    const { request, call, model } = round;
    annotate(request, call, model, result);
    report(request, call, model, result);
    // For the request log: text only (media parts can be megabytes), cut to its bound there.
    if (options.logPrompts && call.report) {
      const prompt = request.messages.map(({ role, content }) => ({ role, content }));
      call.report.detail = { ...call.report.detail, prompt, answer: result.message.content };
    }
    if (options.logPrompts) {
      options.logger?.info("completion content", {
        request_id: call.requestId,
        model: model.name,
        messages: request.messages,
        answer: result.message,
      });
    }
    try {
      options.onCompleted?.(model, result, call);
    } catch (err) {
      // Metrics are bookkeeping: a failure there is logged, never the caller's.
      options.logger?.warn("completion not counted in the metrics", { error: err instanceof Error ? err.message : String(err) });
    }
    const saved = result.savedCostUsd !== undefined;
    const tokens = result.usage.inputTokens + result.usage.outputTokens;
    options.usage
      .add({
        tenant: scopeOf(call.tenant, request.user),
        user: request.user,
        model: model.name,
        day: dayOf(options.clock.now()),
        requests: 1,
        inputTokens: saved ? 0 : result.usage.inputTokens,
        outputTokens: saved ? 0 : result.usage.outputTokens,
        costMicros: micros(result.costUsd),
        savedTokens: saved ? tokens : 0,
        savedMicros: saved ? micros(result.savedCostUsd ?? 0) : 0,
      })
      .catch((err: unknown) => options.logger?.warn("usage not recorded", { error: err instanceof Error ? err.message : String(err) }));
  }
}

/** The access log's fields: summed over the rounds of a tool loop. */
function report(request: ChatRequest, call: CallContext, model: ModelEntry, result: ChatResult): void {
  const report = call.report;
  if (!report) return;
  report.model = model.name;
  report.provider = result.provider;
  report.cache = result.cacheStatus;
  report.input_tokens = (report.input_tokens ?? 0) + result.usage.inputTokens;
  report.output_tokens = (report.output_tokens ?? 0) + result.usage.outputTokens;
  // Prompt-cache and reasoning tokens only when there are some: most lines stay as short as before.
  const { cachedInputTokens, cacheWriteTokens, reasoningTokens } = result.usage;
  if (cachedInputTokens) report.cached_input_tokens = (report.cached_input_tokens ?? 0) + cachedInputTokens;
  if (cacheWriteTokens) report.cache_write_tokens = (report.cache_write_tokens ?? 0) + cacheWriteTokens;
  if (reasoningTokens) report.reasoning_tokens = (report.reasoning_tokens ?? 0) + reasoningTokens;
  report.cost_usd = (report.cost_usd ?? 0) + result.costUsd;
  if (Object.keys(request.metadata).length > 0) report.metadata = request.metadata;
  report.detail = { ...report.detail, attempts: [...(report.detail?.attempts ?? []), ...result.attempts] };
}

/** Describes the answer on the call's own span (GenAI conventions, plus what the gateway adds). */
function annotate(request: ChatRequest, call: CallContext, model: ModelEntry, result: ChatResult): void {
  const span = call.otel ? trace.getSpan(call.otel) : undefined;
  if (!span?.isRecording()) return;
  span.setAttributes({
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": model.name,
    "gen_ai.response.model": result.model,
    "gen_ai.usage.input_tokens": result.usage.inputTokens,
    "gen_ai.usage.output_tokens": result.usage.outputTokens,
    ...(result.usage.cachedInputTokens ? { "gen_ai.usage.cache_read.input_tokens": result.usage.cachedInputTokens } : {}),
    ...(result.usage.cacheWriteTokens ? { "gen_ai.usage.cache_creation.input_tokens": result.usage.cacheWriteTokens } : {}),
    ...(result.usage.reasoningTokens ? { "gen_ai.usage.reasoning.output_tokens": result.usage.reasoningTokens } : {}),
    "gen_ai.response.finish_reasons": [result.finishReason],
    "llm_gateway.provider": result.provider,
    "llm_gateway.cache_status": result.cacheStatus,
    "llm_gateway.cost_usd": result.costUsd,
    "llm_gateway.attempts": result.attempts.length,
    ...(call.tenant ? { "llm_gateway.tenant": call.tenant.name } : {}),
  });
  // The request's metadata, kept with the call (bounded by validation: 16 entries of short text).
  for (const [k, v] of Object.entries(request.metadata)) span.setAttribute(`llm_gateway.metadata.${k}`, v);
}
