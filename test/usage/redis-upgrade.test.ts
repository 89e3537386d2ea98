import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRedisUsageStore } from "../../src/usage/redis-store.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();
const tag = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

describe("budget counters written before hash tags (one Redis)", () => {
  it("still count after the upgrade, so that a tenant's spend is not reset, and are never written again", async () => {
    const raw = redis.client();
    // What a gateway before Redis Cluster support left: the names without braces.
    await raw.set(`llmgw:usage:budget:${tag("acme")}:d:2026-11-22`, 700, "PX", 86_400_000);
    await raw.set(`llmgw:usage:budget:${tag("acme")}:m:2026-11`, 1200, "PX", 86_400_000);
    const store = createRedisUsageStore(redis.client());
    expect(await store.spent("acme", "2026-11-22", "2026-11")).toEqual({ dayMicros: 700, monthMicros: 1200 });
    const caps = { dailyMicros: 1000, monthlyMicros: 1500 };
    expect(await store.reserve("acme", "2026-11-22", "2026-11", 400, caps)).toMatchObject({
      admitted: false,
      period: "daily",
      spentMicros: 700,
    });
    const ok = await store.reserve("acme", "2026-11-22", "2026-11", 250, caps);
    expect(ok.admitted).toBe(true);
    if (ok.admitted) await ok.settle(200);
    expect(await store.spent("acme", "2026-11-22", "2026-11")).toEqual({ dayMicros: 900, monthMicros: 1400 });
    // The next day, the old monthly counter still counts.
    expect(await store.reserve("acme", "2026-11-23", "2026-11", 150, caps)).toMatchObject({
      admitted: false,
      period: "monthly",
      spentMicros: 1400,
    });
    // The old counters are read, not moved: they expire on their own.
    expect(await raw.get(`llmgw:usage:budget:${tag("acme")}:d:2026-11-22`)).toBe("700");
    expect(await raw.get(`llmgw:usage:budget:{${tag("acme")}}:d:2026-11-22`)).toBe("200");
  });
});
