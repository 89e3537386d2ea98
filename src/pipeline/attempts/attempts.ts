import type { Clock } from "../../core/clock.js";
import { GatewayError, isCallerEnded, isFallbackWorthy } from "../../core/errors.js";
import { invalidOutput, outputProblem } from "../../core/output-format.js";
import type { ChatMessage, ChatStreamEvent, TokenLogprob } from "../../core/types.js";
import type { ProviderChunk } from "../../providers/provider.js";
import type { ProviderDeployment } from "../../providers/registry.js";
import type { Breakers } from "../../resilience/breakers.js";
import type { RetryBudget, RetryOptions } from "../../resilience/retry.js";
import { createAttemptSchedule, type AttemptSchedule } from "../../resilience/schedule.js";
import type { Router } from "../../routing/router.js";
import type { Deployment } from "../../core/catalog.js";
import type { Round, RoundHandler } from "../stage.js";
import { Ledger, resultOf, type LedgerDeps } from "./ledger.js";
import { Wasted } from "./wasted.js";
import type { Queues } from "../../queue/queues.js";
import { hedgingWithin, withSlot } from "./capacity.js";
import { nextAnswerChunk, race, startRun, type Run } from "./race.js";

export interface AttemptsDeps extends LedgerDeps {
  providers: ReadonlyMap<string, ProviderDeployment>;
  router: Router;
  breakers: Breakers;
  retry: RetryOptions;
  retryBudget: RetryBudget;
  clock: Clock;
  random: () => number;
  /** Concurrency caps of deployments (src/queue/); absent, none is enforced. */
  queues?: Queues | undefined;
}

type End = Extract<ProviderChunk, { type: "end" }>;

/** How reading the winning run ended. */
type Read =
  | { ok: true; end: End; text: string; reasoning: string; logprobs: TokenLogprob[] | undefined; firstTokenAt: number | undefined }
  /** It failed; `delivered` characters of it (reasoning and text) had already reached the caller. */
  | { ok: false; error: GatewayError; delivered: number }
  /** The caller stopped reading: no verdict either way. */
  | { ok: "gone" };

/**
 * The innermost stage: routes the round, then tries deployments in order
 * (falling back, retrying, hedging, each attempt under its timeouts) until
 * one answers. Only this stage knows whether the caller reads the answer as
 * it comes or collects it: a streamed answer's deltas go out as they arrive,
 * and a failure after the first one can no longer be hidden
 * (STREAM_INTERRUPTED); a collected answer is read whole before anything
 * goes out, so a deployment failing mid-way is simply the next one's turn.
 */
export function createAttempts(deps: AttemptsDeps): RoundHandler {
  const { clock, router } = deps;

  /** Reads the winner to its end, passing deltas on at once unless the caller collects the answer. */
  async function* readWinner(run: Run, first: IteratorResult<ProviderChunk>, round: Round): AsyncGenerator<ChatStreamEvent, Read> {
    let text = "";
    let reasoning = "";
    let logprobs: TokenLogprob[] | undefined;
    let firstTokenAt: number | undefined;
    let end: End | undefined;
    let settled = false;
    try {
      if (!round.buffered) yield { type: "answering", provider: run.d.provider };
      for (let r = first; !r.done; r = await nextAnswerChunk(run)) {
        const chunk = r.value;
        if (chunk.type === "end") {
          end = chunk;
          continue;
        }
        if (chunk.type === "progress") {
          // A tool call has begun: the answer is coming, though not as text.
          run.scope.firstToken();
          continue;
        }
        if (chunk.type === "reasoning") {
          // The model thinks before it answers: its first token has come, though the answer's text has not.
          run.scope.firstToken();
          reasoning += chunk.text;
          if (!round.buffered) {
            run.scope.holding(true);
            yield chunk.signature
              ? { type: "reasoning", text: chunk.text, signature: chunk.signature }
              : { type: "reasoning", text: chunk.text };
            run.scope.holding(false);
          }
          continue;
        }
        if (chunk.type !== "delta") continue;
        if (firstTokenAt === undefined) {
          firstTokenAt = clock.monotonic();
          run.scope.firstToken();
        }
        text += chunk.text;
        if (chunk.logprobs) (logprobs ??= []).push(...chunk.logprobs);
        if (!round.buffered) {
          run.scope.holding(true);
          yield chunk.logprobs ? { type: "delta", text: chunk.text, logprobs: chunk.logprobs } : { type: "delta", text: chunk.text };
          run.scope.holding(false);
        }
      }
      settled = true;
      if (end) {
        run.scope.answered({
          model: end.model,
          inputTokens: end.usage?.inputTokens,
          outputTokens: end.usage?.outputTokens,
          finishReason: end.finishReason,
        });
        return { ok: true, end, text, reasoning, logprobs, firstTokenAt };
      }
      // The SDKs end a stream quietly when its signal aborts: whoever aborted it (the caller, its deadline,
      // a shutdown, our own timeout) says whose failure this is, not the provider's silence.
      const error = run.scope.signal.aborted
        ? run.scope.classify(run.scope.signal.reason)
        : new GatewayError("UPSTREAM_UNAVAILABLE", `${run.d.provider}: the stream ended without a finish reason`, {
            metadata: { provider: run.d.provider },
          });
      return { ok: false, error, delivered: round.buffered ? 0 : text.length + reasoning.length };
    } catch (err) {
      settled = true;
      return { ok: false, error: run.scope.classify(err), delivered: round.buffered ? 0 : text.length + reasoning.length };
    } finally {
      run.scope.dispose();
      // A caller that stops reading ends this generator here: close the upstream stream.
      if (!settled) run.it.return?.().catch(() => {});
    }
  }

  return async function* attempts(round: Round): AsyncGenerator<ChatStreamEvent> {
    const { model, call } = round;
    const order = carriers(router.route(model, round.request, !round.buffered), round, deps.providers);
    const schedule: AttemptSchedule = createAttemptSchedule({
      order,
      breakers: deps.breakers,
      retry: deps.retry,
      budget: deps.retryBudget,
      clock,
      call,
      random: deps.random,
    });
    const ledger = new Ledger(deps);
    const wasted = new Wasted();
    let upstreamMs = 0;
    let failed: Parameters<AttemptSchedule["next"]>[0];
    for (let next = await schedule.next(); next; next = await schedule.next(failed)) {
      // A deployment at its concurrency cap is waited for while the deadline allows, else passed over.
      const held = await withSlot(next, round, deps.queues, clock);
      if (held instanceof GatewayError) {
        ledger.record(next.deployment, next.permit, { kind: "failed", error: held, latencyMs: 0 });
        if (!isFallbackWorthy(held.reason) || call.signal.aborted) throw held;
        ledger.last = held;
        failed = undefined;
        continue;
      }
      const raceStarted = clock.monotonic();
      const r = await race(startRun(held, round, deps), model.hedgeAfterMs, hedgingWithin(schedule, round, deps.queues), round, deps);
      for (const f of r.failures) {
        f.run.scope.dispose();
        ledger.record(f.run.d, f.run.permit, { kind: "failed", error: f.error, latencyMs: clock.monotonic() - f.run.startedAt });
        // Every racer's failure counts for retries, not only the last one's.
        schedule.failed({ deployment: f.run.d, error: f.error });
      }
      for (const run of r.lost) ledger.record(run.d, run.permit, { kind: "lost", latencyMs: clock.monotonic() - run.startedAt });
      if (!r.winner) {
        upstreamMs += clock.monotonic() - raceStarted;
        const f = r.failures.at(-1);
        if (!f) break;
        if (!isFallbackWorthy(f.error.reason) || call.signal.aborted) throw f.error;
        ledger.last = f.error;
        failed = undefined;
        continue;
      }
      const { run } = r.winner;
      let read: Read = { ok: "gone" };
      try {
        read = yield* readWinner(run, r.winner.chunk, round);
      } finally {
        // The caller stopped reading mid-answer: release the breaker without a verdict.
        if (read.ok === "gone") run.permit.release();
      }
      // The provider's part, including time the caller took to read deltas, is not the gateway's overhead.
      upstreamMs += clock.monotonic() - raceStarted;
      const latencyMs = clock.monotonic() - run.startedAt;
      if (read.ok === "gone") return;
      if (!read.ok) {
        // Before the first delta reached the caller, a failure is invisible and the next deployment may answer;
        // after it, the caller has part of an answer and must be told, never handed a silent truncation.
        const error = interrupted(read.error, read.delivered, run.d.provider);
        ledger.record(run.d, run.permit, { kind: "failed", error, latencyMs });
        if (read.delivered > 0 || !isFallbackWorthy(error.reason) || call.signal.aborted) throw error;
        ledger.last = error;
        failed = { deployment: run.d, error };
        continue;
      }
      const { end, text, reasoning, logprobs, firstTokenAt } = read;
      const problem = await formatProblem(round, end, text);
      if (problem) {
        // Never passed off as what was asked for: another attempt may conform; a streamed answer already
        // sent ends with the error instead of a completion. An answer cut at max_tokens would be cut again.
        const cut = end.finishReason === "length";
        const error = invalidOutput(
          run.d.provider,
          cut ? `the answer was cut at max_tokens (${round.upstream.maxTokens}) before it was complete: ${problem}` : problem,
        );
        ledger.record(run.d, run.permit, { kind: "failed", error, latencyMs });
        wasted.add(run.d, end.usage, round.promptTokens, text);
        if (!round.buffered || cut || call.signal.aborted) throw wasted.tag(error);
        ledger.last = error;
        failed = { deployment: run.d, error };
        continue;
      }
      ledger.record(run.d, run.permit, {
        kind: "answered",
        latencyMs,
        ttftMs: firstTokenAt === undefined ? undefined : firstTokenAt - run.startedAt,
      });
      const message: ChatMessage = { role: "assistant", content: text };
      if (end.toolCalls) message.toolCalls = end.toolCalls;
      if (reasoning) message.reasoning = reasoning;
      if (end.reasoningSignature) message.reasoningSignature = end.reasoningSignature;
      if (round.buffered) {
        yield { type: "answering", provider: run.d.provider };
        if (reasoning) yield { type: "reasoning", text: reasoning };
        if (text) yield logprobs ? { type: "delta", text, logprobs } : { type: "delta", text };
      }
      const ttft = round.buffered || firstTokenAt === undefined ? undefined : firstTokenAt - call.receivedAt;
      const answer = {
        message,
        finishReason: end.finishReason,
        usage: end.usage,
        model: end.model,
        logprobs,
        stopSequence: end.stopSequence,
      };
      yield {
        type: "done",
        result: wasted.charge(await resultOf(call, clock, model, round.request.messages, run.d, answer, upstreamMs, ledger.attempts, ttft)),
      };
      return;
    }
    throw wasted.tag(ledger.exhausted(model, call, schedule.skipped));
  };
}

/**
 * The deployments whose provider can carry the round's request, in routing order: a field one provider
 * cannot take (Anthropic has no logprobs, OpenAI no pass-through body) routes around it rather than failing
 * the call. When none can, the first one's refusal names the field.
 */
function carriers(order: Deployment[], round: Round, providers: AttemptsDeps["providers"]): Deployment[] {
  // One deployment has no other to route to: its provider refuses in stream(), before any call, as check() would.
  if (order.length < 2) return order;
  let refusal: unknown;
  const usable = order.filter((d) => {
    const check = providers.get(d.provider)?.provider.check;
    if (!check) return true;
    try {
      check({ ...round.upstream, model: d.upstreamModel });
      return true;
    } catch (err) {
      refusal ??= err;
      return false;
    }
  });
  if (usable.length === 0 && refusal !== undefined) throw refusal;
  return usable;
}

/** Why an answer does not conform to the round's response format; an answer asking for tools is not checked. */
async function formatProblem(round: Round, end: End, text: string): Promise<string | undefined> {
  const format = round.request.responseFormat;
  if (!format || end.finishReason === "tool_calls" || (end.toolCalls?.length ?? 0) > 0) return undefined;
  return outputProblem(format, text);
}

/**
 * Once text has reached the caller, a failure can no longer be hidden or
 * retried: it becomes STREAM_INTERRUPTED, saying how much was delivered, so
 * that no caller mistakes a cut stream for a whole answer. The caller's own
 * ending (cancel, deadline, shutdown) stays what it is.
 */
function interrupted(error: GatewayError, delivered: number, provider: string): GatewayError {
  if (delivered === 0 || isCallerEnded(error.reason)) return error;
  return new GatewayError("STREAM_INTERRUPTED", `${provider}: stream failed after ${delivered} characters: ${error.message}`, {
    metadata: { ...error.metadata, provider, delivered_chars: String(delivered), upstream_reason: error.reason },
    cause: error,
  });
}
