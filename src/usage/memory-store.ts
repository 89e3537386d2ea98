import { createMemoryBudgets } from "./memory-budgets.js";
import type { UsageEntry, UsageRow, UsageStore } from "./store.js";

const FIELDS = ["requests", "inputTokens", "outputTokens", "costMicros", "savedTokens", "savedMicros"] as const;

/**
 * Distinct users a tenant's usage keeps apart per day. The user is the
 * caller's to choose: past this many, further new users of that day are
 * added up under OTHER_USERS, so totals stay exact and memory stays bounded.
 */
export const MAX_USERS_PER_TENANT_DAY = 10_000;
export const OTHER_USERS = "(other users)";
/** Distinct tenants kept apart per day: on an open gateway the tenant is the request's user, which callers invent. */
export const MAX_TENANTS_PER_DAY = 10_000;
export const OTHER_TENANTS = "(other tenants)";
/** Days kept: as many as a usage query may span. */
const KEPT_DAYS = 400;

/** One replica's usage and budgets, bounded per day and in days. */
export function createMemoryUsageStore(maxUsers = MAX_USERS_PER_TENANT_DAY, maxTenants = MAX_TENANTS_PER_DAY): UsageStore {
  const rows = new Map<string, UsageRow>();
  const budgets = createMemoryBudgets();
  /** Per day: its tenants, and per tenant its users. */
  const days = new Map<string, Map<string, Set<string>>>();
  const keyOf = (e: UsageEntry) => [e.day, e.tenant, e.user, e.model].join("\u0000");

  /** Forgets the oldest day once more than KEPT_DAYS are held. */
  function retain(): void {
    if (days.size <= KEPT_DAYS) return;
    const oldest = [...days.keys()].sort()[0]!;
    days.delete(oldest);
    for (const [k, r] of rows) if (r.day === oldest) rows.delete(k);
  }

  /** Where an entry is kept: its own tenant and user, or the overflow rows once its day is full. */
  function placed(e: UsageEntry): UsageEntry {
    let tenants = days.get(e.day);
    if (!tenants) {
      days.set(e.day, (tenants = new Map()));
      retain();
    }
    let tenant = e.tenant;
    let users = tenants.get(tenant);
    if (!users) {
      if (tenants.size >= maxTenants) tenant = OTHER_TENANTS;
      users = tenants.get(tenant) ?? new Set();
      tenants.set(tenant, users);
    }
    let user = e.user;
    if (!users.has(user)) {
      if (users.size >= maxUsers) user = OTHER_USERS;
      else users.add(user);
    }
    return tenant === e.tenant && user === e.user ? { ...e } : { ...e, tenant, user };
  }
  return {
    kind: "memory",
    async add(entry) {
      const e = placed(entry);
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
    reserve: budgets.reserve,
    spent: budgets.spent,
    async close() {},
  };
}
