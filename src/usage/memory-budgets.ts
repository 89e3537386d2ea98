import { crossed, type BudgetAdmission, type BudgetCounters, type BudgetCrossing, type BudgetPeriod } from "./store.js";

/** Periods kept per kind: today and yesterday, this month and last (a call that began before midnight settles after it). */
const KEPT_PERIODS = 2;

interface Counter {
  micros: number;
  /** The highest threshold already reported, in percent (0: none). */
  reported: number;
}

/** Counters kept per period before new end users share one: users are the caller's to invent. */
export const MAX_COUNTERS_PER_PERIOD = 200_000;
export const OTHER_USERS = "(other users)";

/**
 * One replica's budget counters: per period (a day or a month), per tenant,
 * level and id. Only the current and the previous period of each kind are
 * kept, and past `maxCounters` in a period new end users count together
 * under OTHER_USERS (with the per-user caps: that errs on the side of the
 * cap), so that users, whom callers name, cannot grow it without bound.
 */
export function createMemoryBudgets(maxCounters = MAX_COUNTERS_PER_PERIOD): BudgetCounters {
  const periods = new Map<string, Map<string, Counter>>();

  function countersOf(period: string): Map<string, Counter> {
    let counters = periods.get(period);
    if (!counters) {
      periods.set(period, (counters = new Map()));
      // Days (YYYY-MM-DD) and months (YYYY-MM) are kept apart by their length; the oldest of a kind go first.
      const same = [...periods.keys()].filter((p) => p.length === period.length).sort();
      for (const old of same.slice(0, Math.max(0, same.length - KEPT_PERIODS))) periods.delete(old);
    }
    return counters;
  }
  const keyOf = (tenant: string, l: { level: string; id: string }) => `${tenant}\u0000${l.level}\u0000${l.id}`;
  function counter(period: string, tenant: string, l: { level: string; id: string }): Counter {
    const counters = countersOf(period);
    let key = keyOf(tenant, l);
    if (!counters.has(key) && l.level === "user" && counters.size >= maxCounters) key = keyOf(tenant, { level: "user", id: OTHER_USERS });
    let c = counters.get(key);
    if (!c) counters.set(key, (c = { micros: 0, reported: 0 }));
    return c;
  }

  return {
    async reserve(tenant, day, month, micros, levels): Promise<BudgetAdmission> {
      const slots = levels.map((l) => ({
        l,
        d: counter(day, tenant, l),
        m: counter(month, tenant, l),
      }));
      for (const { l, d, m } of slots) {
        const refused = (period: BudgetPeriod, c: Counter, cap: number) =>
          ({ admitted: false, level: l.level, id: l.id, period, spentMicros: c.micros, capMicros: cap }) as const;
        if (l.caps.dailyMicros !== undefined && d.micros + micros > l.caps.dailyMicros) return refused("daily", d, l.caps.dailyMicros);
        if (l.caps.monthlyMicros !== undefined && m.micros + micros > l.caps.monthlyMicros)
          return refused("monthly", m, l.caps.monthlyMicros);
      }
      for (const { d, m } of slots) {
        d.micros += micros;
        m.micros += micros;
      }
      return {
        admitted: true,
        reservedMicros: micros,
        async settle(actual) {
          const out: BudgetCrossing[] = [];
          for (const { l, d, m } of slots) {
            for (const [period, c, cap] of [
              ["daily", d, l.caps.dailyMicros],
              ["monthly", m, l.caps.monthlyMicros],
            ] as [BudgetPeriod, Counter, number | undefined][]) {
              c.micros = Math.max(0, c.micros + actual - micros);
              if (cap === undefined) continue;
              for (const threshold of crossed(c.micros, cap, c.reported)) {
                out.push({ level: l.level, id: l.id, period, threshold, spentMicros: c.micros, capMicros: cap });
                c.reported = threshold;
              }
            }
          }
          return out;
        },
      };
    },
    async spent(tenant, day, month, level) {
      const key = keyOf(tenant, level ?? { level: "tenant", id: tenant });
      return { dayMicros: periods.get(day)?.get(key)?.micros ?? 0, monthMicros: periods.get(month)?.get(key)?.micros ?? 0 };
    },
  };
}
