import { createRequire } from "node:module";
import type { GatewayConfig } from "./config/schema.js";
import type { RedisSettings } from "./config/redis.js";
import type { Clock } from "./core/clock.js";
import type { HealthMonitor } from "./core/health.js";
import type { Logger } from "./log.js";
import { masters, type RedisClient } from "./redis-client.js";

export interface SharedRedis {
  /** The one client (a Redis, or a Redis Cluster) every Redis-backed store shares, made on first use. */
  get(): RedisClient;
  /** Resolves once Redis answers, or after 5 s (stores then apply their failure policies). */
  ready(): Promise<void>;
  close(): void;
}

/**
 * One Redis connection for every store that uses it. Commands fail at once
 * while disconnected (no offline queue), or after a second without an answer,
 * so that each store decides quickly what a failure means; the client keeps
 * reconnecting in the background. With `redis.mode: cluster` the same holds
 * for a Redis Cluster client, whose commands go to the master of their slot.
 */
export function lazyRedis(config: GatewayConfig, logger: Logger, health: HealthMonitor, clock: Clock): SharedRedis {
  let client: RedisClient | undefined;
  let ready: Promise<void> | undefined;
  const stopProbe = new AbortController();
  const get = (): RedisClient => {
    if (client) return client;
    if (!config.redis) throw new Error("redis.url is not configured");
    const redis = connect(config.redis);
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

function connect(settings: RedisSettings): RedisClient {
  // ioredis loads only when a Redis is configured (synchronously: stores take the client as they are built).
  const { Redis, Cluster } = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
  const perConnection = {
    maxRetriesPerRequest: 1,
    // A Redis that accepts commands and never answers fails them too, rather than holding calls up.
    commandTimeout: 1_000,
  };
  const backoff = (times: number) => Math.min(times * 200, 2000);
  if (settings.mode === "single") return new Redis(settings.url, { ...perConnection, enableOfflineQueue: false, retryStrategy: backoff });
  // Masters found through CLUSTER SLOTS are reached with these options, not the seed URLs': the
  // credentials and TLS of the first URL apply to every node.
  const first = new URL(settings.url);
  return new Cluster([settings.url, ...settings.nodes], {
    enableOfflineQueue: false,
    clusterRetryStrategy: backoff,
    redisOptions: {
      ...perConnection,
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(first.protocol === "rediss:" ? { tls: {} } : {}),
    },
  });
}

/**
 * PINGs Redis (every master of a cluster) on an interval and says in HealthService whether it answers:
 * a Redis that hangs (stopped, not killed) keeps its connection open and
 * raises no event, and would otherwise go unnoticed until calls fail.
 */
async function probeRedis(redis: RedisClient, intervalMs: number, health: HealthMonitor, clock: Clock, stop: AbortSignal): Promise<void> {
  let failing = false;
  while (!stop.aborted) {
    try {
      await clock.sleep(intervalMs, stop);
    } catch {
      return;
    }
    if (redis.status !== "ready") continue;
    try {
      // A cluster answers only if every master does: each holds a share of every store's keys.
      await Promise.all((await masters(redis)).map((node) => node.ping()));
      if (failing) health.set("redis", "redis", "serving", "ok");
      failing = false;
    } catch (err) {
      failing = true;
      health.set("redis", "redis", "not_serving", `no answer to PING: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
