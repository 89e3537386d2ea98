import type { Queues } from "../queue/queues.js";
import type { KeyResolver } from "../keys/resolver.js";
import type { BudgetAlerts } from "../usage/budget-alerts.js";
import type { EmbeddingCache } from "../cache/embedding-cache.js";
import { createFlights } from "../cache/flights.js";
import type { ResponseCache } from "../cache/response-cache.js";
import { createAuthenticator } from "../auth/tenants.js";
import { isDeepStrictEqual } from "node:util";
import type { GatewayConfig } from "../config/schema.js";
import { createCatalog, type ModelEntry } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import type { EmbedResult } from "../core/embeddings.js";
import type { HealthMonitor } from "../core/health.js";
import type { ChatResult } from "../core/types.js";
import type { RateLimiter } from "../limits/limiter.js";
import type { Logger } from "../log.js";
import { createGateway } from "../pipeline/pipeline.js";
import { createUpstreamFetch } from "../providers/http.js";
import { createProviders, type ProviderDeployment } from "../providers/registry.js";
import type { Breakers } from "../resilience/breakers.js";
import { createRetryBudget } from "../resilience/retry.js";
import { createRouter } from "../routing/router.js";
import type { DeploymentStatsTracker } from "../routing/stats.js";
import type { Sessions } from "../sessions/sessions.js";
import { createTools } from "../tools/registry.js";
import type { UsageStore } from "../usage/store.js";
import type { Generation } from "./live.js";

/** What every generation shares: made once at start-up from the first configuration. */
export interface SharedParts {
  clock: Clock;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  health: HealthMonitor;
  /** Runtime keys, looked up by every generation's authenticator after its configured keys. */
  keyResolver?: KeyResolver | undefined;
  stats: DeploymentStatsTracker;
  breakers: Breakers;
  limiter: RateLimiter;
  usage: UsageStore;
  budgetAlerts: BudgetAlerts;
  /** The waiting lines at rate limits and concurrency caps. */
  queues?: Queues | undefined;
  cache: ResponseCache;
  embeddingCache: EmbeddingCache | undefined;
  sessions: Sessions;
  onCompleted: (model: ModelEntry, result: ChatResult) => void;
  onEmbedded: (model: ModelEntry, result: EmbedResult) => void;
  onRefused: (limit: string) => void;
}

/**
 * Builds everything a configuration decides, beside the shared parts:
 * provider clients, catalogue, keys, tools and the pipeline. Throws the
 * ConfigError start-up would throw; nothing it builds is serving yet, so a
 * failure leaves the running generation untouched.
 */
export function buildGeneration(config: GatewayConfig, shared: SharedParts, previous?: Generation): Generation {
  const { clock, env } = shared;
  const providers = providersFor(config, env, previous);
  const catalog = createCatalog(config);
  const auth = createAuthenticator(config, catalog, env, shared.keyResolver);
  const tools = createTools({ config: config.tools, env, clock, fetch: createUpstreamFetch(), sessions: shared.sessions });
  const retry = config.resilience.retry;
  const gateway = createGateway({
    onCompleted: shared.onCompleted,
    onEmbedded: shared.onEmbedded,
    onRefused: shared.onRefused,
    embeddingCache: shared.embeddingCache,
    catalog,
    providers,
    router: createRouter({ defaultStrategy: config.routing.strategy, stats: shared.stats }),
    stats: shared.stats,
    breakers: shared.breakers,
    retry,
    retryBudget: createRetryBudget(retry.budgetRatio, retry.budgetBurst),
    limiter: shared.limiter,
    limits: config.limits,
    health: shared.health,
    cache: shared.cache,
    sessions: shared.sessions,
    tools,
    maxToolRounds: config.tools.maxIterations,
    usage: shared.usage,
    budgetAlerts: shared.budgetAlerts,
    queues: shared.queues,
    logger: shared.logger,
    logPrompts: config.log.prompts,
    flights: config.cache.enabled && config.cache.coalesce ? createFlights() : undefined,
    clock,
  });
  return { config, gateway, auth, tools, providers };
}

/**
 * The provider clients of a configuration: a provider whose settings did not change keeps the client (and
 * connection pool) it had, so that a reload does not open new connections to every upstream; the others are
 * built new. The environment a client reads its keys from is the process's, which does not change under it.
 */
function providersFor(config: GatewayConfig, env: NodeJS.ProcessEnv, previous: Generation | undefined): Map<string, ProviderDeployment> {
  const before = new Map(previous?.config.providers.map((p) => [p.name, p]));
  const changed = config.providers.filter((p) => !previous?.providers.has(p.name) || !isDeepStrictEqual(before.get(p.name), p));
  const built = createProviders(changed, env);
  return new Map(config.providers.map((p) => [p.name, built.get(p.name) ?? previous!.providers.get(p.name)!]));
}
