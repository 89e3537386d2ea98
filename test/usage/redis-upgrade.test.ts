import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { BudgetLevel } from "../../src/usage/store.js";
import { createRedisUsageStore } from "../../src/usage/redis-store.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();
const tag = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);
const tenant: BudgetLevel[] = [{ level: "tenant", id: "acme", caps: { dailyMicros: 1000, monthlyMicros: 1500 } }];

describe("budget counters written before budget levels (one Redis)", () => {
  it("are adopted into the tenant level on first use, so that an upgrade resets nobody's spend, and counted once", async () => {
    const raw = redis.client();
    // What a gateway before budget levels left: the tenant's counters under their old names.
    await raw.set(`llmgw:usage:budget:${tag("acme")}:d:2026-11-22`, 700, "PX", 86_400_000);
    await raw.set(`llmgw:usage:budget:${tag("acme")}:m:2026-11`, 1200, "PX", 20 * 86_400_000);
    // Two replicas upgraded at once: both adopt, the counters move once.
    const [a, b] = [createRedisUsageStore(redis.client()), createRedisUsageStore(redis.client())];
    const [sa, sb] = await Promise.all([a.spent("acme", "2026-11-22", "2026-11"), b.spent("acme", "2026-11-22", "2026-11")]);
    expect(sa).toEqual({ dayMicros: 700, monthMicros: 1200 });
    expect(sb).toEqual(sa);
    expect(await a.reserve("acme", "2026-11-22", "2026-11", 400, tenant)).toMatchObject({
      admitted: false,
      level: "tenant",
      period: "daily",
      spentMicros: 700,
    });
    const ok = await b.reserve("acme", "2026-11-22", "2026-11", 250, tenant);
    expect(ok.admitted).toBe(true);
    if (ok.admitted) await ok.settle(200);
    expect(await a.spent("acme", "2026-11-22", "2026-11")).toEqual({ dayMicros: 900, monthMicros: 1400 });
    // The next day, the month's spend still counts.
    expect(await a.reserve("acme", "2026-11-23", "2026-11", 150, tenant)).toMatchObject({
      admitted: false,
      period: "monthly",
      spentMicros: 1400,
    });
    // Moved, not copied: the old names are gone, and the month keeps the old counter's longer life.
    expect(await raw.exists(`llmgw:usage:budget:${tag("acme")}:d:2026-11-22`, `llmgw:usage:budget:${tag("acme")}:m:2026-11`)).toBe(0);
    expect(await raw.pttl(`llmgw:usage:{budget:acme}:tenant:-:m:2026-11`)).toBeGreaterThan(19 * 86_400_000);
  });
});
