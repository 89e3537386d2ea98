import { z } from "zod";

const redisUrl = z.string().regex(/^rediss?:\/\//, "use redis:// or rediss://");

/**
 * redis: the one Redis (or Redis Cluster) every Redis-backed store shares
 * (src/shared-redis.ts). A cluster is found from its seed nodes: `url` and any
 * of `nodes`; the client learns the other masters and the slot map from them.
 */
export const redisSchema = z
  .object({
    /** Shared by every store that uses Redis; LLM_GATEWAY_REDIS_URL. On a cluster, one seed node. */
    url: redisUrl,
    /**
     * single (default): one Redis, or a primary behind one address. cluster: a Redis Cluster (LLM_GATEWAY_REDIS_MODE);
     * every script and transaction of the stores keeps its keys in one slot (docs/operations.md, "Redis Cluster").
     */
    mode: z.enum(["single", "cluster"]).default("single"),
    /** More seed nodes of the cluster, so that the gateway starts while `url`'s node is down. Cluster mode only. */
    nodes: z.array(redisUrl).default([]),
    /**
     * How often Redis is sent a PING (answered within the 1 s command timeout) while any store uses
     * it: a Redis that hangs shows in HealthService within this long, even when no call touches it.
     * On a cluster every master is sent one.
     */
    probeIntervalMs: z.number().int().positive().default(2_000),
  })
  .strict()
  .refine((r) => r.mode === "cluster" || r.nodes.length === 0, {
    path: ["nodes"],
    message: "lists a cluster's seed nodes: set redis.mode: cluster, or remove redis.nodes",
  });

export type RedisSettings = z.infer<typeof redisSchema>;
