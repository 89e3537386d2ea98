/** One call's usage, as it is added to its day's totals. Money is in micro-USD (integers, so sums never drift). */
export interface UsageEntry {
  tenant: string;
  user: string;
  model: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  /** Tokens and cost a cache hit or a coalesced call did not spend. */
  savedTokens: number;
  savedMicros: number;
}

export type UsageRow = UsageEntry;

export interface UsageQuery {
  tenant?: string | undefined;
  /** Inclusive UTC days, YYYY-MM-DD. */
  fromDay: string;
  toDay: string;
}

/** The levels a call's spending counts against, outermost first. */
export type BudgetLevelName = "tenant" | "project" | "key" | "user";
export type BudgetPeriod = "daily" | "monthly";

export interface BudgetCaps {
  dailyMicros?: number | undefined;
  monthlyMicros?: number | undefined;
}

/** One level a call reserves against: which (its name within the tenant) and its caps. */
export interface BudgetLevel {
  level: BudgetLevelName;
  /** The tenant's name, the project's name, the key's id, or the end user. */
  id: string;
  caps: BudgetCaps;
}

/** A level's spending crossed a share of a cap: reported once per level, period and threshold, by the call that crossed it. */
export interface BudgetCrossing {
  level: BudgetLevelName;
  id: string;
  period: BudgetPeriod;
  /** Percent of the cap: 50, 80 or 100. */
  threshold: number;
  spentMicros: number;
  capMicros: number;
}

/** The shares of a cap whose crossing is reported, in percent. */
export const ALERT_THRESHOLDS = [50, 80, 100] as const;

/** A budget check's outcome: a reservation on every level to settle, or the level and cap that refused. */
export type BudgetAdmission =
  | {
      admitted: true;
      reservedMicros: number;
      /** Corrects the reservation on every level to the real cost; answers with the thresholds that settling crossed. */
      settle(actualMicros: number): Promise<BudgetCrossing[]>;
    }
  | { admitted: false; level: BudgetLevelName; id: string; period: BudgetPeriod; spentMicros: number; capMicros: number };

/** What budgets need of a store: one atomic reservation over a call's levels, and what a level has spent. */
export interface BudgetCounters {
  /**
   * Reserves `micros` on every level, or on none when any level's cap would be passed; all of one
   * tenant's counters are kept together (one Redis Cluster slot), so that one script does it.
   */
  reserve(tenant: string, day: string, month: string, micros: number, levels: readonly BudgetLevel[]): Promise<BudgetAdmission>;
  /** What a level (the tenant itself unless given) has spent and reserved, today and this month. */
  spent(
    tenant: string,
    day: string,
    month: string,
    level?: { level: BudgetLevelName; id: string },
  ): Promise<{ dayMicros: number; monthMicros: number }>;
}

/**
 * Where usage and budgets live: memory for one replica, Redis for replicas
 * (test/usage/store-contract.test.ts runs against both). Budgets reserve a
 * call's most it can cost before it runs, atomically against the caps, and
 * settle to what it cost: replicas together never pass a cap by more than
 * the calls in flight cost beyond their reservations.
 */
export interface UsageStore extends BudgetCounters {
  readonly kind: "memory" | "redis";
  add(entry: UsageEntry): Promise<void>;
  query(q: UsageQuery): Promise<UsageRow[]>;
  close(): Promise<void>;
}

/** The thresholds a counter at `after` has reached of `cap` beyond the highest already reported (`reported`, percent). */
export function crossed(after: number, cap: number, reported: number): number[] {
  return ALERT_THRESHOLDS.filter((t) => t > reported && after * 100 >= t * cap);
}

let memoDay = -1;
let memoText = "";
/** The UTC day of a time, YYYY-MM-DD; the last one is remembered, since every call of a day asks. */
export function dayOf(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== memoDay) {
    memoText = new Date(day * 86_400_000).toISOString().slice(0, 10);
    memoDay = day;
  }
  return memoText;
}
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);
/** Days from `from` to `to`, inclusive, at most 400. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < 400; t += 86_400_000) out.push(dayOf(t));
  return out;
}
