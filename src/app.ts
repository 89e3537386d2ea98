import { createRuntimeKeys, type RuntimeKeys } from "./keys/create.js";
import { createMemorySessionStore } from "./sessions/memory-store.js";
import { createRedisSessionStore } from "./sessions/redis-store.js";
import { createSessions } from "./sessions/sessions.js";
import { createMemoryUsageStore } from "./usage/memory-store.js";
import { createRedisUsageStore } from "./usage/redis-store.js";
import { type BudgetAlerts, budgetWebhookOf, createBudgetAlerts } from "./usage/budget-alerts.js";
import { systemClock, type Clock } from "./core/clock.js";
import type { Gateway } from "./pipeline/pipeline.js";
import { createHealthMonitor } from "./core/health.js";
import type { GatewayConfig } from "./config/schema.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics } from "./metrics.js";
import { createQueueMetrics } from "./queue/metrics.js";
import { createQueues } from "./queue/queues.js";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import { startTelemetry } from "./telemetry.js";
import { anthropicRoutes } from "./server/rest/anthropic-routes.js";
import { openAiRoutes } from "./server/rest/openai-routes.js";
import { responsesRoutes } from "./server/rest/responses-routes.js";
import { createResponsesStore } from "./server/rest/responses-store.js";
import { embeddingsRoute } from "./server/rest/embeddings-route.js";
import { createRestFace } from "./server/rest/rest-face.js";
import { createEmbeddingCacheOf } from "./cache/embedding-cache.js";
import { createCache, createLimiter } from "./app-stores.js";
import { lazyRedis } from "./shared-redis.js";
import { durableOf } from "./durable/durable-of.js";
import { createBreakers } from "./resilience/breakers.js";
import { createDeploymentStats } from "./routing/stats.js";
import { services } from "./server/routes.js";
import { createRequestLog, type RequestLog } from "./request-log/create.js";
import { createRequestRecorder } from "./server/request-record.js";
import { startServer, type RunningServer } from "./server/server.js";
import { loadConfig } from "./config/load.js";
import { buildGeneration, type SharedParts } from "./reload/generation.js";
import { createGenerations, live, liveGateway, type Generations } from "./reload/live.js";
import { createReloader, type ReloadOutcome } from "./reload/reloader.js";

/** Everything an app is built from, beyond its configuration. */
export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Where spans go instead of the configured OTLP endpoint (tests). */
  spanProcessor?: SpanProcessor;
  /** Uniform in [0, 1), for the semantic cache's audits (tests make it repeatable). */
  random?: () => number;
  /** How a reload reads the configuration; by default as start-up does, from $LLM_GATEWAY_CONFIG. */
  reloadConfig?: () => GatewayConfig;
}

/** A gateway assembled from configuration and ready to start. */
export interface App {
  gateway: Gateway;
  /** The configuration serving now (the last one a reload swapped in). */
  readonly config: GatewayConfig;
  /** Where budget crossings are reported (idle() awaits webhook deliveries under way). */
  budgetAlerts: BudgetAlerts;
  /** Runtime API keys: their store (whose changes tests can watch) and resolver. */
  keys: RuntimeKeys;
  /** The request log, when on (tests flush its writer before they query). */
  requestLog: RequestLog | undefined;
  start(): Promise<RunningServer>;
  /** Re-reads the configuration and swaps it in, or refuses it and keeps the running one (docs/operations.md). */
  reload(): Promise<ReloadOutcome>;
}

/**
 * Wires configuration into the core and the listeners. The long-lived parts (stores, Redis, breakers,
 * statistics, metrics, listeners) are made here once; what a configuration decides (src/reload/generation.ts)
 * is built here for the first configuration and again by every reload.
 */
export function createApp(config: GatewayConfig, options: AppOptions = {}): App {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const env = options.env ?? process.env;
  const health = createHealthMonitor({ clock, providers: config.providers.map((p) => p.name) });
  const stats = createDeploymentStats(clock);
  const breakers = createBreakers(config.resilience.breaker, clock);
  breakers.onChange((id, state) => logger.warn("circuit breaker changed", { deployment: id, state }));
  const redis = lazyRedis(config, logger, health, clock);
  const limiter = createLimiter(config, clock, logger, health, redis);
  // What a reload replaces is read through `generations`, assigned below once the first generation is built;
  // the long-lived parts made before it only read it when a call arrives.
  let generations: Generations | undefined;
  const serving = () => {
    if (!generations) throw new Error("the gateway is not built yet");
    return generations.current();
  };
  const gateway = () => serving().gateway;
  // Settings read while the shared parts are built come from the first configuration.
  const liveConfig = <T extends object>(pick: (c: GatewayConfig) => T) => live(() => pick(generations?.current().config ?? config));
  // The semantic cache may embed with the gateway's own models, and the verified cache's judge calls a chat
  // model: both through the gateway every face calls, asked for only when a lookup needs it.
  const cache = createCache(
    config,
    liveConfig((c) => c.cache),
    clock,
    logger,
    redis,
    env,
    () => facade.embed,
    () => facade.complete,
    options.random,
  );
  // Runtime keys outlive reloads (their store and the resolver's cache); a key's models are resolved
  // against the catalogue serving when it is created or changed.
  const keys = createRuntimeKeys(config.keys, { clock, catalog: live(() => gateway().catalog), redis: redis.get });
  const sessions = createSessions({
    store:
      config.sessions.store === "redis"
        ? createRedisSessionStore(redis.get())
        : createMemorySessionStore(clock, { maxSessions: config.sessions.maxSessions, maxChars: config.sessions.maxStoredChars }),
    catalog: live(() => gateway().catalog),
    clock,
    settings: liveConfig((c) => c.sessions),
  });
  const usage = config.usage.store === "redis" ? createRedisUsageStore(redis.get()) : createMemoryUsageStore();
  const metrics = createMetrics({
    cache,
    breakers,
    health,
    deployments: () =>
      gateway().catalog.models.flatMap((m) => m.deployments.map((d) => ({ id: d.id, model: m.name, provider: d.provider }))),
  });
  // Waiting lines outlive reloads (a call waiting keeps its turn); they read the serving catalogue's
  // caps and the serving queue settings at each call.
  const queueMetrics = createQueueMetrics(metrics.registry);
  const queues = createQueues({
    settings: liveConfig((c) => c.queue),
    limiter,
    catalog: live(() => gateway().catalog),
    clock,
    observer: queueMetrics,
  });
  queueMetrics.track(queues.snapshot);
  // Built once: its webhook is a url, which a reload refuses to change (src/reload/diff.ts).
  const budgetAlerts = createBudgetAlerts({
    clock,
    logger,
    registry: metrics.registry,
    webhook: budgetWebhookOf(config.budgets.alerts.webhook, env),
  });
  const shared: SharedParts = {
    clock,
    logger,
    env,
    health,
    keyResolver: keys.resolver,
    queues,
    stats,
    breakers,
    limiter,
    usage,
    budgetAlerts,
    cache,
    embeddingCache: config.cache.enabled
      ? createEmbeddingCacheOf(
          liveConfig((c) => c.cache),
          clock,
          logger,
          redis.get,
        )
      : undefined,
    sessions,
    onCompleted: (model, result) => metrics.completed(model, result),
    onEmbedded: (model, result) => metrics.embedded(model, result),
    onRefused: (limit) => metrics.refused(limit),
  };
  generations = createGenerations(buildGeneration(config, shared));
  const facade = liveGateway(generations);
  const auth = live(() => serving().auth);
  const tools = live(() => serving().tools);
  if (serving().auth.open) {
    logger.warn(
      "NO API KEYS CONFIGURED: the gateway is OPEN. Every caller is the anonymous tenant, with admin rights; set auth.tenants before exposing it",
    );
  }
  const reloader = createReloader({
    generations,
    shared,
    load: options.reloadConfig ?? (() => loadConfig({ env })),
    logger,
    registry: metrics.registry,
  });
  // The request log outlives reloads (its store and writer; its settings need a restart).
  const requestLog = createRequestLog(config, { clock, logger, redis, registry: metrics.registry });
  const recorder = requestLog && createRequestRecorder(requestLog.writer, config.requestLog.maxContentChars);
  // Durable calls outlive reloads too (their journals and leases; their settings need a restart).
  const durable = durableOf(config, facade, clock, logger, redis);
  let lastStatus = health.snapshot().status;
  health.subscribe((s) => {
    if (s.status === lastStatus) return;
    lastStatus = s.status;
    logger.warn("health changed", { status: s.status, dependencies: s.dependencies.map((d) => `${d.name}=${d.status}`) });
  });
  return {
    gateway: facade,
    budgetAlerts,
    keys,
    requestLog,
    get config() {
      return serving().config;
    },
    reload: () => reloader.reload(),
    start: async () => {
      // Serving before the shared store answers would apply the failure policy to the first calls.
      await Promise.all([redis.ready(), cache.warm(), keys.store.ready()]);
      const telemetry = await startTelemetry(config.telemetry, options.spanProcessor);
      const entries = services({
        gateway: facade,
        clock,
        sessions,
        tools,
        usage,
        limiter,
        auth,
        keys: keys.manager((name) => auth.tenants.find((t) => t.name === name)),
        limits: liveConfig((c) => c.limits),
        reload: () => reloader.reload(),
        requestLog: requestLog?.store,
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
        requestLog: recorder,
        rest: (shutdownSignal) =>
          createRestFace({
            routes: [
              ...openAiRoutes({
                gateway: facade,
                clock,
                maxBodyBytes: config.server.maxMessageBytes,
                durable: { calls: durable, resumableStreams: config.durable.resumableStreams },
              }),
              ...responsesRoutes({
                gateway: facade,
                clock,
                store: createResponsesStore({ store: sessions.store, clock, settings: liveConfig((c) => c.sessions) }),
                maxBodyBytes: config.server.maxMessageBytes,
                logger,
              }),
              ...anthropicRoutes({ gateway: facade, clock, maxBodyBytes: config.server.maxMessageBytes, durable }),
              embeddingsRoute({ gateway: facade, clock, maxBodyBytes: config.server.maxMessageBytes }),
            ],
            auth,
            clock,
            logger,
            metrics,
            shutdownSignal,
            requestLog: recorder,
          }),
      });
      return {
        ...server,
        close: async (graceMs) => {
          await server.close(graceMs);
          // Streams still generating once the grace is over are handed over: their callers resume elsewhere.
          await durable.close();
          await requestLog?.writer.flush();
          await limiter.close();
          await cache.close();
          await keys.close();
          redis.close();
          await telemetry.shutdown();
        },
      };
    },
  };
}
