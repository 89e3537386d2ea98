import { LRUCache } from "lru-cache";
import type { Clock } from "../../core/clock.js";
import { type RedisClient, unlinkMatching } from "../../redis-client.js";
import { tenantTag } from "../key.js";
import { bucketOf, type Observations } from "./verify-model.js";

/** One place an observation is added to: an entry (its exact-cache key) or a pool, living ttlMs from now. */
export interface VerifyTarget {
  id: string;
  ttlMs: number;
}

/**
 * What verification has learnt, per tenant and entry: one interface, a memory
 * implementation for one replica and a Redis one shared by replicas, under one
 * contract test (test/cache/verify-store-contract.test.ts).
 */
export interface VerifyStore {
  readonly kind: "memory" | "redis";
  /** The observations of each id, in order; an id with none (unknown, expired) gets an empty map. */
  get(tenant: string, ids: readonly string[]): Promise<Observations[]>;
  /** Adds one observation to every target (concurrent records are never lost; each target's count and expiry move together). */
  record(tenant: string, targets: readonly VerifyTarget[], similarity: number, correct: boolean): Promise<void>;
  clear(tenant?: string): Promise<void>;
}

/** One replica's state: the least recently used entries go first past maxEntries; TTLs on the injected clock. */
export function createMemoryVerifyStore(clock: Clock, maxEntries: number): VerifyStore {
  const lru = new LRUCache<string, { tenant: string; obs: Observations }>({
    max: maxEntries,
    perf: { now: () => clock.monotonic() },
    ttlAutopurge: false,
  });
  const keyOf = (tenant: string, id: string) => `${tenant}\u0000${id}`;
  return {
    kind: "memory",
    async get(tenant, ids) {
      // Copies: a caller that fits a model must not see observations arrive half-way.
      return ids.map((id) => new Map([...(lru.get(keyOf(tenant, id))?.obs ?? [])].map(([b, o]) => [b, { ...o }])));
    },
    async record(tenant, targets, similarity, correct) {
      const b = bucketOf(similarity);
      for (const { id, ttlMs } of targets) {
        const k = keyOf(tenant, id);
        const held = lru.get(k) ?? { tenant, obs: new Map() };
        const o = held.obs.get(b) ?? { ok: 0, bad: 0 };
        if (correct) o.ok++;
        else o.bad++;
        held.obs.set(b, o);
        lru.set(k, held, { ttl: Math.max(1, ttlMs) });
      }
    },
    async clear(tenant) {
      if (tenant === undefined) lru.clear();
      else for (const [k, v] of [...lru.entries()]) if (v.tenant === tenant) lru.delete(k);
    },
  };
}

/**
 * The shared state: one Redis hash per entry, `<prefix>:<tenant tag>:<id>`,
 * whose fields are `<similarity in thousandths>:<1 agreed | 0 disagreed>` and
 * whose values are counts. An observation is an HINCRBY, so replicas recording
 * at once never lose one another's; the hash expires with its entry (PEXPIRE
 * on every record, in the same MULTI). Every command names one key, so that a
 * Redis Cluster may hold an entry and its pool on different slots.
 */
export function createRedisVerifyStore(redis: RedisClient, prefix = "llmgw:verify"): VerifyStore {
  const keyOf = (tenant: string, id: string) => `${prefix}:${tenantTag(tenant)}:${id}`;
  return {
    kind: "redis",
    async get(tenant, ids) {
      // Sent together (ioredis writes them without waiting), each to the node of its slot.
      const replies = await Promise.all(ids.map((id) => redis.hgetall(keyOf(tenant, id))));
      return replies.map((fields) => {
        const obs: Observations = new Map();
        for (const [field, count] of Object.entries(fields as Record<string, string>)) {
          const [bucket, label] = field.split(":");
          const o = obs.get(Number(bucket)) ?? { ok: 0, bad: 0 };
          if (label === "1") o.ok += Number(count);
          else o.bad += Number(count);
          obs.set(Number(bucket), o);
        }
        return obs;
      });
    },
    async record(tenant, targets, similarity, correct) {
      const field = `${bucketOf(similarity)}:${correct ? 1 : 0}`;
      await Promise.all(
        targets.map(async ({ id, ttlMs }) => {
          const k = keyOf(tenant, id);
          const replies = await redis
            .multi()
            .hincrby(k, field, 1)
            .pexpire(k, Math.max(1, Math.round(ttlMs)))
            .exec();
          for (const [err] of replies ?? []) if (err) throw err;
        }),
      );
    },
    async clear(tenant) {
      await unlinkMatching(redis, `${prefix}:${tenant === undefined ? "*" : tenantTag(tenant)}:*`);
    },
  };
}
