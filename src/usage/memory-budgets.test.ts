import { describe, expect, it } from "vitest";
import { createMemoryBudgets, OTHER_USERS } from "./memory-budgets.js";
import type { BudgetLevel } from "./store.js";

const levels: BudgetLevel[] = [{ level: "user", id: "ann", caps: { dailyMicros: 100, monthlyMicros: 1000 } }];
const user = levels[0]!;

describe("memory budget counters", () => {
  it("keep two days and two months: older periods are forgotten as new ones begin", async () => {
    const b = createMemoryBudgets();
    const periods: [string, string][] = [
      ["2026-10-31", "2026-10"],
      ["2026-11-01", "2026-11"],
      ["2026-11-02", "2026-11"],
    ];
    for (const [day, month] of periods) expect((await b.reserve("acme", day, month, 60, levels)).admitted).toBe(true);
    expect(await b.spent("acme", "2026-10-31", "2026-10", user)).toEqual({ dayMicros: 0, monthMicros: 60 });
    expect(await b.spent("acme", "2026-11-02", "2026-11", user)).toEqual({ dayMicros: 60, monthMicros: 120 });
    await b.reserve("acme", "2026-12-01", "2026-12", 60, levels);
    expect(await b.spent("acme", "2026-11-01", "2026-10", user)).toEqual({ dayMicros: 0, monthMicros: 0 });
  });

  it("settle a reservation whose day has been forgotten without touching the new day's counter", async () => {
    const b = createMemoryBudgets();
    const old = await b.reserve("acme", "2026-11-01", "2026-11", 90, levels);
    await b.reserve("acme", "2026-11-02", "2026-11", 10, levels);
    await b.reserve("acme", "2026-11-03", "2026-11", 10, levels);
    if (!old.admitted) throw new Error("refused");
    await old.settle(0);
    expect(await b.spent("acme", "2026-11-03", "2026-11", user)).toEqual({ dayMicros: 10, monthMicros: 20 });
  });

  it("count new end users together once a period holds its most counters, keeping their caps", async () => {
    const b = createMemoryBudgets(3);
    const as = (id: string): BudgetLevel[] => [{ level: "user", id, caps: { dailyMicros: 100 } }];
    for (const id of ["a", "b", "c", "d"]) expect((await b.reserve("acme", "2026-11-01", "2026-11", 60, as(id))).admitted).toBe(true);
    // e shares d's overflow counter, and its cap: 60 + 60 would pass 100.
    expect(await b.reserve("acme", "2026-11-01", "2026-11", 60, as("e"))).toMatchObject({ admitted: false, spentMicros: 60 });
    expect((await b.spent("acme", "2026-11-01", "2026-11", { level: "user", id: OTHER_USERS })).dayMicros).toBe(60);
    expect((await b.spent("acme", "2026-11-01", "2026-11", { level: "user", id: "a" })).dayMicros).toBe(60);
  });
});
