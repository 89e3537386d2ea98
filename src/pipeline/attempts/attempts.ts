import type { Clock } from "../../core/clock.js";
import { GatewayError, isCallerEnded, isFallbackWorthy } from "../../core/errors.js";
import { invalidOutput, outputProblem } from "../../core/output-format.js";
import { countTextTokens } from "../../core/tokens.js";
import type { ChatMessage, ChatStreamEvent } from "../../core/types.js";
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
import { race, startRun } from "./race.js";
import { readWinner, type End, type Read } from "./read.js";
import { Continuation, notContinued, takenOver, whyNotContinued, type Delivered } from "./continuation.js";

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

/**
 * The innermost stage: routes the round, then tries deployments in order
 * (falling back, retrying, hedging, each attempt under its timeouts) until
 * one answers. Only this stage knows whether the caller reads the answer as
 * it comes or collects it: a streamed answer's deltas go out as they arrive;
 * a collected answer is read whole before anything goes out, so a deployment
 * failing mid-way is simply the next one's turn. A stream that fails after
 * its first text is continued by the next attempt, asked to go on from what
 * was delivered (continuation.ts); when it cannot be, the caller is told
 * (STREAM_INTERRUPTED), never handed a silent truncation.
 */
export function createAttempts(deps: AttemptsDeps): RoundHandler {
  const { clock, router } = deps;

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
    /** Set once a stream was cut after its first text: what the caller has, and how to go on from it. */
    let cont: Continuation | undefined = takenOver(round);
    for (let next = await schedule.next(); next; next = await schedule.next(failed)) {
      // A continuation goes only to deployments whose kind can continue: the others are passed over.
      const asked = cont ? cont.roundFor(round, next.deployment.providerKind) : round;
      if (!asked) {
        next.permit.release();
        failed = undefined;
        continue;
      }
      // A deployment at its concurrency cap is waited for while the deadline allows, else passed over.
      const held = await withSlot(next, asked, deps.queues, clock);
      if (held instanceof GatewayError) {
        ledger.record(next.deployment, next.permit, { kind: "failed", error: held, latencyMs: 0 });
        if (!isFallbackWorthy(held.reason) || call.signal.aborted) throw wasted.tag(unfinished(cont, held, call.signal.aborted));
        ledger.last = held;
        failed = undefined;
        continue;
      }
      const raceStarted = clock.monotonic();
      // A continuation is never hedged: two of them would race to splice onto the same text.
      const hedgeAfterMs = cont ? undefined : model.hedgeAfterMs;
      const r = await race(startRun(held, asked, deps), hedgeAfterMs, hedgingWithin(schedule, asked, deps.queues), asked, deps);
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
        if (!isFallbackWorthy(f.error.reason) || call.signal.aborted) throw wasted.tag(unfinished(cont, f.error, call.signal.aborted));
        ledger.last = f.error;
        failed = undefined;
        continue;
      }
      const { run } = r.winner;
      let read: Read = { ok: "gone" };
      try {
        read = yield* readWinner(run, r.winner.chunk, asked, clock, cont);
      } finally {
        // The caller stopped reading mid-answer: release the breaker without a verdict.
        if (read.ok === "gone") run.permit.release();
      }
      // The provider's part, including time the caller took to read deltas, is not the gateway's overhead.
      upstreamMs += clock.monotonic() - raceStarted;
      const latencyMs = clock.monotonic() - run.startedAt;
      if (read.ok === "gone") return;
      if (!read.ok) {
        const sent = cont ? joined(cont.delivered, read.sent) : read.sent;
        const chars = sent.text.length + sent.reasoning.length;
        // Before the first delta reached the caller, a failure is invisible and the next deployment may answer;
        // after it, the caller has part of an answer: the next attempt continues it, or the caller is told.
        const error = interrupted(read.error, chars, run.d.provider);
        ledger.record(run.d, run.permit, { kind: "failed", error, latencyMs });
        if (chars > 0) {
          if (isCallerEnded(error.reason) || call.signal.aborted || !isFallbackWorthy(read.error.reason)) throw wasted.tag(error);
          const why = whyNotContinued(round, sent);
          if (why) throw wasted.tag(notContinued(error, why));
          // What the cut attempt generated is billed: counted, since no provider reports usage before a stream's end.
          const output = await countTextTokens(read.sent.text + read.sent.reasoning, model.tokenizer);
          wasted.addCounted(run.d, { inputTokens: asked.promptTokens, outputTokens: output });
          cont = new Continuation(sent, cont ? cont.firstTokenAt : read.firstTokenAt, error);
          // The schedule sees the provider's own failure: it says whether the same deployment may be retried.
          failed = { deployment: run.d, error: read.error };
          continue;
        }
        if (!isFallbackWorthy(error.reason) || call.signal.aborted) throw error;
        ledger.last = error;
        failed = { deployment: run.d, error };
        continue;
      }
      const { end, logprobs } = read;
      const text = cont ? cont.delivered.text + read.text : read.text;
      const reasoning = cont ? cont.delivered.reasoning : read.reasoning;
      const firstTokenAt = cont ? cont.firstTokenAt : read.firstTokenAt;
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
        ttftMs: read.firstTokenAt === undefined ? undefined : read.firstTokenAt - run.startedAt,
        continued: cont !== undefined,
      });
      const message: ChatMessage = { role: "assistant", content: text };
      if (end.toolCalls) message.toolCalls = end.toolCalls;
      if (reasoning) message.reasoning = reasoning;
      if (end.reasoningSignature && !cont) message.reasoningSignature = end.reasoningSignature;
      if (round.buffered) {
        yield { type: "answering", provider: run.d.provider };
        if (reasoning) yield { type: "reasoning", text: reasoning };
        if (text) yield logprobs ? { type: "delta", text, logprobs } : { type: "delta", text };
      }
      const ttft = round.buffered || firstTokenAt === undefined ? undefined : firstTokenAt - call.receivedAt;
      // A continuation's usage is its own: unreported, it is counted on its own text, not on the whole answer.
      const usage =
        end.usage ??
        (cont ? { inputTokens: asked.promptTokens, outputTokens: await countTextTokens(read.text, model.tokenizer) } : undefined);
      const answer = { message, finishReason: end.finishReason, usage, model: end.model, logprobs, stopSequence: end.stopSequence };
      yield {
        type: "done",
        result: wasted.charge(await resultOf(call, clock, model, round.request.messages, run.d, answer, upstreamMs, ledger.attempts, ttft)),
      };
      return;
    }
    throw wasted.tag(unfinished(cont, ledger.exhausted(model, call, schedule.skipped), call.signal.aborted));
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

/** What the caller has once a continuation's own text is added. */
function joined(before: Delivered, after: Delivered): Delivered {
  return { text: before.text + after.text, reasoning: before.reasoning + after.reasoning, toolCall: after.toolCall };
}

/** The caller's error when no attempt is left: a stream being continued ends as it was cut, saying so. */
function unfinished(cont: Continuation | undefined, error: GatewayError, callerEnded: boolean): GatewayError {
  if (!cont || callerEnded) return error;
  return notContinued(cont.error, `no attempt to continue it succeeded; last: ${error.message}`);
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
