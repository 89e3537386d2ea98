import type { EmbeddingCache } from "../cache/embedding-cache.js";
import type { Flights } from "../cache/flights.js";
import type { ResponseCache } from "../cache/response-cache.js";
import type { CallContext } from "../core/call.js";
import type { Catalog, ModelEntry } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import type { EmbedRequest, EmbedResult } from "../core/embeddings.js";
import { GatewayError } from "../core/errors.js";
import type { HealthMonitor } from "../core/health.js";
import { countMessageTokens, type TokenCount } from "../core/tokens.js";
import type { ChatMessage, ChatRequest, ChatResult, ChatStreamEvent } from "../core/types.js";
import type { LimitSettings, RateLimiter } from "../limits/limiter.js";
import type { Logger } from "../log.js";
import type { Queues } from "../queue/queues.js";
import type { ProviderDeployment } from "../providers/registry.js";
import type { Breakers } from "../resilience/breakers.js";
import type { RetryBudget, RetryOptions } from "../resilience/retry.js";
import type { Router } from "../routing/router.js";
import type { DeploymentStatsTracker } from "../routing/stats.js";
import type { Sessions } from "../sessions/sessions.js";
import type { Tools } from "../tools/registry.js";
import type { UsageStore } from "../usage/store.js";
import { admission, limits, resolveModel } from "./admission.js";
import { createAttempts } from "./attempts/attempts.js";
import { budget } from "./budget.js";
import { budgetStream } from "./budget-stream.js";
import { createEmbedPipeline } from "./embeddings/embed.js";
import { cacheStage } from "./cache.js";
import { sessionStage } from "./sessions.js";
import { compose, type AskHandler } from "./stage.js";
import { toolStage } from "./tools.js";
import { usage } from "./usage.js";
import type { BudgetAlerts } from "../usage/budget-alerts.js";

export type { CallContext, CallReport } from "../core/call.js";

/** The core every face calls: one pipeline for unary and streamed completions. */
export interface Gateway {
  readonly catalog: Catalog;
  readonly health: HealthMonitor;
  readonly stats: DeploymentStatsTracker;
  readonly breakers: Breakers;
  readonly cache: ResponseCache;
  /** The exact cache of embedding calls, when the cache is on. */
  readonly embeddingCache: EmbeddingCache | undefined;
  /** What waits on this replica, when queueing is on. */
  readonly queues?: Queues | undefined;
  /** The whole answer: the stream, collected. */
  complete(request: ChatRequest, call: CallContext): Promise<ChatResult>;
  /** Yields one "cache" event, text deltas, then exactly one "done"; throws a GatewayError if the call fails. */
  stream(request: ChatRequest, call: CallContext, continueFrom?: string): AsyncIterable<ChatStreamEvent>;
  /** Counts a prompt's tokens for a model the caller may use. */
  countTokens(model: string, messages: readonly ChatMessage[], call: CallContext): Promise<TokenCount & { model: string }>;
  /** Resolves a model name for a caller, refusing models its tenant may not use. */
  resolveModel(name: string, call: CallContext): ModelEntry;
  /** Vectors for the inputs, one per input, from an embedding model: admitted, limited, billed, cached, routed. */
  embed(request: EmbedRequest, call: CallContext): Promise<EmbedResult>;
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
  tools: Tools;
  /** Most model rounds of a server-side tool loop. */
  maxToolRounds?: number;
  /** Told of every answered model round (for metrics). */
  onCompleted?: ((model: ModelEntry, result: ChatResult, call: CallContext) => void) | undefined;
  /** Told of every answered embedding call (for metrics). */
  onEmbedded?: ((model: ModelEntry, result: EmbedResult, call: CallContext) => void) | undefined;
  /** The exact cache of embedding calls; absent, their cache status is "disabled". */
  embeddingCache?: EmbeddingCache | undefined;
  /** Told of every call refused by a limit or budget (for metrics). */
  onRefused?: ((limit: string) => void) | undefined;
  /** Log each completion's messages and answer (config log.prompts). */
  logPrompts?: boolean | undefined;
  usage: UsageStore;
  /** Told of budget thresholds crossed (log, metric, webhook); absent, crossings go unreported. */
  budgetAlerts?: BudgetAlerts | undefined;
  logger?: Logger | undefined;
  /** Identical cacheable calls in flight at once share one upstream call; absent turns that off. */
  flights?: Flights | undefined;
  clock: Clock;
  random?: () => number;
  /** Waiting instead of refusing at rate limits and deployments' concurrency caps; absent, refused at once. */
  queues?: Queues | undefined;
}

/**
 * The request's path through the gateway, outermost first. Per call:
 * sessions (history in, the turn recorded), then tools (resolved once; the
 * tool loop runs rounds). Per model round: admission (model, tenant,
 * contract), rate limits, budget, usage (what an answered round leaves
 * behind), the cost caps held while tokens arrive, the cache (hit, coalescing, storing), then the attempts (routing,
 * breakers, retries, hedging, timeouts) against the providers.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { catalog, clock } = options;
  const attempts = createAttempts({ ...options, random: options.random ?? Math.random });
  const round = compose(
    [
      limits({ limiter: options.limiter, limits: options.limits, onRefused: options.onRefused, queues: options.queues }),
      budget({ usage: options.usage, clock, logger: options.logger, alerts: options.budgetAlerts, onRefused: options.onRefused }),
      usage({ usage: options.usage, clock, logger: options.logger, logPrompts: options.logPrompts, onCompleted: options.onCompleted }),
      budgetStream({ clock }),
      cacheStage({ cache: options.cache, flights: options.flights, clock }),
    ],
    attempts,
  );
  const embed = createEmbedPipeline({ ...options, random: options.random ?? Math.random });
  const ask: AskHandler = compose(
    [sessionStage(options.sessions), toolStage({ tools: options.tools, maxRounds: options.maxToolRounds ?? 8, clock })],
    admission(catalog)(round),
  );

  return {
    catalog,
    health: options.health,
    stats: options.stats,
    breakers: options.breakers,
    cache: options.cache,
    embeddingCache: options.embeddingCache,
    queues: options.queues,

    // async: a stage that refuses before streaming (an unknown tool) rejects the promise rather than throw.
    complete: async (request, call) => collect(ask({ request, call, buffered: true })),

    async *stream(request, call, continueFrom) {
      yield* ask({ request, call, buffered: false, ...(continueFrom ? { continueFrom } : {}) });
    },

    async countTokens(name, messages, call) {
      const model = resolveModel(catalog, name, call);
      return { ...(await countMessageTokens(messages, model.tokenizer)), model: model.name };
    },

    resolveModel: (name, call) => resolveModel(catalog, name, call),

    embed,
  };
}

/**
 * A unary call: the stream, collected. The answer returns at the "done"
 * event; what the stages do after it (storing the answer, settling limits
 * and budgets) finishes in the background rather than delay the caller.
 */
async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatResult> {
  const it = events[Symbol.asyncIterator]();
  for (let r = await it.next(); !r.done; r = await it.next()) {
    if (r.value.type !== "done") continue;
    void (async () => {
      while (!(await it.next()).done);
    })().catch(() => {});
    return r.value.result;
  }
  throw new GatewayError("INTERNAL", "a call ended without its result");
}
