import { callAbortedError, type CallContext } from "../../core/call.js";
import { costOf, type Deployment, type ModelEntry } from "../../core/catalog.js";
import type { Clock } from "../../core/clock.js";
import { GatewayError, isProviderFault } from "../../core/errors.js";
import type { HealthMonitor } from "../../core/health.js";
import { countMessageTokens, countTextTokens } from "../../core/tokens.js";
import type { AttemptRecord, ChatMessage, ChatResult, FinishReason, TokenLogprob, Usage } from "../../core/types.js";
import type { ProviderUsage } from "../../providers/provider.js";
import type { Breakers, Permit } from "../../resilience/breakers.js";
import type { DeploymentStatsTracker } from "../../routing/stats.js";

/** What a round's attempts are recorded in, and who hears of their outcomes. */
export interface LedgerDeps {
  stats: DeploymentStatsTracker;
  health: HealthMonitor;
  breakers: Breakers;
  clock: Clock;
}

/** How one attempt ended, for the round's list and for the deployment's figures. */
export type Outcome =
  /** `continued`: it continued a stream cut on an earlier attempt. */
  | { kind: "answered"; latencyMs: number; ttftMs?: number | undefined; continued?: boolean }
  | { kind: "failed"; error: GatewayError; latencyMs: number }
  /** Another attempt answered first: listed, but it says nothing about its deployment. */
  | { kind: "lost"; latencyMs: number };

/**
 * The attempts of one round: each outcome goes into the round's list, and,
 * when it says something about the deployment, into its statistics, breaker
 * and health. A failure that is not the provider's (the caller's cancel or
 * deadline, a bad request, a shutdown) leaves all three untouched.
 */
export class Ledger {
  readonly attempts: AttemptRecord[] = [];
  /** The last failure worth reporting, if every deployment fails. */
  last: GatewayError | undefined;

  constructor(private readonly deps: LedgerDeps) {}

  record(d: Deployment, permit: Permit, outcome: Outcome): void {
    const { stats, health } = this.deps;
    switch (outcome.kind) {
      case "answered":
        this.attempts.push({
          provider: d.provider,
          model: d.upstreamModel,
          latencyMs: outcome.latencyMs,
          ...(outcome.continued ? { continuation: true } : {}),
        });
        stats.recordSuccess(d.id, outcome.latencyMs, outcome.ttftMs);
        permit.success();
        health.recordSuccess(d.provider);
        return;
      case "lost":
        this.attempts.push({
          provider: d.provider,
          model: d.upstreamModel,
          errorReason: "CANCELLED",
          errorMessage: "another attempt answered first",
          latencyMs: outcome.latencyMs,
        });
        permit.release();
        return;
      case "failed": {
        const { error } = outcome;
        this.attempts.push({
          provider: d.provider,
          model: d.upstreamModel,
          errorReason: error.reason,
          errorMessage: error.message,
          latencyMs: outcome.latencyMs,
        });
        if (isProviderFault(error.reason)) {
          stats.recordFailure(d.id, error.message);
          permit.failure();
          health.recordFailure(d.provider, error);
        } else {
          permit.release();
        }
      }
    }
  }

  /**
   * The error a caller gets once no deployment is left: the only failure, a
   * summary of all, or, when open breakers let nothing through, a fast
   * refusal saying when to come back.
   */
  exhausted(model: ModelEntry, call: CallContext, skipped: readonly Deployment[]): GatewayError {
    const last = this.last;
    if (call.signal.aborted) return callAbortedError(call, this.deps.clock, last);
    if (!last) {
      const retryAfterMs = Math.min(...skipped.map((d) => this.deps.breakers.retryAfterMs(d.id)));
      return new GatewayError("CIRCUIT_OPEN", `every deployment of model "${model.name}" is failing; their circuit breakers are open`, {
        metadata: { model: model.name, open: skipped.map((d) => d.provider).join(",") },
        retryAfterMs,
      });
    }
    if (this.attempts.length <= 1) return last;
    // When every attempt answered but none in the format asked for, that is what the caller is told.
    const all = (r: string) => this.attempts.every((a) => a.errorReason === r);
    const reason = all("INVALID_OUTPUT") ? "INVALID_OUTPUT" : all("CAPACITY_EXHAUSTED") ? "CAPACITY_EXHAUSTED" : "UPSTREAM_UNAVAILABLE";
    return new GatewayError(reason, `all ${this.attempts.length} attempts for model "${model.name}" failed; last: ${last.message}`, {
      metadata: { model: model.name, attempts: this.attempts.map((a) => `${a.provider}:${a.errorReason}`).join(",") },
      cause: last,
      ...(last.retryAfterMs === undefined ? {} : { retryAfterMs: last.retryAfterMs }),
    });
  }
}

/** A provider's answer, whole. */
export interface Answer {
  message: ChatMessage;
  finishReason: FinishReason;
  usage?: ProviderUsage | undefined;
  model: string;
  logprobs?: TokenLogprob[] | undefined;
  stopSequence?: string | undefined;
}

/** Usage as reported; when a compatible server reports none, counted rather than billed as nothing. */
async function usageOf(
  model: ModelEntry,
  reported: ProviderUsage | undefined,
  messages: readonly ChatMessage[],
  answer: ChatMessage,
): Promise<Usage> {
  if (reported) return { ...reported, estimated: false };
  const usage: Usage = {
    inputTokens: (await countMessageTokens(messages, model.tokenizer)).tokens,
    outputTokens: await countTextTokens(answer.content, model.tokenizer),
    estimated: true,
  };
  if (answer.reasoning) {
    usage.reasoningTokens = await countTextTokens(answer.reasoning, model.tokenizer);
    usage.outputTokens += usage.reasoningTokens;
  }
  return usage;
}

/** The round's result from the answer that won: usage, cost at the deployment's prices, timings, attempts. */
export async function resultOf(
  call: CallContext,
  clock: Clock,
  model: ModelEntry,
  messages: readonly ChatMessage[],
  d: Deployment,
  answer: Answer,
  upstreamMs: number,
  attempts: AttemptRecord[],
  timeToFirstTokenMs?: number,
): Promise<ChatResult> {
  const usage = await usageOf(model, answer.usage, messages, answer.message);
  const latencyMs = clock.monotonic() - call.receivedAt;
  const out: ChatResult = {
    id: call.requestId,
    message: answer.message,
    finishReason: answer.finishReason,
    usage,
    costUsd: costOf(d, usage),
    provider: d.provider,
    model: answer.model,
    cacheStatus: "miss",
    latencyMs,
    gatewayOverheadMs: Math.max(0, latencyMs - upstreamMs),
    attempts,
  };
  if (timeToFirstTokenMs !== undefined) out.timeToFirstTokenMs = timeToFirstTokenMs;
  if (answer.logprobs) out.logprobs = answer.logprobs;
  if (answer.stopSequence) out.stopSequence = answer.stopSequence;
  return out;
}
