import type { Redis } from "ioredis";
import type { CacheSize, CacheStore, CachedAnswer } from "./store.js";
import { tenantTag } from "./key.js";

/**
 * The shared cache: one Redis string per answer, under
 * `<prefix>:<tenant tag>:<hash>`, expiring at its TTL. Replicas on one Redis
 * share every entry. Clearing and sizing walk the keys with SCAN, never KEYS,
 * so that they do not block Redis.
 */
export function createRedisCacheStore<V extends object = CachedAnswer>(redis: Redis, prefix = "llmgw:cache"): CacheStore<V> {
  const keyOf = (tenant: string, hash: string): string => `${prefix}:${tenantTag(tenant)}:${hash}`;
  const pattern = (tenant?: string): string => `${prefix}:${tenant === undefined ? "*" : tenantTag(tenant)}:*`;

  async function* keys(tenant?: string): AsyncGenerator<string[]> {
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", pattern(tenant), "COUNT", 1000);
      cursor = next;
      if (batch.length > 0) yield batch;
    } while (cursor !== "0");
  }

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
      let n = 0;
      for await (const batch of keys(tenant)) n += await redis.unlink(...batch);
      return n;
    },
    async size(tenant): Promise<CacheSize> {
      const size = { entries: 0, bytes: 0 };
      for await (const batch of keys(tenant)) {
        const pipe = redis.pipeline();
        for (const k of batch) pipe.strlen(k);
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
