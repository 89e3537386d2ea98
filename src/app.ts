import { createEmbeddingCacheOf } from "./cache/embedding-cache.js";
import { createFlights } from "./cache/flights.js";
import { createMemoryCacheStore } from "./cache/memory-store.js";
import { createRedisCacheStore } from "./cache/redis-store.js";
import { createResponseCache, type ResponseCache } from "./cache/response-cache.js";
import { createSemanticCache } from "./cache/semantic/create.js";
import type { GatewayEmbed } from "./cache/semantic/gateway.js";
import type { GatewayComplete } from "./cache/semantic/verify-compare.js";
import { createCatalog } from "./core/catalog.js";
import { createAuthenticator } from "./auth/tenants.js";
import { createMemorySessionStore } from "./sessions/memory-store.js";
import { createRedisSessionStore } from "./sessions/redis-store.js";
import { createSessions } from "./sessions/sessions.js";
import { createUpstreamFetch } from "./providers/http.js";
import { createTools } from "./tools/registry.js";
import { createMemoryUsageStore } from "./usage/memory-store.js";
import { createRedisUsageStore } from "./usage/redis-store.js";
import { systemClock, type Clock } from "./core/clock.js";
import { createGateway, type Gateway } from "./pipeline/pipeline.js";
import { createHealthMonitor, type HealthMonitor } from "./core/health.js";
import type { GatewayConfig } from "./config/schema.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics } from "./metrics.js";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import { startTelemetry } from "./telemetry.js";
import { anthropicRoutes } from "./server/rest/anthropic-routes.js";
import { openAiRoutes } from "./server/rest/openai-routes.js";
import { responsesRoutes } from "./server/rest/responses-routes.js";
import { createResponsesStore } from "./server/rest/responses-store.js";
import { embeddingsRoute } from "./server/rest/embeddings-route.js";
import { createRestFace } from "./server/rest/rest-face.js";
import { createProviders } from "./providers/registry.js";
import { withFailurePolicy } from "./limits/failure-policy.js";
import type { RateLimiter } from "./limits/limiter.js";
import { createMemoryRateLimiter } from "./limits/memory-limiter.js";
import { createRedisRateLimiter } from "./limits/redis-limiter.js";
import { lazyRedis, type SharedRedis } from "./shared-redis.js";
import { durableOf } from "./durable/durable-of.js";
import { createBreakers } from "./resilience/breakers.js";
import { createRetryBudget } from "./resilience/retry.js";
import { createRouter } from "./routing/router.js";
import { createDeploymentStats } from "./routing/stats.js";
import { services } from "./server/routes.js";
import { startServer, type RunningServer } from "./server/server.js";

/** Everything an app is built from, beyond its configuration. */
export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Where spans go instead of the configured OTLP endpoint (tests). */
  spanProcessor?: SpanProcessor;
  /** Uniform in [0, 1), for the semantic cache's audits (tests make it repeatable). */
  random?: () => number;
}

/** A gateway assembled from configuration and ready to start. */
export interface App {
  gateway: Gateway;
  config: GatewayConfig;
  start(): Promise<RunningServer>;
}

/** Wires configuration into the core and the listeners. All the work happens here, once. */
export function createApp(config: GatewayConfig, options: AppOptions = {}): App {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const providers = createProviders(config.providers, options.env ?? process.env);
  const health = createHealthMonitor({ clock, providers: [...providers.keys()] });
  const stats = createDeploymentStats(clock);
  const router = createRouter({ defaultStrategy: config.routing.strategy, stats });
  const breakers = createBreakers(config.resilience.breaker, clock);
  breakers.onChange((id, state) => logger.warn("circuit breaker changed", { deployment: id, state }));
  const retry = config.resilience.retry;
  const retryBudget = createRetryBudget(retry.budgetRatio, retry.budgetBurst);
  const redis = lazyRedis(config, logger, health, clock);
  const limiter = createLimiter(config, clock, logger, health, redis);
  // The semantic cache may embed with the gateway's own models: the gateway is built after the cache, so the
  // cache is given a way to reach it, asked for only when a lookup embeds (never before createApp returns).
  let built: Gateway | undefined;
  const gatewayEmbed = () => {
    if (!built) throw new Error("the gateway is not built yet");
    return built.embed;
  };
  // The verified cache's judge comparator, when configured, calls a chat model the same way.
  const gatewayComplete = () => {
    if (!built) throw new Error("the gateway is not built yet");
    return built.complete;
  };
  const cache = createCache(config, clock, logger, redis, options.env ?? process.env, gatewayEmbed, gatewayComplete, options.random);
  const catalog = createCatalog(config);
  const auth = createAuthenticator(config, catalog, options.env ?? process.env);
  if (auth.open) {
    logger.warn(
      "NO API KEYS CONFIGURED: the gateway is OPEN. Every caller is the anonymous tenant, with admin rights; set auth.tenants before exposing it",
    );
  }
  const sessions = createSessions({
    store:
      config.sessions.store === "redis"
        ? createRedisSessionStore(redis.get())
        : createMemorySessionStore(clock, { maxSessions: config.sessions.maxSessions, maxChars: config.sessions.maxStoredChars }),
    catalog,
    clock,
    settings: config.sessions,
  });
  const usage = config.usage.store === "redis" ? createRedisUsageStore(redis.get()) : createMemoryUsageStore();
  const tools = createTools({ config: config.tools, env: options.env ?? process.env, clock, fetch: createUpstreamFetch(), sessions });
  const metrics = createMetrics({
    cache,
    breakers,
    health,
    deployments: () => catalog.models.flatMap((m) => m.deployments.map((d) => ({ id: d.id, model: m.name, provider: d.provider }))),
  });
  const gateway = createGateway({
    onCompleted: (model, result) => metrics.completed(model, result),
    onEmbedded: (model, result) => metrics.embedded(model, result),
    embeddingCache: config.cache.enabled ? createEmbeddingCacheOf(config.cache, clock, logger, redis.get) : undefined,
    onRefused: (limit) => metrics.refused(limit),
    catalog,
    providers,
    router,
    stats,
    breakers,
    retry,
    retryBudget,
    limiter,
    limits: config.limits,
    health,
    cache,
    sessions,
    tools,
    maxToolRounds: config.tools.maxIterations,
    usage,
    logger,
    logPrompts: config.log.prompts,
    flights: config.cache.enabled && config.cache.coalesce ? createFlights() : undefined,
    clock,
  });
  built = gateway;
  const durable = durableOf(config, gateway, clock, logger, redis);
  let lastStatus = health.snapshot().status;
  health.subscribe((s) => {
    if (s.status === lastStatus) return;
    lastStatus = s.status;
    logger.warn("health changed", { status: s.status, dependencies: s.dependencies.map((d) => `${d.name}=${d.status}`) });
  });
  return {
    gateway,
    config,
    start: async () => {
      // Serving before the shared store answers would apply the failure policy to the first calls.
      await Promise.all([redis.ready(), cache.warm()]);
      const telemetry = await startTelemetry(config.telemetry, options.spanProcessor);
      const entries = services({
        gateway,
        clock,
        sessions,
        tools,
        usage,
        limiter,
        auth,
        limits: config.limits,
        maxMessageBytes: config.server.maxMessageBytes,
        durable: { calls: durable, resumableStreams: config.durable.resumableStreams },
      });
      const server = await startServer({
        server: config.server,
        services: entries,
        health,
        logger,
        metrics,
        clock,
        auth,
        rest: (shutdownSignal) =>
          createRestFace({
            routes: [
              ...openAiRoutes({
                gateway,
                clock,
                maxBodyBytes: config.server.maxMessageBytes,
                durable: { calls: durable, resumableStreams: config.durable.resumableStreams },
              }),
              ...responsesRoutes({
                gateway,
                clock,
                store: createResponsesStore({ store: sessions.store, clock, settings: config.sessions }),
                maxBodyBytes: config.server.maxMessageBytes,
                logger,
              }),
              ...anthropicRoutes({ gateway, clock, maxBodyBytes: config.server.maxMessageBytes, durable }),
              embeddingsRoute({ gateway, clock, maxBodyBytes: config.server.maxMessageBytes }),
            ],
            auth,
            clock,
            logger,
            metrics,
            shutdownSignal,
          }),
      });
      return {
        ...server,
        close: async (graceMs) => {
          await server.close(graceMs);
          // Streams still generating once the grace is over are handed over: their callers resume elsewhere.
          await durable.close();
          await limiter.close();
          await cache.close();
          redis.close();
          await telemetry.shutdown();
        },
      };
    },
  };
}

/** The rate-limit store the configuration names. */
function createLimiter(config: GatewayConfig, clock: Clock, logger: Logger, health: HealthMonitor, redis: SharedRedis): RateLimiter {
  if (config.limits.store === "memory" || !config.redis) return createMemoryRateLimiter(clock);
  return withFailurePolicy(createRedisRateLimiter(redis.get(), clock), config.limits.onStoreError, logger, health);
}

/** The response cache: its store, and the semantic index when enabled. */
function createCache(
  config: GatewayConfig,
  clock: Clock,
  logger: Logger,
  redis: SharedRedis,
  env: NodeJS.ProcessEnv,
  gatewayEmbed: () => GatewayEmbed,
  gatewayComplete: () => GatewayComplete,
  random: (() => number) | undefined,
): ResponseCache {
  const c = config.cache;
  const shared = c.store === "redis";
  const store = shared ? createRedisCacheStore(redis.get()) : createMemoryCacheStore(clock, c);
  const semantic =
    c.enabled && c.semantic.enabled
      ? createSemanticCache(config, { clock, logger, env, redis: shared ? redis.get() : undefined, gatewayEmbed, gatewayComplete, random })
      : undefined;
  return createResponseCache({ settings: c, store, semantic: semantic?.index, verifier: semantic?.verifier, clock, logger });
}
