import { createHash } from "node:crypto";
import { type RedisClient, scanKeys } from "../redis-client.js";
import { daysBetween, type BudgetAdmission, type UsageRow, type UsageStore } from "./store.js";

// Checks both caps and reserves in one step. KEYS: day counter, month counter, and on one Redis (not a
// cluster) the same counters under their names before hash tags, still counted until they expire.
// ARGV: micros, daily cap (-1 none), monthly cap (-1 none), day TTL ms, month TTL ms.
const RESERVE = `
local amount = tonumber(ARGV[1])
local d = tonumber(redis.call('GET', KEYS[1]) or '0')
local m = tonumber(redis.call('GET', KEYS[2]) or '0')
if #KEYS == 4 then
  d = d + tonumber(redis.call('GET', KEYS[3]) or '0')
  m = m + tonumber(redis.call('GET', KEYS[4]) or '0')
end
local dcap = tonumber(ARGV[2])
local mcap = tonumber(ARGV[3])
if dcap >= 0 and d + amount > dcap then return {0, 'daily', d, dcap} end
if mcap >= 0 and m + amount > mcap then return {0, 'monthly', m, mcap} end
redis.call('INCRBY', KEYS[1], amount)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('INCRBY', KEYS[2], amount)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {1}
`;

// Corrects a reservation to the real cost, never below zero. KEYS: day, month counters. ARGV: delta.
const SETTLE = `
for i = 1, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local v = redis.call('INCRBY', KEYS[i], ARGV[1])
    if v < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
  end
end
return 1
`;

type Scripted = RedisClient & {
  llmgwBudgetReserve(keyCount: number, ...keysAndArgs: (string | number)[]): Promise<(number | string)[]>;
  llmgwBudgetSettle(day: string, month: string, delta: number): Promise<number>;
};

const tag = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);
const NUMERIC = ["requests", "inputTokens", "outputTokens", "costMicros", "savedTokens", "savedMicros"] as const;

/**
 * Usage and budgets in Redis, shared by replicas: one hash per day, tenant,
 * user and model, incremented in one pipeline per call and kept 400 days;
 * budget counters per tenant and day / month, checked and reserved by a Lua
 * script so that replicas cannot both take the last of a budget. A tenant's
 * budget counters share a slot (`{tag}`), as the script needs on a cluster.
 */
export function createRedisUsageStore(redis: RedisClient, prefix = "llmgw:usage"): UsageStore {
  const r = redis as Scripted;
  // The key count varies (legacy counters on one Redis only): given with each call.
  r.defineCommand("llmgwBudgetReserve", { lua: RESERVE });
  r.defineCommand("llmgwBudgetSettle", { numberOfKeys: 2, lua: SETTLE });
  const rowKey = (day: string, tenant: string, user: string, model: string) =>
    `${prefix}:${day}:${tag(tenant)}:${tag(`${user}\u0000${model}`)}`;
  const dayKey = (tenant: string, day: string) => `${prefix}:budget:{${tag(tenant)}}:d:${day}`;
  const monthKey = (tenant: string, month: string) => `${prefix}:budget:{${tag(tenant)}}:m:${month}`;
  // Before hash tags (one Redis only: on a cluster the old script could not run), counters were named
  // without braces. They are read, never written, until they expire (2 days, 32 days), so that an
  // upgrade does not reset what a tenant has spent; on a cluster there are none to read.
  const legacy = (tenant: string, day: string, month: string): string[] =>
    redis.isCluster ? [] : [`${prefix}:budget:${tag(tenant)}:d:${day}`, `${prefix}:budget:${tag(tenant)}:m:${month}`];

  return {
    kind: "redis",
    async add(e) {
      const k = rowKey(e.day, e.tenant, e.user, e.model);
      const p = redis.pipeline().hset(k, { tenant: e.tenant, user: e.user, model: e.model, day: e.day });
      for (const f of NUMERIC) if (e[f] !== 0) p.hincrby(k, f, Math.round(e[f]));
      await p.pexpire(k, 400 * 86_400_000).exec();
    },
    async query(q) {
      const rows: UsageRow[] = [];
      for (const day of daysBetween(q.fromDay, q.toDay)) {
        const pattern = `${prefix}:${day}:${q.tenant === undefined ? "*" : tag(q.tenant)}:*`;
        for await (const { node, keys } of scanKeys(redis, pattern)) {
          const p = node.pipeline();
          for (const k of keys) p.hgetall(k);
          for (const [err, h] of (await p.exec()) ?? []) {
            const row = h as Record<string, string>;
            if (err || !row["tenant"]) continue;
            const out: UsageRow = {
              tenant: row["tenant"],
              user: row["user"] ?? "",
              model: row["model"] ?? "",
              day: row["day"] ?? day,
              requests: 0,
              inputTokens: 0,
              outputTokens: 0,
              costMicros: 0,
              savedTokens: 0,
              savedMicros: 0,
            };
            for (const f of NUMERIC) out[f] = Number(row[f] ?? 0);
            rows.push(out);
          }
        }
      }
      return rows.sort(
        (a, b) =>
          a.day.localeCompare(b.day) || a.tenant.localeCompare(b.tenant) || a.model.localeCompare(b.model) || a.user.localeCompare(b.user),
      );
    },
    async reserve(tenant, day, month, micros, caps): Promise<BudgetAdmission> {
      const dk = dayKey(tenant, day);
      const mk = monthKey(tenant, month);
      const amount = Math.max(0, Math.round(micros));
      const old = legacy(tenant, day, month);
      const res = await r.llmgwBudgetReserve(
        2 + old.length,
        dk,
        mk,
        ...old,
        amount,
        caps.dailyMicros ?? -1,
        caps.monthlyMicros ?? -1,
        2 * 86_400_000,
        32 * 86_400_000,
      );
      if (Number(res[0]) !== 1)
        return { admitted: false, period: res[1] as "daily" | "monthly", spentMicros: Number(res[2]), capMicros: Number(res[3]) };
      return {
        admitted: true,
        async settle(actual) {
          const delta = Math.round(actual) - amount;
          if (delta !== 0) await r.llmgwBudgetSettle(dk, mk, delta);
        },
      };
    },
    async spent(tenant, day, month) {
      const [d, m, oldD, oldM] = await redis.mget(dayKey(tenant, day), monthKey(tenant, month), ...legacy(tenant, day, month));
      return { dayMicros: Number(d ?? 0) + Number(oldD ?? 0), monthMicros: Number(m ?? 0) + Number(oldM ?? 0) };
    },
    async close() {},
  };
}
