import { createMemoryCacheStore } from "./cache/memory-store.js";
import { createRedisCacheStore } from "./cache/redis-store.js";
import { createResponseCache, type ResponseCache } from "./cache/response-cache.js";
import { createSemanticCache } from "./cache/semantic/create.js";
import type { GatewayEmbed } from "./cache/semantic/gateway.js";
import type { GatewayComplete } from "./cache/semantic/verify-compare.js";
import type { GatewayConfig } from "./config/schema.js";
import type { Clock } from "./core/clock.js";
import type { HealthMonitor } from "./core/health.js";
import { withFailurePolicy } from "./limits/failure-policy.js";
import type { RateLimiter } from "./limits/limiter.js";
import { createMemoryRateLimiter } from "./limits/memory-limiter.js";
import { createRedisRateLimiter } from "./limits/redis-limiter.js";
import type { Logger } from "./log.js";
import type { SharedRedis } from "./shared-redis.js";

/* The stores an app's stages keep their state in, as its configuration names them (memory or Redis). */

/** The rate-limit store the configuration names. */
export function createLimiter(config: GatewayConfig, clock: Clock, logger: Logger, health: HealthMonitor, redis: SharedRedis): RateLimiter {
  if (config.limits.store === "memory" || !config.redis) return createMemoryRateLimiter(clock);
  return withFailurePolicy(createRedisRateLimiter(redis.get(), clock), config.limits.onStoreError, logger, health);
}

/** The response cache: its store, and the semantic index when enabled. */
export function createCache(
  config: GatewayConfig,
  settings: GatewayConfig["cache"],
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
  return createResponseCache({ settings, store, semantic: semantic?.index, verifier: semantic?.verifier, clock, logger });
}
