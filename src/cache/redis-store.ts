import { type RedisClient, scanKeys, unlinkMatching } from "../redis-client.js";
import type { CacheSize, CacheStore, CachedAnswer } from "./store.js";
import { tenantTag } from "./key.js";

/**
 * The shared cache: one Redis string per answer, under
 * `<prefix>:<tenant tag>:<hash>`, expiring at its TTL. Replicas on one Redis
 * share every entry. Clearing and sizing walk the keys with SCAN, never KEYS,
 * so that they do not block Redis (on a cluster, SCAN on every master). Each
 * command names one key, so a cluster spreads a tenant's entries over its slots.
 */
export function createRedisCacheStore<V extends object = CachedAnswer>(redis: RedisClient, prefix = "llmgw:cache"): CacheStore<V> {
  const keyOf = (tenant: string, hash: string): string => `${prefix}:${tenantTag(tenant)}:${hash}`;
  const pattern = (tenant?: string): string => `${prefix}:${tenant === undefined ? "*" : tenantTag(tenant)}:*`;

  return {
    kind: "redis",
    async get(tenant, hash) {
      const raw = await redis.get(keyOf(tenant, hash));
      return raw === null ? undefined : (JSON.parse(raw) as V);
    },
    async set(tenant, hash, answer, ttlMs) {
      await redis.set(keyOf(tenant, hash), JSON.stringify(answer), "PX", Math.max(1, Math.round(ttlMs)));
    },
    async clear(tenant) {
      return unlinkMatching(redis, pattern(tenant));
    },
    async size(tenant): Promise<CacheSize> {
      const size = { entries: 0, bytes: 0 };
      for await (const { node, keys } of scanKeys(redis, pattern(tenant))) {
        const pipe = node.pipeline();
        for (const k of keys) pipe.strlen(k);
        for (const [err, len] of (await pipe.exec()) ?? []) {
          // A key that expired between SCAN and STRLEN reads as 0 and is not counted.
          if (!err && typeof len === "number" && len > 0) {
            size.entries += 1;
            size.bytes += len;
          }
        }
      }
      return size;
    },
    async close() {},
  };
}
