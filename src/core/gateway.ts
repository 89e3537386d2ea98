import type { Flights } from "../cache/flights.js";
import type { CacheHit, CachePlan, ResponseCache } from "../cache/response-cache.js";
import { cachedAnswerOf, type CachedAnswer } from "../cache/store.js";
import type { Continuation, Sessions } from "../sessions/sessions.js";
import { completeWithTools, planTools, streamWithTools, type ToolLoop, type ToolPlan } from "../tools/loop.js";
import type { ToolContext, Tools } from "../tools/registry.js";
import type { ProviderChunk, ProviderRequest, ProviderUsage } from "../providers/provider.js";
import type { ProviderDeployment } from "../providers/registry.js";
import type { Breakers, Permit } from "../resilience/breakers.js";
import type { LimitSettings, RateLimiter, Reservation } from "../limits/limiter.js";
import { assertModelAllowed, principalOf, scopeOf } from "../auth/tenants.js";
import type { Logger } from "../log.js";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import { tracer } from "../telemetry.js";
import { dayOf, monthOf, type UsageStore } from "../usage/store.js";
import type { RetryBudget, RetryOptions } from "../resilience/retry.js";
import { createAttemptSchedule, type AttemptSchedule, type Scheduled } from "../resilience/schedule.js";
import type { Router } from "../routing/router.js";
import type { DeploymentStatsTracker } from "../routing/stats.js";
import { callAbortedError, openAttempt, type AttemptScope, type CallContext } from "./attempt.js";
import { costOf, type Catalog, type Deployment, type ModelEntry } from "./catalog.js";
import type { Clock } from "./clock.js";
import { GatewayError, isCallerEnded, isFallbackWorthy, isGatewayError, isProviderFault } from "./errors.js";
import type { HealthMonitor } from "./health.js";
import { countMessageTokens, countTextTokens, estimatePromptTokens, type TokenCount } from "./tokens.js";
import type { AttemptRecord, CacheStatus, ChatMessage, ChatRequest, ChatResult, ChatStreamEvent, FinishReason, Usage } from "./types.js";
import { validateChatRequest } from "./validate.js";

export type { CallContext, CallReport } from "./attempt.js";

/** The core every transport calls: one pipeline for unary and streamed completions. */
export interface Gateway {
  readonly catalog: Catalog;
  readonly health: HealthMonitor;
  readonly stats: DeploymentStatsTracker;
  readonly breakers: Breakers;
  readonly cache: ResponseCache;
  complete(request: ChatRequest, call: CallContext): Promise<ChatResult>;
  /** Yields one "cache" event, text deltas, then exactly one "done"; throws a GatewayError if the call fails. */
  stream(request: ChatRequest, call: CallContext): AsyncIterable<ChatStreamEvent>;
  /** Counts a prompt's tokens for a model the caller may use. */
  countTokens(model: string, messages: readonly ChatMessage[], call: CallContext): Promise<TokenCount & { model: string }>;
  /** Resolves a model name for a caller, refusing models its tenant may not use. */
  resolveModel(name: string, call: CallContext): ModelEntry;
}

/** What the gateway is built from; everything is made once at start-up. */
export interface GatewayOptions {
  catalog: Catalog;
  providers: ReadonlyMap<string, ProviderDeployment>;
  router: Router;
  stats: DeploymentStatsTracker;
  breakers: Breakers;
  retry: RetryOptions;
  retryBudget: RetryBudget;
  limiter: RateLimiter;
  limits: LimitSettings;
  health: HealthMonitor;
  cache: ResponseCache;
  sessions: Sessions;
  /** The tool registry. */
  tools: Tools;
  /** Most model rounds of a server-side tool loop. */
  maxToolRounds?: number;
  /** Told of every answered model call (for metrics). */
  onCompleted?: ((model: ModelEntry, result: ChatResult, call: CallContext) => void) | undefined;
  /** Told of every call refused by a limit or budget (for metrics). */
  onRefused?: ((limit: string) => void) | undefined;
  /** Log each completion's messages and answer (config log.prompts). */
  logPrompts?: boolean | undefined;
  /** Usage totals and budgets. */
  usage: UsageStore;
  logger?: Logger | undefined;
  /** Identical cacheable calls in flight at once share one upstream call; absent turns that off. */
  flights?: Flights | undefined;
  clock: Clock;
  random?: () => number;
}

type Answer = { message: ChatMessage; finishReason: FinishReason; usage?: ProviderUsage | undefined; model: string };

/** How one started unary attempt ended. */
type Outcome =
  | { ok: true; d: Deployment; permit: Permit; answer: Answer; took: number }
  | { ok: false; d: Deployment; permit: Permit; error: GatewayError; took: number };

/** A stream attempt in flight. */
interface StreamRun {
  d: Deployment;
  permit: Permit;
  attempt: AttemptScope;
  it: AsyncIterator<ProviderChunk>;
  started: number;
}

/** How a stream attempt's first read ended. */
type FirstChunk = { run: StreamRun; chunk: IteratorResult<ProviderChunk> } | { run: StreamRun; error: GatewayError };

/** A unary attempt in flight. */
interface Running {
  done: Promise<Outcome>;
  abandon(): void;
}

/** Builds the core pipeline. */
export function createGateway(options: GatewayOptions): Gateway {
  const { catalog, providers, router, stats, breakers, health, clock, limiter, limits, cache, flights, sessions, usage, tools } = options;
  const maxToolRounds = options.maxToolRounds ?? 8;
  const toolPlanOf = (request: ChatRequest): ToolPlan | undefined => planTools(request, tools, maxToolRounds);
  const random = options.random ?? Math.random;
  const limitedBy = (l: LimitSettings) => l.requestsPerMinute !== undefined || l.requestsPerHour !== undefined || l.tokensPerMinute !== undefined;
  const unlimited: Reservation = { reconcile: async () => {} };

  /** Checks the caller's limits, reserving the tokens the call may use (prompt estimate plus max_tokens). */
  async function admit(request: ChatRequest, call: CallContext, maxTokens: number): Promise<Reservation> {
    // A tenant's own limits replace the gateway-wide ones.
    const applied = call.tenant?.limits ?? limits;
    if (!limitedBy(applied)) return unlimited;
    const admission = await limiter.admit(scopeOfCall(request, call), estimatePromptTokens(request.messages) + maxTokens, applied);
    if (admission.admitted) return admission.reservation;
    options.onRefused?.(admission.limit);
    const what = { rpm: "requests per minute", rph: "requests per hour", tpm: "tokens per minute" }[admission.limit];
    throw new GatewayError("RATE_LIMITED", `rate limit reached: ${what}; retry in ${Math.ceil(admission.retryAfterMs / 1000)} s`, {
      metadata: { limit: admission.limit },
      retryAfterMs: admission.retryAfterMs,
    });
  }

  type Spend = { settle(actualMicros: number): Promise<void> };
  const noSpend: Spend = { settle: async () => {} };
  const micros = (usd: number) => Math.round(usd * 1_000_000);

  /**
   * Reserves the most a call can cost against its tenant's budget: the
   * prompt estimate and max_tokens at the dearest deployment's prices.
   * Refused when that would pass the daily or monthly cap.
   */
  async function reserveBudget(request: ChatRequest, call: CallContext, model: ModelEntry, maxTokens: number): Promise<Spend> {
    const budget = call.tenant?.budget;
    if (!budget || (budget.dailyUsd === undefined && budget.monthlyUsd === undefined)) return noSpend;
    const tokens = { inputTokens: estimatePromptTokens(request.messages), outputTokens: maxTokens };
    const most = Math.max(...model.deployments.map((d) => costOf(d, tokens)));
    const now = clock.now();
    // Money is not spent on a guess: if the store cannot answer, the call waits for it.
    const admission = await usage
      .reserve(call.tenant!.name, dayOf(now), monthOf(now), micros(most), {
        dailyMicros: budget.dailyUsd === undefined ? undefined : micros(budget.dailyUsd),
        monthlyMicros: budget.monthlyUsd === undefined ? undefined : micros(budget.monthlyUsd),
      })
      .catch((err: unknown) => {
        throw new GatewayError("LIMITER_UNAVAILABLE", "the budget cannot be checked right now; retry shortly", { cause: err, retryAfterMs: 1000 });
      });
    if (admission.admitted) return admission;
    options.onRefused?.(`budget_${admission.period}`);
    const next = new Date(now);
    const reset = admission.period === "daily" ? Date.UTC(next.getUTCFullYear(), next.getUTCMonth(), next.getUTCDate() + 1) : Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 1);
    throw new GatewayError(
      "BUDGET_EXCEEDED",
      `tenant "${call.tenant!.name}" has reached its ${admission.period} budget of $${(admission.capMicros / 1e6).toFixed(2)} (this call could cost up to $${most.toFixed(4)})`,
      { metadata: { period: admission.period, spent_usd: (admission.spentMicros / 1e6).toFixed(6), budget_usd: (admission.capMicros / 1e6).toFixed(6) }, retryAfterMs: reset - now },
    );
  }

  /** The cache lookup, as a span of its own. */
  async function lookup(plan: CachePlan, call: CallContext): Promise<CacheHit | undefined> {
    const span = tracer().startSpan("cache.lookup", { attributes: { "llm_gateway.cache.semantic": plan.semantic !== undefined } }, call.otel);
    try {
      const hit = await cache.lookup(plan);
      span.setAttribute("llm_gateway.cache.result", hit?.kind ?? "miss");
      return hit;
    } finally {
      span.end();
    }
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

  /** Adds a finished call to its day's totals, streams included; a store failure is logged, never the caller's. */
  function recordUsage(request: ChatRequest, call: CallContext, model: ModelEntry, result: ChatResult): void {
    annotate(request, call, model, result);
    const report = call.report;
    if (report) {
      report.model = model.name;
      report.provider = result.provider;
      report.cache = result.cacheStatus;
      report.input_tokens = (report.input_tokens ?? 0) + result.usage.inputTokens;
      report.output_tokens = (report.output_tokens ?? 0) + result.usage.outputTokens;
      report.cost_usd = (report.cost_usd ?? 0) + result.costUsd;
      if (Object.keys(request.metadata).length > 0) report.metadata = request.metadata;
    }
    if (options.logPrompts) {
      options.logger?.info("completion content", { request_id: call.requestId, model: model.name, messages: request.messages, answer: result.message });
    }
    options.onCompleted?.(model, result, call);
    const saved = result.savedCostUsd !== undefined;
    const tokens = result.usage.inputTokens + result.usage.outputTokens;
    usage
      .add({
        tenant: scopeOfCall(request, call),
        user: request.user,
        model: model.name,
        day: dayOf(clock.now()),
        requests: 1,
        inputTokens: saved ? 0 : result.usage.inputTokens,
        outputTokens: saved ? 0 : result.usage.outputTokens,
        costMicros: micros(result.costUsd),
        savedTokens: saved ? tokens : 0,
        savedMicros: saved ? micros(result.savedCostUsd ?? 0) : 0,
      })
      .catch((err: unknown) => options.logger?.warn("usage not recorded", { error: err instanceof Error ? err.message : String(err) }));
  }

  /** Settles a reservation without holding up the answer; a store failure here only loses accuracy. */
  function settle(reservation: Reservation, tokens: number): void {
    if (reservation !== unlimited) reservation.reconcile(tokens).catch(() => {});
  }

  const scopeOfCall = (request: ChatRequest, call: CallContext): string => scopeOf(call.tenant, request.user);
  const principalOfCall = (request: ChatRequest, call: CallContext): string => principalOf(call.tenant, request.user);
  const statusOf = (plan: CachePlan): CacheStatus => (plan.mode === "lookup" ? "miss" : plan.mode);

  /**
   * The call a coalesced run makes upstream: the first caller's identity and trace,
   * but its own signal (aborted only when every caller has gone) and no
   * deadline of its own, since each caller's deadline ends only that caller's wait.
   */
  const detached = (call: CallContext, signal: AbortSignal): CallContext => ({
    signal,
    requestId: call.requestId,
    receivedAt: call.receivedAt,
    tenant: call.tenant,
    // The shared call's spans belong to the first caller's trace.
    otel: call.otel,
  });

  /** A caller that stopped waiting on a coalesced call gets its own cancellation or deadline error. */
  const abortedWait = (call: CallContext, err: unknown): unknown =>
    !isGatewayError(err) && call.signal.aborted ? callAbortedError(call, clock, err) : err;

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
    return out;
  }

  /** What a caller that joined another's call gets: the same answer, its own id and timings, no cost. */
  function follower(call: CallContext, r: ChatResult, timeToFirstTokenMs?: number): ChatResult {
    const out = served(call, cachedAnswerOf(r, clock.now()), "coalesced", timeToFirstTokenMs);
    // It waited on the upstream like the first caller did: only its time beyond that is ours.
    out.gatewayOverheadMs = Math.min(out.latencyMs, r.gatewayOverheadMs);
    return out;
  }

  /** A cached answer as a stream: the cache event, the text in word-sized deltas, then the result. */
  function* replayEvents(call: CallContext, hit: CacheHit): Generator<ChatStreamEvent> {
    yield { type: "cache", status: hit.kind };
    yield { type: "answering", provider: hit.answer.provider };
    let firstAt: number | undefined;
    for (const text of deltasOf(hit.answer.message.content)) {
      firstAt ??= clock.monotonic() - call.receivedAt;
      yield { type: "delta", text };
    }
    yield { type: "done", result: served(call, hit.answer, hit.kind, firstAt) };
  }

  /** Passes a stream through and stores its answer once it is complete. */
  async function* storing(plan: CachePlan, events: AsyncIterable<ChatStreamEvent>): AsyncGenerator<ChatStreamEvent> {
    for await (const event of events) {
      yield event;
      if (event.type === "done") await cache.store(plan, event.result);
    }
  }

  const scheduleFor = (order: readonly Deployment[], call: CallContext): AttemptSchedule =>
    createAttemptSchedule({ order, breakers, retry: options.retry, budget: options.retryBudget, clock, call, random });

  /** Resolves and checks a request. Routing waits until the cache has missed: a hit needs no deployment. */
  function resolveModel(name: string, call: CallContext): ModelEntry {
    const model = catalog.resolve(name);
    assertModelAllowed(call.tenant, model.name);
    return model;
  }

  async function prepare(request: ChatRequest, call: CallContext, streaming: boolean): Promise<{ model: ModelEntry; upstream: Omit<ProviderRequest, "model"> }> {
    const model = resolveModel(request.model, call);
    await validateChatRequest(request, model, streaming);
    const upstream: Omit<ProviderRequest, "model"> = {
      messages: request.messages,
      maxTokens: request.maxTokens ?? model.maxOutputTokens,
      stop: request.stop,
    };
    if (request.temperature !== undefined) upstream.temperature = request.temperature;
    if (request.topP !== undefined) upstream.topP = request.topP;
    if (request.seed !== undefined) upstream.seed = request.seed;
    if (request.user) upstream.user = request.user;
    const plan = toolPlanOf(request);
    if (plan) {
      upstream.tools = plan.definitions;
      if (request.toolChoice) upstream.toolChoice = request.toolChoice;
    }
    return { model, upstream };
  }

  function providerOf(d: Deployment): ProviderDeployment {
    const p = providers.get(d.provider);
    if (!p) throw new GatewayError("INTERNAL", `provider "${d.provider}" was not built`);
    return p;
  }

  function recordFailure(d: Deployment, permit: Permit, error: GatewayError, attempts: AttemptRecord[], latencyMs: number): void {
    attempts.push({ provider: d.provider, model: d.upstreamModel, errorReason: error.reason, errorMessage: error.message, latencyMs });
    if (isProviderFault(error.reason)) {
      stats.recordFailure(d.id, error.message);
      permit.failure();
    } else {
      permit.release();
    }
    health.recordFailure(d.provider, error);
  }

  /** The loser of a hedge race: listed, but it says nothing about its deployment. */
  function recordLost(d: Deployment, permit: Permit, attempts: AttemptRecord[], latencyMs: number): void {
    attempts.push({ provider: d.provider, model: d.upstreamModel, errorReason: "CANCELLED", errorMessage: "another attempt answered first", latencyMs });
    permit.release();
  }

  function recordSuccess(d: Deployment, permit: Permit, attempts: AttemptRecord[], latencyMs: number, ttftMs?: number): void {
    attempts.push({ provider: d.provider, model: d.upstreamModel, latencyMs });
    stats.recordSuccess(d.id, latencyMs, ttftMs);
    permit.success();
    health.recordSuccess(d.provider);
  }

  /**
   * The error a caller gets once no deployment is left: the only failure, a
   * summary of all, or, when open breakers let nothing through, a fast
   * refusal saying when to come back.
   */
  function exhausted(model: ModelEntry, call: CallContext, attempts: AttemptRecord[], last: GatewayError | undefined, skipped: readonly Deployment[]): GatewayError {
    if (call.signal.aborted) return callAbortedError(call, clock, last);
    if (!last) {
      const retryAfterMs = Math.min(...skipped.map((d) => breakers.retryAfterMs(d.id)));
      return new GatewayError("CIRCUIT_OPEN", `every deployment of model "${model.name}" is failing; their circuit breakers are open`, {
        metadata: { model: model.name, open: skipped.map((d) => d.provider).join(",") },
        retryAfterMs,
      });
    }
    if (attempts.length <= 1) return last;
    return new GatewayError("UPSTREAM_UNAVAILABLE", `all ${attempts.length} attempts for model "${model.name}" failed; last: ${last.message}`, {
      metadata: { model: model.name, attempts: attempts.map((a) => `${a.provider}:${a.errorReason}`).join(",") },
      cause: last,
      ...(last.retryAfterMs === undefined ? {} : { retryAfterMs: last.retryAfterMs }),
    });
  }

  async function usageOf(model: ModelEntry, reported: ProviderUsage | undefined, messages: readonly ChatMessage[], output: string): Promise<Usage> {
    if (reported) return { ...reported, estimated: false };
    // Some compatible servers report no usage; count rather than bill nothing.
    return {
      inputTokens: (await countMessageTokens(messages, model.tokenizer)).tokens,
      outputTokens: await countTextTokens(output, model.tokenizer),
      estimated: true,
    };
  }

  async function result(
    call: CallContext,
    request: ChatRequest,
    model: ModelEntry,
    d: Deployment,
    answer: Answer,
    upstreamMs: number,
    attempts: AttemptRecord[],
    timeToFirstTokenMs?: number,
  ): Promise<ChatResult> {
    const usage = await usageOf(model, answer.usage, request.messages, answer.message.content);
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
    return out;
  }

  /** Starts one unary attempt; its outcome never rejects. */
  function startUnary(next: Scheduled, upstream: Omit<ProviderRequest, "model">, call: CallContext): Running {
    const { deployment: d, permit } = next;
    const deployment = providerOf(d);
    const attempt = openAttempt(deployment, call, clock, false, d.upstreamModel);
    const started = clock.monotonic();
    const done: Promise<Outcome> = deployment.provider
      .complete({ ...upstream, model: d.upstreamModel }, attempt.signal)
      .then(
        (answer): Outcome => {
          attempt.answered({ model: answer.model, inputTokens: answer.usage?.inputTokens, outputTokens: answer.usage?.outputTokens, finishReason: answer.finishReason });
          return { ok: true, d, permit, answer, took: clock.monotonic() - started };
        },
        (err: unknown): Outcome => ({ ok: false, d, permit, error: attempt.classify(err), took: clock.monotonic() - started }),
      )
      .finally(() => attempt.dispose());
    return { done, abandon: () => attempt.abandon() };
  }

  /**
   * Waits for an attempt; with hedging on, starts the next deployment as well
   * if the first has not answered within `hedgeAfterMs`. The first success
   * wins and the others are abandoned (their upstream requests aborted); a
   * failure leaves the other racer to finish. Returns every settled outcome.
   */
  async function raceUnary(
    first: Running,
    hedgeAfterMs: number | undefined,
    schedule: AttemptSchedule,
    upstream: Omit<ProviderRequest, "model">,
    call: CallContext,
  ): Promise<{ settled: Outcome[] }> {
    if (hedgeAfterMs === undefined) return { settled: [await first.done] };
    const pending = new Set([first]);
    const settled: Outcome[] = [];
    const stopTimer = new AbortController();
    let timer: Promise<"hedge" | "off"> | undefined = clock
      .sleep(hedgeAfterMs, AbortSignal.any([call.signal, stopTimer.signal]))
      .then(() => "hedge" as const, () => "off" as const);
    try {
      while (pending.size > 0) {
        const racers: Promise<"hedge" | "off" | { r: Running; o: Outcome }>[] = [...pending].map((r) => r.done.then((o) => ({ r, o })));
        if (timer) racers.push(timer);
        const first = await Promise.race(racers);
        if (first === "hedge" || first === "off") {
          timer = undefined;
          const next = first === "hedge" ? await schedule.next() : undefined;
          if (next) pending.add(startUnary(next, upstream, call));
          continue;
        }
        pending.delete(first.r);
        settled.push(first.o);
        if (first.o.ok || !isFallbackWorthy(first.o.error.reason)) {
          for (const r of pending) r.abandon();
          settled.push(...(await Promise.all([...pending].map((r) => r.done))));
          return { settled };
        }
        // A failure before the hedge fired: no race to run, the caller's loop falls back as usual.
        if (pending.size === 0) timer = undefined;
      }
      return { settled };
    } finally {
      stopTimer.abort();
    }
  }

  return {
    catalog,
    health,
    stats,
    breakers,

    cache,

    async complete(request, call) {
      if (!request.sessionId) return completeTools(request, call);
      const session = await continueSession(request, call);
      const result = await completeTools(session.request, call);
      await session.record([...(result.toolTurns ?? []), result.message]);
      return result;
    },

    async *stream(request, call) {
      if (!request.sessionId) {
        yield* streamTools(request, call);
        return;
      }
      const session = await continueSession(request, call);
      for await (const event of streamTools(session.request, call)) {
        // The turn is recorded before the caller hears the stream is complete: a failure to record is its error.
        if (event.type === "done") await session.record([...(event.result.toolTurns ?? []), event.result.message]);
        yield event;
      }
    },

    async countTokens(name, messages, call) {
      const model = resolveModel(name, call);
      return { ...(await countMessageTokens(messages, model.tokenizer)), model: model.name };
    },

    resolveModel,
  };

  function toolLoop(request: ChatRequest, plan: ToolPlan, call: CallContext): ToolLoop {
    const context: ToolContext = { owner: principalOfCall(request, call), sessionId: request.sessionId };
    // Each tool call a span of its own, under the call's.
    const traced: Tools = {
      ...tools,
      async call(name, argumentsJson, ctx, signal) {
        const span = tracer().startSpan(`execute_tool ${name}`, { attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name } }, call.otel);
        const outcome = await tools.call(name, argumentsJson, ctx, signal);
        if (outcome.isError) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.output });
        span.setAttribute("llm_gateway.tool.latency_ms", outcome.latencyMs);
        span.end();
        return outcome;
      },
    };
    return { request, plan, context, signal: call.signal, receivedAt: call.receivedAt, tools: traced, now: () => clock.monotonic() };
  }

  /** A completion, with the gateway running the tools it offers when the model calls them. */
  function completeTools(request: ChatRequest, call: CallContext): Promise<ChatResult> {
    const plan = toolPlanOf(request);
    if (!plan || plan.serverSide.size === 0) return completeOne(request, call);
    return completeWithTools(toolLoop(request, plan, call), (r) => completeOne(r, call));
  }

  function streamTools(request: ChatRequest, call: CallContext): AsyncIterable<ChatStreamEvent> {
    const plan = toolPlanOf(request);
    if (!plan || plan.serverSide.size === 0) return streamOne(request, call);
    return streamWithTools(toolLoop(request, plan, call), (r) => streamOne(r, call));
  }

  function continueSession(request: ChatRequest, call: CallContext): Promise<Continuation> {
    return sessions.continue(request as ChatRequest & { sessionId: string }, principalOfCall(request, call));
  }

  async function completeOne(request: ChatRequest, call: CallContext): Promise<ChatResult> {
    const { model, upstream } = await prepare(request, call, false);
    const reservation = await admit(request, call, upstream.maxTokens);
    let spend = noSpend;
    const plan = cache.plan(request, model, scopeOfCall(request, call), upstream.maxTokens);
    try {
      spend = await reserveBudget(request, call, model, upstream.maxTokens);
      const hit = plan.mode === "lookup" ? await lookup(plan, call) : undefined;
      if (hit) {
        settle(reservation, 0);
        void spend.settle(0).catch(() => {});
        const answer = served(call, hit.answer, hit.kind);
        cache.record(plan.tenant, answer);
        recordUsage(request, call, model, answer);
        return answer;
      }
      let done: ChatResult;
      if (plan.mode === "lookup" && flights) {
        const joined = await flights
          .unary(
            plan.flight,
            call.signal,
            (signal) => completeRouted(request, detached(call, signal), model, router.route(model, request, false), upstream),
            (r) => cache.store(plan, r),
          )
          .catch((err: unknown) => {
            throw abortedWait(call, err);
          });
        done = joined.leader ? { ...joined.value, cacheStatus: "miss" } : follower(call, joined.value);
      } else {
        // A fresh result of this call's own: set its status in place.
        done = await completeRouted(request, call, model, router.route(model, request, false), upstream);
        done.cacheStatus = statusOf(plan);
        if (plan.store) void cache.store(plan, done);
      }
      cache.record(plan.tenant, done);
      settle(reservation, done.cacheStatus === "coalesced" ? 0 : done.usage.inputTokens + done.usage.outputTokens);
      void spend.settle(micros(done.costUsd)).catch(() => {});
      recordUsage(request, call, model, done);
      return done;
    } catch (err) {
      settle(reservation, 0);
      void spend.settle(0).catch(() => {});
      throw err;
    }
  }

  async function* streamOne(request: ChatRequest, call: CallContext): AsyncGenerator<ChatStreamEvent> {
    const { model, upstream } = await prepare(request, call, true);
    const reservation = await admit(request, call, upstream.maxTokens);
    const plan = cache.plan(request, model, scopeOfCall(request, call), upstream.maxTokens);
    let delivered = false;
    let firstDeltaAt: number | undefined;
    let used: number | undefined;
    let spend = noSpend;
    let final: ChatResult | undefined;
    try {
      spend = await reserveBudget(request, call, model, upstream.maxTokens);
      const hit = plan.mode === "lookup" ? await lookup(plan, call) : undefined;
      if (hit) {
        used = 0;
        for (const event of replayEvents(call, hit)) {
          if (event.type === "done") {
            final = event.result;
            cache.record(plan.tenant, final);
          }
          yield event;
        }
        return;
      }
      let events: AsyncIterable<ChatStreamEvent>;
      let status = statusOf(plan);
      const routed = (c: CallContext) => streamRouted(request, c, model, router.route(model, request, true), upstream);
      if (plan.mode === "lookup" && flights) {
        const joined = flights.stream(plan.flight, call.signal, (signal) => storing(plan, routed(detached(call, signal))));
        events = joined.events;
        if (!joined.leader) status = "coalesced";
      } else {
        events = storing(plan, routed(call));
      }
      yield { type: "cache", status };
      try {
        for await (const event of events) {
          if (event.type === "done") {
            const result = status === "coalesced" ? follower(call, event.result, firstDeltaAt) : { ...event.result, cacheStatus: status };
            cache.record(plan.tenant, result);
            used = status === "coalesced" ? 0 : result.usage.inputTokens + result.usage.outputTokens;
            final = result;
            yield { type: "done", result };
          } else {
            if (event.type === "delta" && !delivered) {
              delivered = true;
              firstDeltaAt = clock.monotonic() - call.receivedAt;
            }
            yield event;
          }
        }
      } catch (err) {
        throw abortedWait(call, err);
      }
    } finally {
      // A finished stream settles to its usage and one that failed before any text gives the tokens back;
      // one cut short after text keeps its estimate, since some of it was surely used.
      if (used !== undefined) settle(reservation, used);
      else if (!delivered) settle(reservation, 0);
      // The budget likewise: what a finished stream cost, nothing for one that sent nothing,
      // and the reservation kept for one cut short.
      if (final) {
        void spend.settle(micros(final.costUsd)).catch(() => {});
        recordUsage(request, call, model, final);
      } else if (!delivered) void spend.settle(0).catch(() => {});
    }
  }

  async function completeRouted(
    request: ChatRequest,
    call: CallContext,
    model: ModelEntry,
    order: Deployment[],
    upstream: Omit<ProviderRequest, "model">,
  ): Promise<ChatResult> {
    const attempts: AttemptRecord[] = [];
    let upstreamMs = 0;
    let last: GatewayError | undefined;
    const schedule = scheduleFor(order, call);
    let failed: Parameters<AttemptSchedule["next"]>[0];
    for (let next = await schedule.next(); next; next = await schedule.next(failed)) {
      const race = await raceUnary(startUnary(next, upstream, call), model.hedgeAfterMs, schedule, upstream, call);
      // Racers run side by side: the race costs as long as its longest attempt.
      upstreamMs += Math.max(...race.settled.map((o) => o.took));
      for (const o of race.settled) {
        if (o.ok) {
          recordSuccess(o.d, o.permit, attempts, o.took);
        } else if (o.error.metadata["hedge"] === "lost") {
          recordLost(o.d, o.permit, attempts, o.took);
        } else {
          recordFailure(o.d, o.permit, o.error, attempts, o.took);
        }
      }
      const winner = race.settled.find((o) => o.ok);
      if (winner?.ok) return await result(call, request, model, winner.d, winner.answer, upstreamMs, attempts);
      const failure = race.settled.findLast((o) => !o.ok && o.error.metadata["hedge"] !== "lost");
      if (!failure || failure.ok) break;
      if (!isFallbackWorthy(failure.error.reason) || call.signal.aborted) throw failure.error;
      last = failure.error;
      failed = { deployment: failure.d, error: failure.error };
    }
    throw exhausted(model, call, attempts, last, schedule.skipped);
  }

  /** Starts one stream attempt, read by hand so that two can race to their first chunk. */
  function startStream(next: Scheduled, upstream: Omit<ProviderRequest, "model">, call: CallContext): StreamRun {
    const { deployment: d, permit } = next;
    const deployment = providerOf(d);
    const attempt = openAttempt(deployment, call, clock, true, d.upstreamModel);
    const it = deployment.provider.stream({ ...upstream, model: d.upstreamModel }, attempt.signal)[Symbol.asyncIterator]();
    return { d, permit, attempt, it, started: clock.monotonic() };
  }

  function firstChunkOf(run: StreamRun): Promise<FirstChunk> {
    return run.it.next().then(
      (chunk): FirstChunk => ({ run, chunk }),
      (err: unknown): FirstChunk => ({ run, error: run.attempt.classify(err) }),
    );
  }

  /** Stops a run that lost the race: its upstream request is aborted and its iterator closed. */
  function stopRun(run: StreamRun): void {
    run.attempt.abandon();
    run.it.return?.().catch(() => {});
    run.attempt.dispose();
  }

  /**
   * Waits for a stream's first chunk; with hedging on, starts the next
   * deployment as well if none has come within `hedgeAfterMs`. The first
   * stream to produce a chunk wins before anything reaches the caller, and the
   * others are stopped; a failure leaves the other racer to go on.
   */
  async function raceFirstChunk(
    first: StreamRun,
    hedgeAfterMs: number | undefined,
    schedule: AttemptSchedule,
    upstream: Omit<ProviderRequest, "model">,
    call: CallContext,
  ): Promise<{ winner?: Extract<FirstChunk, { chunk: unknown }>; failures: Extract<FirstChunk, { error: unknown }>[]; lost: StreamRun[] }> {
    const pending = new Map<StreamRun, Promise<FirstChunk>>([[first, firstChunkOf(first)]]);
    const failures: Extract<FirstChunk, { error: unknown }>[] = [];
    const stopTimer = new AbortController();
    let timer: Promise<"hedge" | "off"> | undefined =
      hedgeAfterMs === undefined
        ? undefined
        : clock.sleep(hedgeAfterMs, AbortSignal.any([call.signal, stopTimer.signal])).then(
            () => "hedge" as const,
            () => "off" as const,
          );
    try {
      while (pending.size > 0) {
        const racers: Promise<FirstChunk | "hedge" | "off">[] = [...pending.values()];
        if (timer) racers.push(timer);
        const r = await Promise.race(racers);
        if (r === "hedge" || r === "off") {
          timer = undefined;
          const next = r === "hedge" ? await schedule.next() : undefined;
          if (next) {
            const run = startStream(next, upstream, call);
            pending.set(run, firstChunkOf(run));
          }
          continue;
        }
        pending.delete(r.run);
        if ("error" in r) {
          failures.push(r);
          if (!isFallbackWorthy(r.error.reason)) break;
          // A failure before the hedge fired: no race to run, the caller's loop falls back as usual.
          if (pending.size === 0) timer = undefined;
          continue;
        }
        const lost = [...pending.keys()];
        lost.forEach(stopRun);
        return { winner: r, failures, lost };
      }
      const lost = [...pending.keys()];
      lost.forEach(stopRun);
      return { failures, lost };
    } finally {
      stopTimer.abort();
    }
  }

  async function* streamRouted(
    request: ChatRequest,
    call: CallContext,
    model: ModelEntry,
    order: Deployment[],
    upstream: Omit<ProviderRequest, "model">,
  ): AsyncIterable<ChatStreamEvent> {
    const attempts: AttemptRecord[] = [];
    let upstreamMs = 0;
    let last: GatewayError | undefined;
    const schedule = scheduleFor(order, call);
    let failed: Parameters<AttemptSchedule["next"]>[0];
    for (let next = await schedule.next(); next; next = await schedule.next(failed)) {
      const raceStarted = clock.monotonic();
      const race = await raceFirstChunk(startStream(next, upstream, call), model.hedgeAfterMs, schedule, upstream, call);
      for (const f of race.failures) {
        f.run.attempt.dispose();
        recordFailure(f.run.d, f.run.permit, f.error, attempts, clock.monotonic() - f.run.started);
      }
      for (const run of race.lost) recordLost(run.d, run.permit, attempts, clock.monotonic() - run.started);
      if (!race.winner) {
        upstreamMs += clock.monotonic() - raceStarted;
        const f = race.failures.at(-1);
        if (!f) break;
        if (!isFallbackWorthy(f.error.reason) || call.signal.aborted) throw f.error;
        last = f.error;
        failed = { deployment: f.run.d, error: f.error };
        continue;
      }
      const { run } = race.winner;
      const { d, permit } = run;
      let text = "";
      let firstTokenAt: number | undefined;
      let end: Extract<ProviderChunk, { type: "end" }> | undefined;
      let failure: GatewayError | undefined;
      yield { type: "answering", provider: d.provider };
      try {
        for (let r = race.winner.chunk; !r.done; r = await run.it.next()) {
          const chunk = r.value;
          if (chunk.type === "end") {
            end = chunk;
            continue;
          }
          if (firstTokenAt === undefined) {
            firstTokenAt = clock.monotonic();
            run.attempt.firstToken();
          }
          text += chunk.text;
          yield { type: "delta", text: chunk.text };
        }
        if (!end) {
          // The SDKs end a stream quietly when its signal aborts: whoever aborted it (the caller, its
          // deadline, a shutdown, our own timeout) says whose failure this is, not the provider's silence.
          failure = run.attempt.signal.aborted
            ? run.attempt.classify(run.attempt.signal.reason)
            : new GatewayError("UPSTREAM_UNAVAILABLE", `${d.provider}: the stream ended without a finish reason`, { metadata: { provider: d.provider } });
        }
      } catch (err) {
        failure = run.attempt.classify(err);
      } finally {
        run.attempt.dispose();
        // A caller that stops reading ends the generator here: close the upstream stream and
        // release the breaker without a verdict.
        if (!failure && !end) {
          run.it.return?.().catch(() => {});
          permit.release();
        }
      }
      // The provider loop's span counts as not ours, including time the caller took to read deltas.
      upstreamMs += clock.monotonic() - raceStarted;
      const took = clock.monotonic() - run.started;
      if (failure) {
        // Before the first token a failure is invisible to the caller and the next deployment may answer;
        // after it, the caller has part of an answer and must be told, never handed a silent truncation.
        const error = interrupted(failure, text, d.provider);
        recordFailure(d, permit, error, attempts, took);
        if (text.length > 0 || !isFallbackWorthy(error.reason) || call.signal.aborted) throw error;
        last = error;
        failed = { deployment: d, error };
        continue;
      }
      run.attempt.answered({ model: end!.model, inputTokens: end!.usage?.inputTokens, outputTokens: end!.usage?.outputTokens, finishReason: end!.finishReason });
      const ttft = firstTokenAt === undefined ? undefined : firstTokenAt - call.receivedAt;
      recordSuccess(d, permit, attempts, took, firstTokenAt === undefined ? undefined : firstTokenAt - run.started);
      const message: ChatMessage = { role: "assistant", content: text };
      if (end!.toolCalls) message.toolCalls = end!.toolCalls;
      const answer: Answer = { message, finishReason: end!.finishReason, usage: end!.usage, model: end!.model };
      yield { type: "done", result: await result(call, request, model, d, answer, upstreamMs, attempts, ttft) };
      return;
    }
    throw exhausted(model, call, attempts, last, schedule.skipped);
  }
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

/**
 * Once text has reached the caller, a failure can no longer be hidden or
 * retried: it becomes STREAM_INTERRUPTED, saying how much was delivered, so
 * that no caller mistakes a cut stream for a whole answer.
 */
function interrupted(error: GatewayError, delivered: string, provider: string): GatewayError {
  if (delivered.length === 0 || isCallerEnded(error.reason)) return error;
  return new GatewayError("STREAM_INTERRUPTED", `${provider}: stream failed after ${delivered.length} characters: ${error.message}`, {
    metadata: { ...error.metadata, provider, delivered_chars: String(delivered.length), upstream_reason: error.reason },
    cause: error,
  });
}
