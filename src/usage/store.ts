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

/** A budget check's outcome: a reservation to settle, or which cap refused. */
export type BudgetAdmission =
  | { admitted: true; settle(actualMicros: number): Promise<void> }
  | { admitted: false; period: "daily" | "monthly"; spentMicros: number; capMicros: number };

export interface BudgetCaps {
  dailyMicros?: number | undefined;
  monthlyMicros?: number | undefined;
}

/**
 * Where usage and budgets live: memory for one replica, Redis for replicas
 * (test/usage/store-contract.test.ts runs against both). Budgets reserve a
 * call's most it can cost before it runs, atomically against the caps, and
 * settle to what it cost: replicas together never pass a cap by more than
 * the calls in flight cost beyond their reservations.
 */
export interface UsageStore {
  readonly kind: "memory" | "redis";
  add(entry: UsageEntry): Promise<void>;
  query(q: UsageQuery): Promise<UsageRow[]>;
  reserve(tenant: string, day: string, month: string, micros: number, caps: BudgetCaps): Promise<BudgetAdmission>;
  /** What a tenant has spent and reserved, today and this month. */
  spent(tenant: string, day: string, month: string): Promise<{ dayMicros: number; monthMicros: number }>;
  close(): Promise<void>;
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
