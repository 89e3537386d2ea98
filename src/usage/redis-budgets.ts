import { createHash } from "node:crypto";
import type { RedisClient } from "../redis-client.js";
import {
  ALERT_THRESHOLDS,
  type BudgetAdmission,
  type BudgetCounters,
  type BudgetCrossing,
  type BudgetLevel,
  type BudgetLevelName,
  type BudgetPeriod,
} from "./store.js";

// Checks every level's caps and reserves on all of them or on none. KEYS: per level, its day and its
// month counter. ARGV: micros, day TTL ms, month TTL ms, then per level its daily and monthly cap (-1: none).
// Answers {1}, or {0, level index (1-based), period, spent, cap} for the first cap that would be passed.
const RESERVE = `
local amount = tonumber(ARGV[1])
local n = #KEYS / 2
for i = 1, n do
  local d = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local m = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local dcap = tonumber(ARGV[2 + 2 * i])
  local mcap = tonumber(ARGV[3 + 2 * i])
  if dcap >= 0 and d + amount > dcap then return {0, i, 'daily', d, dcap} end
  if mcap >= 0 and m + amount > mcap then return {0, i, 'monthly', m, mcap} end
end
for i = 1, n do
  redis.call('INCRBY', KEYS[2 * i - 1], amount)
  redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[2])
  redis.call('INCRBY', KEYS[2 * i], amount)
  redis.call('PEXPIRE', KEYS[2 * i], ARGV[3])
end
return {1}
`;

// Corrects a reservation to the real cost on every level (never below zero), then reports each
// threshold a capped counter has reached that was not reported before in its period: the highest
// reported is kept beside the counter, so that among replicas exactly one settlement reports it.
// KEYS: per level, day counter, month counter, day mark, month mark. ARGV: delta, then per level its
// daily and monthly cap (-1: none), then the thresholds in percent.
// Answers a flat list of {level index, period, threshold, spent, cap}.
const SETTLE = `
local delta = tonumber(ARGV[1])
local n = #KEYS / 4
local thresholds = {}
for j = 2 + 2 * n, #ARGV do thresholds[#thresholds + 1] = tonumber(ARGV[j]) end
local out = {}
for i = 1, n do
  for p = 0, 1 do
    local key = KEYS[4 * i - 3 + p]
    local mark = KEYS[4 * i - 1 + p]
    if redis.call('EXISTS', key) == 1 then
      local v = redis.call('INCRBY', key, delta)
      if v < 0 then redis.call('SET', key, 0, 'KEEPTTL'); v = 0 end
      local cap = tonumber(ARGV[2 * i + p])
      if cap > 0 then
        local reported = tonumber(redis.call('GET', mark) or '0')
        for _, t in ipairs(thresholds) do
          if t > reported and v * 100 >= t * cap then
            local ttl = redis.call('PTTL', key)
            if ttl > 0 then redis.call('SET', mark, t, 'PX', ttl) else redis.call('SET', mark, t) end
            reported = t
            out[#out + 1] = i
            out[#out + 1] = p == 0 and 'daily' or 'monthly'
            out[#out + 1] = t
            out[#out + 1] = v
            out[#out + 1] = cap
          end
        end
      end
    end
  end
end
return out
`;

// Moves a tenant's counters from their names before hash tags (one Redis only: the old scripts could not
// run on a cluster) into the tenant level's, keeping the longer TTL. KEYS: old day, old month, new day,
// new month. Moved, not copied, so that two replicas doing it at once count them once.
const ADOPT = `
for i = 1, 2 do
  local v = redis.call('GET', KEYS[i])
  if v then
    local ttl = redis.call('PTTL', KEYS[i])
    redis.call('INCRBY', KEYS[i + 2], v)
    if ttl > redis.call('PTTL', KEYS[i + 2]) then redis.call('PEXPIRE', KEYS[i + 2], ttl) end
    redis.call('DEL', KEYS[i])
  end
end
return 1
`;

type Scripted = RedisClient & {
  llmgwBudgetsReserve(...args: (string | number)[]): Promise<(number | string)[]>;
  llmgwBudgetsSettle(...args: (string | number)[]): Promise<(number | string)[]>;
  llmgwBudgetsAdopt(oldDay: string, oldMonth: string, day: string, month: string): Promise<number>;
};

/** Tenant periods whose old counters this process has adopted; forgotten wholesale past this many. */
const ADOPTED_KEPT = 10_000;

const tag = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);
/** Tenant names are letters, digits, . _ and -, readable in a key; anything else is hashed (no braces reach a hash tag). */
const slotOf = (tenant: string) => `{budget:${/^[\w.-]{1,64}$/.test(tenant) ? tenant : tag(tenant)}}`;

/**
 * Budget counters in Redis, shared by replicas. Every counter of one tenant
 * carries the hash tag {budget:<tenant>}, so that one script reserves on all
 * of a call's levels at once, on a single Redis or a Redis Cluster.
 */
export function createRedisBudgets(redis: RedisClient, prefix: string): BudgetCounters {
  const r = redis as Scripted;
  // numberOfKeys varies with the levels, so it is passed first on each call.
  r.defineCommand("llmgwBudgetsReserve", { lua: RESERVE });
  r.defineCommand("llmgwBudgetsSettle", { lua: SETTLE });
  r.defineCommand("llmgwBudgetsAdopt", { numberOfKeys: 4, lua: ADOPT });
  const base = (tenant: string, l: { level: BudgetLevelName; id: string }) =>
    `${prefix}:${slotOf(tenant)}:${l.level}:${l.level === "tenant" ? "-" : tag(l.id)}`;
  const cap = (micros: number | undefined) => (micros === undefined ? -1 : Math.round(micros));
  // A tenant's spend from before budget levels (`<prefix>:budget:<tag>:d|m:<period>`, one Redis only) is
  // adopted into its tenant level on the first call of each day, so an upgrade resets nobody's spend.
  const adopted = new Set<string>();
  const adopt = async (tenant: string, day: string, month: string): Promise<void> => {
    if (redis.isCluster || adopted.has(`${tenant}\u0000${day}`)) return;
    const old = `${prefix}:budget:${tag(tenant)}`;
    const now = base(tenant, { level: "tenant", id: tenant });
    await r.llmgwBudgetsAdopt(`${old}:d:${day}`, `${old}:m:${month}`, `${now}:d:${day}`, `${now}:m:${month}`);
    if (adopted.size >= ADOPTED_KEPT) adopted.clear();
    adopted.add(`${tenant}\u0000${day}`);
  };

  return {
    async reserve(tenant, day, month, micros, levels): Promise<BudgetAdmission> {
      await adopt(tenant, day, month);
      const amount = Math.max(0, Math.round(micros));
      const keys = levels.flatMap((l) => [`${base(tenant, l)}:d:${day}`, `${base(tenant, l)}:m:${month}`]);
      const caps = levels.flatMap((l) => [cap(l.caps.dailyMicros), cap(l.caps.monthlyMicros)]);
      const res = await r.llmgwBudgetsReserve(keys.length, ...keys, amount, 2 * 86_400_000, 32 * 86_400_000, ...caps);
      if (Number(res[0]) !== 1) {
        const l = levels[Number(res[1]) - 1]!;
        const period = res[2] as BudgetPeriod;
        return { admitted: false, level: l.level, id: l.id, period, spentMicros: Number(res[3]), capMicros: Number(res[4]) };
      }
      const settleKeys = levels.flatMap((l) => {
        const d = `${base(tenant, l)}:d:${day}`;
        const m = `${base(tenant, l)}:m:${month}`;
        return [d, m, `${d}:alerted`, `${m}:alerted`];
      });
      return {
        admitted: true,
        reservedMicros: amount,
        async settle(actual) {
          const delta = Math.round(actual) - amount;
          const flat = await r.llmgwBudgetsSettle(settleKeys.length, ...settleKeys, delta, ...caps, ...ALERT_THRESHOLDS);
          return crossingsOf(flat, levels);
        },
      };
    },
    async spent(tenant, day, month, level) {
      await adopt(tenant, day, month);
      const b = base(tenant, level ?? { level: "tenant", id: tenant });
      const [d, m] = await redis.mget(`${b}:d:${day}`, `${b}:m:${month}`);
      return { dayMicros: Number(d ?? 0), monthMicros: Number(m ?? 0) };
    },
  };
}

function crossingsOf(flat: (number | string)[], levels: readonly BudgetLevel[]): BudgetCrossing[] {
  const out: BudgetCrossing[] = [];
  for (let i = 0; i + 4 < flat.length; i += 5) {
    const l = levels[Number(flat[i]) - 1]!;
    out.push({
      level: l.level,
      id: l.id,
      period: flat[i + 1] as BudgetPeriod,
      threshold: Number(flat[i + 2]),
      spentMicros: Number(flat[i + 3]),
      capMicros: Number(flat[i + 4]),
    });
  }
  return out;
}
