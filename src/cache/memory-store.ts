import { LRUCache } from "lru-cache";
import type { Clock } from "../core/clock.js";
import type { CacheSize, CacheStore, CachedAnswer } from "./store.js";

interface Held<V> {
  tenant: string;
  answer: V;
  bytes: number;
}

/** Payload size as the Redis store would hold it; close enough to bound memory. */
function sizeOf(answer: object): number {
  return Buffer.byteLength(JSON.stringify(answer));
}

/**
 * One replica's cache: least recently used entries go first once either the
 * entry count or the byte total is reached; each entry expires at its TTL on
 * the injected clock.
 */
export function createMemoryCacheStore<V extends object = CachedAnswer>(
  clock: Clock,
  bounds: { maxEntries: number; maxBytes: number },
): CacheStore<V> {
  const lru = new LRUCache<string, Held<V>>({
    max: bounds.maxEntries,
    maxSize: bounds.maxBytes,
    sizeCalculation: (h) => Math.max(1, h.bytes),
    perf: { now: () => clock.monotonic() },
    ttlAutopurge: false,
    // An entry bigger than the whole cache is refused rather than emptying it.
    maxEntrySize: bounds.maxBytes,
  });
  const keyOf = (tenant: string, hash: string): string => `${tenant}\u0000${hash}`;
  const tenantEntries = (tenant: string | undefined): [string, Held<V>][] =>
    [...lru.entries()].filter(([, h]) => tenant === undefined || h.tenant === tenant);

  return {
    kind: "memory",
    async get(tenant, hash) {
      return lru.get(keyOf(tenant, hash))?.answer;
    },
    async set(tenant, hash, answer, ttlMs) {
      lru.set(keyOf(tenant, hash), { tenant, answer, bytes: sizeOf(answer) }, { ttl: ttlMs });
    },
    async clear(tenant) {
      if (tenant === undefined) {
        const n = lru.size;
        lru.clear();
        return n;
      }
      const gone = tenantEntries(tenant);
      for (const [k] of gone) lru.delete(k);
      return gone.length;
    },
    async size(tenant): Promise<CacheSize> {
      const held = tenantEntries(tenant);
      return { entries: held.length, bytes: held.reduce((n, [, h]) => n + h.bytes, 0) };
    },
    async close() {
      lru.clear();
    },
  };
}
