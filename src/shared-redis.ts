import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type { GatewayConfig } from "./config/schema.js";
import type { Clock } from "./core/clock.js";
import type { HealthMonitor } from "./core/health.js";
import type { Logger } from "./log.js";

export interface SharedRedis {
  /** The one connection every Redis-backed store shares, made on first use. */
  get(): Redis;
  /** Resolves once Redis answers, or after 5 s (stores then apply their failure policies). */
  ready(): Promise<void>;
  close(): void;
}

/**
 * One Redis connection for every store that uses it. Commands fail at once
 * while disconnected (no offline queue), or after a second without an answer,
 * so that each store decides quickly what a failure means; the client keeps
 * reconnecting in the background.
 */
export function lazyRedis(config: GatewayConfig, logger: Logger, health: HealthMonitor, clock: Clock): SharedRedis {
  let client: Redis | undefined;
  let ready: Promise<void> | undefined;
  const stopProbe = new AbortController();
  const get = (): Redis => {
    if (client) return client;
    if (!config.redis) throw new Error("redis.url is not configured");
    // ioredis loads only when a Redis is configured (synchronously: stores take the client as they are built).
    const { Redis: RedisClient } = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
    const redis = new RedisClient(config.redis.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A Redis that accepts commands and never answers fails them too, rather than holding calls up.
      commandTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    health.set("redis", "redis", "not_serving", "connecting");
    redis.on("ready", () => health.set("redis", "redis", "serving", "ok"));
    redis.on("error", (err: Error) => health.set("redis", "redis", "not_serving", err.message));
    redis.on("end", () => health.set("redis", "redis", "not_serving", "connection closed"));
    ready = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        logger.warn("redis not ready after 5 s; serving anyway: rate limits apply their failure policy, the cache misses");
        resolve();
      }, 5_000);
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    client = redis;
    void probeRedis(redis, config.redis.probeIntervalMs, health, clock, stopProbe.signal);
    return redis;
  };
  return {
    get,
    ready: () => ready ?? Promise.resolve(),
    close: () => {
      stopProbe.abort();
      client?.disconnect();
    },
  };
}

/**
 * PINGs Redis on an interval and says in HealthService whether it answers:
 * a Redis that hangs (stopped, not killed) keeps its connection open and
 * raises no event, and would otherwise go unnoticed until calls fail.
 */
async function probeRedis(redis: Redis, intervalMs: number, health: HealthMonitor, clock: Clock, stop: AbortSignal): Promise<void> {
  let failing = false;
  while (!stop.aborted) {
    try {
      await clock.sleep(intervalMs, stop);
    } catch {
      return;
    }
    if (redis.status !== "ready") continue;
    try {
      await redis.ping();
      if (failing) health.set("redis", "redis", "serving", "ok");
      failing = false;
    } catch (err) {
      failing = true;
      health.set("redis", "redis", "not_serving", `no answer to PING: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
