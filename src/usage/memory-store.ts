import type { BudgetAdmission, UsageEntry, UsageRow, UsageStore } from "./store.js";

const FIELDS = ["requests", "inputTokens", "outputTokens", "costMicros", "savedTokens", "savedMicros"] as const;

/** One replica's usage and budgets. */
export function createMemoryUsageStore(): UsageStore {
  const rows = new Map<string, UsageRow>();
  const budget = new Map<string, number>();
  const keyOf = (e: UsageEntry) => [e.day, e.tenant, e.user, e.model].join("\u0000");
  const spentOf = (k: string) => budget.get(k) ?? 0;
  const bump = (k: string, by: number) => budget.set(k, Math.max(0, spentOf(k) + by));
  return {
    kind: "memory",
    async add(e) {
      const k = keyOf(e);
      const row = rows.get(k);
      if (!row) rows.set(k, { ...e });
      else for (const f of FIELDS) row[f] += e[f];
    },
    async query(q) {
      return [...rows.values()]
        .filter((r) => r.day >= q.fromDay && r.day <= q.toDay && (q.tenant === undefined || r.tenant === q.tenant))
        .map((r) => ({ ...r }))
        .sort((a, b) => a.day.localeCompare(b.day) || a.tenant.localeCompare(b.tenant) || a.model.localeCompare(b.model) || a.user.localeCompare(b.user));
    },
    async reserve(tenant, day, month, micros, caps): Promise<BudgetAdmission> {
      const dk = `d\u0000${tenant}\u0000${day}`;
      const mk = `m\u0000${tenant}\u0000${month}`;
      if (caps.dailyMicros !== undefined && spentOf(dk) + micros > caps.dailyMicros) return { admitted: false, period: "daily", spentMicros: spentOf(dk), capMicros: caps.dailyMicros };
      if (caps.monthlyMicros !== undefined && spentOf(mk) + micros > caps.monthlyMicros) return { admitted: false, period: "monthly", spentMicros: spentOf(mk), capMicros: caps.monthlyMicros };
      bump(dk, micros);
      bump(mk, micros);
      return {
        admitted: true,
        async settle(actual) {
          bump(dk, actual - micros);
          bump(mk, actual - micros);
        },
      };
    },
    async spent(tenant, day, month) {
      return { dayMicros: spentOf(`d\u0000${tenant}\u0000${day}`), monthMicros: spentOf(`m\u0000${tenant}\u0000${month}`) };
    },
    async close() {},
  };
}
