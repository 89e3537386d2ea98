import { Redis } from "ioredis";
import { createCatalog } from "./core/catalog.js";
import { systemClock, type Clock } from "./core/clock.js";
import { createGateway, type Gateway } from "./core/gateway.js";
import { createHealthMonitor, type HealthMonitor } from "./core/health.js";
import type { GatewayConfig } from "./config/schema.js";
import { createLogger, type Logger } from "./log.js";
import { createProviders } from "./providers/registry.js";
import { withFailurePolicy } from "./limits/failure-policy.js";
import type { RateLimiter } from "./limits/limiter.js";
import { createMemoryRateLimiter } from "./limits/memory-limiter.js";
import { createRedisRateLimiter } from "./limits/redis-limiter.js";
import { createBreakers } from "./resilience/breakers.js";
import { createRetryBudget } from "./resilience/retry.js";
import { createRouter } from "./routing/router.js";
import { createDeploymentStats } from "./routing/stats.js";
import { registerRoutes } from "./server/routes.js";
import { startServer, type RunningServer } from "./server/server.js";

/** Everything an app is built from, beyond its configuration. */
export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
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
  const { limiter, ready } = createLimiter(config, clock, logger, health);
  const gateway = createGateway({
    catalog: createCatalog(config),
    providers,
    router,
    stats,
    breakers,
    retry,
    retryBudget,
    limiter,
    limits: config.limits,
    health,
    clock,
  });
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
      await ready;
      const server = await startServer({
        server: config.server,
        routes: (router) => registerRoutes(router, gateway, clock),
        health,
        logger,
      });
      return {
        ...server,
        close: async (graceMs) => {
          await server.close(graceMs);
          await limiter.close();
        },
      };
    },
  };
}

/**
 * The rate-limit store the configuration names. Redis commands fail at once
 * while disconnected (no offline queue) so that the failure policy decides
 * quickly; the client keeps reconnecting in the background.
 */
function createLimiter(config: GatewayConfig, clock: Clock, logger: Logger, health: HealthMonitor): { limiter: RateLimiter; ready: Promise<void> } {
  if (config.limits.store === "memory" || !config.redis) return { limiter: createMemoryRateLimiter(clock), ready: Promise.resolve() };
  const redis = new Redis(config.redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  health.set("redis", "redis", "not_serving", "connecting");
  redis.on("ready", () => health.set("redis", "redis", "serving", "ok"));
  redis.on("error", (err: Error) => health.set("redis", "redis", "not_serving", err.message));
  redis.on("end", () => health.set("redis", "redis", "not_serving", "connection closed"));
  const ready = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      logger.warn("redis not ready after 5 s; serving anyway, with the rate-limit failure policy", { policy: config.limits.onStoreError });
      resolve();
    }, 5_000);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { limiter: withFailurePolicy(createRedisRateLimiter(redis, clock), config.limits.onStoreError, logger, health), ready };
}
