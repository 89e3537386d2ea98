import { scopeOf } from "../auth/tenants.js";
import type { Flights } from "../cache/flights.js";
import type { CacheHit, CachePlan, ResponseCache } from "../cache/response-cache.js";
import { cachedAnswerOf, type CachedAnswer } from "../cache/store.js";
import { callAbortedError, type CallContext } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { isGatewayError } from "../core/errors.js";
import type { CacheStatus, ChatResult, ChatStreamEvent } from "../core/types.js";
import { tracer } from "../telemetry.js";
import type { Round, RoundStage } from "./stage.js";

export interface CacheStageOptions {
  cache: ResponseCache;
  /** Identical cacheable calls in flight at once share one upstream call; absent turns that off. */
  flights?: Flights | undefined;
  clock: Clock;
}

/**
 * The response cache: an exact (or, when enabled, semantic) hit answers by
 * itself, replayed as the stream a provider would have sent; identical calls
 * in flight share one upstream call; a fresh answer is stored once it is
 * complete. The first event of every round says how the cache answered.
 */
export function cacheStage(options: CacheStageOptions): RoundStage {
  const { cache, flights, clock } = options;

  /** A result served without an upstream call of this caller's own: it costs nothing and made no attempts. */
  function served(call: CallContext, answer: CachedAnswer, status: CacheStatus, timeToFirstTokenMs?: number): ChatResult {
    const latencyMs = clock.monotonic() - call.receivedAt;
    const out: ChatResult = {
      id: call.requestId,
      message: answer.message,
      finishReason: answer.finishReason,
      usage: answer.usage,
      costUsd: 0,
      provider: answer.provider,
      model: answer.model,
      cacheStatus: status,
      latencyMs,
      gatewayOverheadMs: latencyMs,
      attempts: [],
      savedCostUsd: answer.costUsd,
    };
    if (timeToFirstTokenMs !== undefined) out.timeToFirstTokenMs = timeToFirstTokenMs;
    if (answer.logprobs) out.logprobs = answer.logprobs;
    if (answer.stopSequence) out.stopSequence = answer.stopSequence;
    return out;
  }

  /** What a caller that joined another's call gets: the same answer, its own id and timings, no cost. */
  function follower(call: CallContext, r: ChatResult, timeToFirstTokenMs?: number): ChatResult {
    const out = served(call, cachedAnswerOf(r, clock.now()), "coalesced", timeToFirstTokenMs);
    // It waited on the upstream like the first caller did: only its time beyond that is ours.
    out.gatewayOverheadMs = Math.min(out.latencyMs, r.gatewayOverheadMs);
    return out;
  }

  /** A cached answer as a stream: the text in word-sized deltas (one delta for a caller that collects), then the result. */
  function* replay(round: Round, p: CachePlan, hit: CacheHit): Generator<ChatStreamEvent> {
    const { call } = round;
    yield { type: "cache", status: hit.kind };
    yield { type: "answering", provider: hit.answer.provider };
    let firstAt: number | undefined;
    const { content: text, reasoning, reasoningSignature: signature } = hit.answer.message;
    // As the provider sent it: the reasoning first, as its own event (with its signature), then the text.
    if (reasoning) yield signature ? { type: "reasoning", text: reasoning, signature } : { type: "reasoning", text: reasoning };
    const logprobs = hit.answer.logprobs;
    // Text with logprobs goes out in one delta, with all of them: word-sized pieces would not match its tokens.
    const pieces = round.buffered || logprobs ? (text ? [text] : []) : deltasOf(text);
    for (const delta of pieces) {
      firstAt ??= clock.monotonic() - call.receivedAt;
      yield logprobs ? { type: "delta", text: delta, logprobs } : { type: "delta", text: delta };
    }
    const result = served(call, hit.answer, hit.kind, round.buffered ? undefined : firstAt);
    cache.record(p.tenant, result);
    yield { type: "done", result };
  }

  async function lookup(p: CachePlan, call: CallContext): Promise<CacheHit | undefined> {
    const span = tracer().startSpan("cache.lookup", { attributes: { "llm_gateway.cache.semantic": p.semantic !== undefined } }, call.otel);
    try {
      const hit = await cache.lookup(p);
      span.setAttribute("llm_gateway.cache.result", hit?.kind ?? "miss");
      return hit;
    } finally {
      span.end();
    }
  }

  return (next) => {
    /** Passes a fresh answer through and, once it is complete, stores it and settles a verification. */
    async function* storing(p: CachePlan, events: AsyncIterable<ChatStreamEvent>): AsyncGenerator<ChatStreamEvent> {
      for await (const event of events) {
        yield event;
        if (event.type === "done" && (p.store || p.explore)) await cache.store(p, event.result);
      }
    }

    return async function* cached(round: Round): AsyncGenerator<ChatStreamEvent> {
      const { call } = round;
      // A taken-over stream's answer is the rest of one begun elsewhere: neither served from nor stored in the cache.
      if (round.continueFrom) return yield* next(round);
      const p = cache.plan(round.request, round.model, scopeOf(call.tenant, round.request.user), round.upstream.maxTokens);
      const hit = p.mode === "lookup" ? await lookup(p, call) : undefined;
      if (hit) {
        yield* replay(round, p, hit);
        return;
      }
      let status: CacheStatus = p.mode === "lookup" ? "miss" : p.mode;
      let events: AsyncIterable<ChatStreamEvent>;
      // An explored candidate is not coalesced: its own fresh answer is what verification compares, and a
      // follower's run would never settle it.
      if (p.mode === "lookup" && flights && !p.explore) {
        // Callers that collect and callers that stream do not share a run: they want different events.
        const joined = flights.stream(`${p.flight}\u0000${round.buffered ? "u" : "s"}`, call.signal, (signal) =>
          storing(p, next({ ...round, call: detached(call, signal) })),
        );
        events = joined.events;
        if (!joined.leader) status = "coalesced";
      } else {
        events = p.store || p.explore ? storing(p, next(round)) : next(round);
      }
      yield { type: "cache", status };
      let firstDeltaAt: number | undefined;
      try {
        for await (const event of events) {
          if (event.type === "done") {
            const result = status === "coalesced" ? follower(call, event.result, firstDeltaAt) : { ...event.result, cacheStatus: status };
            cache.record(p.tenant, result);
            yield { type: "done", result };
          } else {
            if (event.type === "delta") firstDeltaAt ??= clock.monotonic() - call.receivedAt;
            yield event;
          }
        }
      } catch (err) {
        // A caller that stopped waiting on a coalesced call gets its own cancellation or deadline error.
        throw !isGatewayError(err) && call.signal.aborted ? callAbortedError(call, clock, err) : err;
      }
    };
  };
}

/**
 * The call a coalesced run makes upstream: the first caller's identity and
 * trace, but its own signal (aborted only when every caller has gone) and no
 * deadline of its own, since each caller's deadline ends only that caller's wait.
 */
export function detached(call: CallContext, signal: AbortSignal): CallContext {
  return { signal, requestId: call.requestId, receivedAt: call.receivedAt, tenant: call.tenant, otel: call.otel };
}

/** Splits an answer into deltas of whole words, about 32 characters each, as a provider would stream it. */
export function deltasOf(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const word of text.match(/\s*\S+\s*|\s+/g) ?? []) {
    current += word;
    if (current.length >= 32) {
      out.push(current);
      current = "";
    }
  }
  if (current) out.push(current);
  return out;
}
