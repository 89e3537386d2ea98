import { describe, expect, it } from "vitest";
import { manualClock } from "../../test/support/manual-clock.js";
import { createMemorySessionStore } from "./memory-store.js";
import type { NewSession } from "./store.js";

const clock = manualClock();
const record = (id: string, unlisted: boolean): NewSession => ({
  id,
  owner: "t",
  systemPrompt: "",
  model: "m",
  defaults: {},
  metadata: {},
  createdAt: clock.now(),
  ttlMs: 60_000,
  ...(unlisted ? { unlisted: true } : {}),
});
const text = (n: number) => [{ role: "user" as const, content: "x".repeat(n) }];

describe("the memory session store, full", () => {
  it("drops the oldest stored responses (unlisted records) to make room, never a session", async () => {
    const store = createMemorySessionStore(clock, { maxSessions: 3, maxChars: 1_000 });
    await store.create(record("r1", true));
    await store.create(record("s1", false));
    await store.create(record("r2", true));
    await store.create(record("s2", false)); // room made by the oldest response
    expect([await store.get("r1"), (await store.get("r2"))?.id, (await store.get("s1"))?.id]).toEqual([undefined, "r2", "s1"]);
    await store.create(record("r3", true)); // and a new response pushes out the next oldest
    expect(await store.get("r2")).toBeUndefined();
    await store.delete("r3");
    await store.create(record("s3", false));
    // Only sessions left: they are never dropped, and a new record is refused as before.
    await expect(store.create(record("r4", true))).rejects.toMatchObject({ reason: "SESSION_STORE_FULL" });
    expect((await store.list("t", 0, 10)).total).toBe(3);
  });

  it("makes room for characters too, but never by dropping the record being written", async () => {
    const store = createMemorySessionStore(clock, { maxSessions: 10, maxChars: 100 });
    await store.create(record("r1", true));
    await store.append("r1", text(60), clock.now());
    await store.create(record("r2", true));
    await store.append("r2", text(60), clock.now()); // r1 gives way
    expect(await store.get("r1")).toBeUndefined();
    await expect(store.append("r2", text(60), clock.now())).rejects.toMatchObject({ reason: "SESSION_STORE_FULL" });
    expect((await store.get("r2"))?.messageCount).toBe(1);
  });
});
