import { createHash } from "node:crypto";
import { type RedisClient, scanKeys } from "../redis-client.js";
import { createRedisBudgets } from "./redis-budgets.js";
import { daysBetween, type UsageRow, type UsageStore } from "./store.js";

const tag = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);
const NUMERIC = ["requests", "inputTokens", "outputTokens", "costMicros", "savedTokens", "savedMicros"] as const;

/**
 * Usage and budgets in Redis, shared by replicas: one hash per day, tenant,
 * user and model, incremented in one pipeline per call and kept 400 days;
 * budget counters per level, day and month (redis-budgets.ts), checked and
 * reserved by a Lua script so that replicas cannot both take the last of a budget.
 */
export function createRedisUsageStore(redis: RedisClient, prefix = "llmgw:usage"): UsageStore {
  const budgets = createRedisBudgets(redis, prefix);
  const rowKey = (day: string, tenant: string, user: string, model: string) =>
    `${prefix}:${day}:${tag(tenant)}:${tag(`${user}\u0000${model}`)}`;

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
    reserve: budgets.reserve,
    spent: budgets.spent,
    async close() {},
  };
}
