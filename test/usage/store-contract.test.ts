import { describe, expect, it } from "vitest";
import { createMemoryUsageStore } from "../../src/usage/memory-store.js";
import { createRedisUsageStore } from "../../src/usage/redis-store.js";
import type { BudgetCaps, BudgetLevel, UsageEntry, UsageStore } from "../../src/usage/store.js";
import { redisBackends } from "../support/redis-cluster.js";

const DAY = "2026-11-22";
const MONTH = "2026-11";
const tenantLevel = (caps: BudgetCaps, id = "acme"): BudgetLevel[] => [{ level: "tenant", id, caps }];

/** Each backend, and a second handle on the same data (another replica) where there is one. */
const backends: [string, () => [UsageStore, UsageStore]][] = [
  [
    "memory",
    () => {
      const s = createMemoryUsageStore();
      return [s, s];
    },
  ],
  ...redisBackends((client) => (): [UsageStore, UsageStore] => [createRedisUsageStore(client()), createRedisUsageStore(client())]),
];

const entry = (over: Partial<UsageEntry>): UsageEntry => ({
  tenant: "acme",
  user: "ann",
  model: "gpt-test",
  day: "2026-11-22",
  requests: 1,
  inputTokens: 100,
  outputTokens: 20,
  costMicros: 140,
  savedTokens: 0,
  savedMicros: 0,
  ...over,
});

describe.each(backends)("usage store contract: %s", (_name, make) => {
  it("adds calls up per day, tenant, user and model, and filters by tenant and days", async () => {
    const [s] = make();
    await s.add(entry({}));
    await s.add(entry({ inputTokens: 50, costMicros: 60, savedTokens: 7, savedMicros: 9 }));
    await s.add(entry({ model: "claude-test" }));
    await s.add(entry({ tenant: "globex" }));
    await s.add(entry({ day: "2026-11-23", user: "bob" }));
    const rows = await s.query({ tenant: "acme", fromDay: "2026-11-22", toDay: "2026-11-22" });
    expect(rows.map((r) => [r.model, r.requests, r.inputTokens, r.costMicros, r.savedTokens, r.savedMicros])).toEqual([
      ["claude-test", 1, 100, 140, 0, 0],
      ["gpt-test", 2, 150, 200, 7, 9],
    ]);
    expect((await s.query({ fromDay: "2026-11-22", toDay: "2026-11-23" })).map((r) => `${r.day} ${r.tenant} ${r.user}`)).toEqual([
      "2026-11-22 acme ann",
      "2026-11-22 acme ann",
      "2026-11-22 globex ann",
      "2026-11-23 acme bob",
    ]);
    expect(await s.query({ tenant: "initech", fromDay: "2026-01-01", toDay: "2026-12-31" })).toEqual([]);
  });

  it("reserves against daily and monthly caps, refuses what would pass one, and settles to the real cost", async () => {
    const [s] = make();
    const caps = tenantLevel({ dailyMicros: 1000, monthlyMicros: 1500 });
    const a = await s.reserve("acme", "2026-11-22", "2026-11", 600, caps);
    expect(a.admitted).toBe(true);
    expect(await s.reserve("acme", "2026-11-22", "2026-11", 500, caps)).toEqual({
      admitted: false,
      level: "tenant",
      id: "acme",
      period: "daily",
      spentMicros: 600,
      capMicros: 1000,
    });
    if (a.admitted) await a.settle(200);
    expect(await s.spent("acme", "2026-11-22", "2026-11")).toEqual({ dayMicros: 200, monthMicros: 200 });
    expect((await s.reserve("acme", "2026-11-22", "2026-11", 500, caps)).admitted).toBe(true);
    // A new day, the same month: the monthly cap is what refuses.
    expect(await s.reserve("acme", "2026-11-23", "2026-11", 900, caps)).toMatchObject({
      admitted: false,
      period: "monthly",
      spentMicros: 700,
    });
    expect((await s.reserve("globex", "2026-11-22", "2026-11", 900, tenantLevel({ dailyMicros: 1000 }, "globex"))).admitted).toBe(true);
  });

  it("two replicas reserving at once never pass the cap together", async () => {
    const [a, b] = make();
    const levels = tenantLevel({ dailyMicros: 1000 }, "shared");
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).reserve("shared", "2026-11-22", "2026-11", 100, levels)),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(10);
    expect((await a.spent("shared", "2026-11-22", "2026-11")).dayMicros).toBe(1000);
  });

  it("reserves on every level or on none, and says which level and period refused", async () => {
    const [s] = make();
    const levels: BudgetLevel[] = [
      { level: "tenant", id: "acme", caps: { monthlyMicros: 10_000 } },
      { level: "project", id: "search", caps: { dailyMicros: 5_000 } },
      { level: "key", id: "k1", caps: { dailyMicros: 3_000 } },
      { level: "user", id: "ann", caps: { dailyMicros: 1_000 } },
    ];
    const spentBy = async (level: BudgetLevel) => (await s.spent("acme", DAY, MONTH, level)).dayMicros;
    expect((await s.reserve("acme", DAY, MONTH, 800, levels)).admitted).toBe(true);
    // The user's cap refuses; nothing is reserved on the levels above it.
    expect(await s.reserve("acme", DAY, MONTH, 300, levels)).toEqual({
      admitted: false,
      level: "user",
      id: "ann",
      period: "daily",
      spentMicros: 800,
      capMicros: 1000,
    });
    expect(await Promise.all(levels.map(spentBy))).toEqual([800, 800, 800, 800]);
    // Another user of the same key: the key's cap is next to refuse.
    const bob = [...levels.slice(0, 3), { level: "user", id: "bob", caps: { dailyMicros: 1_000 } } as BudgetLevel];
    expect((await s.reserve("acme", DAY, MONTH, 1000, bob)).admitted).toBe(true);
    expect((await s.reserve("acme", DAY, MONTH, 1000, [...levels.slice(0, 3)])).admitted).toBe(true);
    expect(await s.reserve("acme", DAY, MONTH, 500, levels.slice(0, 3))).toMatchObject({
      admitted: false,
      level: "key",
      spentMicros: 2800,
    });
    // The same names under another tenant are other counters.
    expect(await s.spent("globex", DAY, MONTH, levels[3]!)).toEqual({ dayMicros: 0, monthMicros: 0 });
  });

  it("reports each threshold of a level's cap once per period, by the settlement that crossed it", async () => {
    const [a, b] = make();
    const levels: BudgetLevel[] = [
      { level: "tenant", id: "acme", caps: { dailyMicros: 1000 } },
      { level: "user", id: "ann", caps: { monthlyMicros: 2000 } },
    ];
    const settle = async (s: UsageStore, reserve: number, actual: number, day = DAY) => {
      const r = await s.reserve("acme", day, MONTH, reserve, levels);
      if (!r.admitted) throw new Error("refused");
      return (await r.settle(actual)).map((c) => `${c.level} ${c.period} ${c.threshold} ${c.spentMicros}/${c.capMicros}`);
    };
    // A reservation alone crosses nothing: 900 reserved, settled to 400.
    expect(await settle(a, 900, 400)).toEqual([]);
    expect(await settle(b, 100, 100)).toEqual(["tenant daily 50 500/1000"]);
    // One step past two thresholds reports both; the user's monthly cap passes its half.
    expect(await settle(a, 500, 500)).toEqual(["tenant daily 80 1000/1000", "tenant daily 100 1000/1000", "user monthly 50 1000/2000"]);
    // The next day starts the daily count and its thresholds again; the month goes on.
    expect(await settle(b, 600, 600, "2026-11-23")).toEqual(["tenant daily 50 600/1000", "user monthly 80 1600/2000"]);
    expect(await settle(a, 0, 0, "2026-11-23")).toEqual([]);
  });
});

describe("memory usage store bounds", () => {
  it("keeps a bounded number of users apart per tenant and day; the rest add up under one row, totals exact", async () => {
    const store = createMemoryUsageStore(2);
    const entry = (user: string) => ({
      tenant: "t",
      user,
      model: "m",
      day: "2026-11-29",
      requests: 1,
      inputTokens: 10,
      outputTokens: 5,
      costMicros: 7,
      savedTokens: 0,
      savedMicros: 0,
    });
    for (const u of ["a", "b", "c", "d", "a"]) await store.add(entry(u));
    const rows = await store.query({ fromDay: "2026-11-29", toDay: "2026-11-29" });
    expect(rows.map((r) => [r.user, r.requests]).sort()).toEqual([
      ["(other users)", 2],
      ["a", 2],
      ["b", 1],
    ]);
    expect(rows.reduce((n, r) => n + r.costMicros, 0)).toBe(35);
  });
});

describe("memory usage store bounds across tenants", () => {
  it("keeps a bounded number of tenants apart per day (an open gateway's users); the rest add up, totals exact", async () => {
    const store = createMemoryUsageStore(10, 2);
    const entry = (tenant: string) => ({
      tenant,
      user: "u",
      model: "m",
      day: "2026-11-29",
      requests: 1,
      inputTokens: 1,
      outputTokens: 1,
      costMicros: 3,
      savedTokens: 0,
      savedMicros: 0,
    });
    for (const t of ["a", "b", "c", "d"]) await store.add(entry(t));
    const rows = await store.query({ fromDay: "2026-11-29", toDay: "2026-11-29" });
    expect(rows.map((r) => [r.tenant, r.requests]).sort()).toEqual([
      ["(other tenants)", 2],
      ["a", 1],
      ["b", 1],
    ]);
    expect(rows.reduce((n, r) => n + r.costMicros, 0)).toBe(12);
  });
});
