import { describe, expect, it } from "vitest";
import { createMemoryUsageStore } from "../../src/usage/memory-store.js";
import { createRedisUsageStore } from "../../src/usage/redis-store.js";
import type { UsageEntry, UsageStore } from "../../src/usage/store.js";
import { redisBackends } from "../support/redis-cluster.js";

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
    const caps = { dailyMicros: 1000, monthlyMicros: 1500 };
    const a = await s.reserve("acme", "2026-11-22", "2026-11", 600, caps);
    expect(a.admitted).toBe(true);
    expect(await s.reserve("acme", "2026-11-22", "2026-11", 500, caps)).toEqual({
      admitted: false,
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
    expect((await s.reserve("globex", "2026-11-22", "2026-11", 900, caps)).admitted).toBe(true);
  });

  it("two replicas reserving at once never pass the cap together", async () => {
    const [a, b] = make();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).reserve("shared", "2026-11-22", "2026-11", 100, { dailyMicros: 1000 })),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(10);
    expect((await a.spent("shared", "2026-11-22", "2026-11")).dayMicros).toBe(1000);
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
