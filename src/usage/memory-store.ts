import type { BudgetAdmission, UsageEntry, UsageRow, UsageStore } from "./store.js";

const FIELDS = ["requests", "inputTokens", "outputTokens", "costMicros", "savedTokens", "savedMicros"] as const;

/**
 * Distinct users a tenant's usage keeps apart per day. The user is the
 * caller's to choose: past this many, further new users of that day are
 * added up under OTHER_USERS, so totals stay exact and memory stays bounded.
 */
export const MAX_USERS_PER_TENANT_DAY = 10_000;
export const OTHER_USERS = "(other users)";

/** One replica's usage and budgets. */
export function createMemoryUsageStore(maxUsers = MAX_USERS_PER_TENANT_DAY): UsageStore {
  const rows = new Map<string, UsageRow>();
  const budget = new Map<string, number>();
  const usersOf = new Map<string, Set<string>>();
  const keyOf = (e: UsageEntry) => [e.day, e.tenant, e.user, e.model].join("\u0000");
  const spentOf = (k: string) => budget.get(k) ?? 0;
  const bump = (k: string, by: number) => budget.set(k, Math.max(0, spentOf(k) + by));
  /** The user a row is kept under: the entry's own, or OTHER_USERS once its tenant's day is full. */
  function userOf(e: UsageEntry): string {
    const dayKey = `${e.day}\u0000${e.tenant}`;
    let users = usersOf.get(dayKey);
    if (!users) usersOf.set(dayKey, (users = new Set()));
    if (users.has(e.user)) return e.user;
    if (users.size >= maxUsers) return OTHER_USERS;
    users.add(e.user);
    return e.user;
  }
  return {
    kind: "memory",
    async add(entry) {
      const e = { ...entry, user: userOf(entry) };
      const k = keyOf(e);
      const row = rows.get(k);
      if (!row) rows.set(k, e);
      else for (const f of FIELDS) row[f] += e[f];
    },
    async query(q) {
      return [...rows.values()]
        .filter((r) => r.day >= q.fromDay && r.day <= q.toDay && (q.tenant === undefined || r.tenant === q.tenant))
        .map((r) => ({ ...r }))
        .sort(
          (a, b) =>
            a.day.localeCompare(b.day) ||
            a.tenant.localeCompare(b.tenant) ||
            a.model.localeCompare(b.model) ||
            a.user.localeCompare(b.user),
        );
    },
    async reserve(tenant, day, month, micros, caps): Promise<BudgetAdmission> {
      const dk = `d\u0000${tenant}\u0000${day}`;
      const mk = `m\u0000${tenant}\u0000${month}`;
      if (caps.dailyMicros !== undefined && spentOf(dk) + micros > caps.dailyMicros)
        return { admitted: false, period: "daily", spentMicros: spentOf(dk), capMicros: caps.dailyMicros };
      if (caps.monthlyMicros !== undefined && spentOf(mk) + micros > caps.monthlyMicros)
        return { admitted: false, period: "monthly", spentMicros: spentOf(mk), capMicros: caps.monthlyMicros };
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
