import { beforeEach, describe, expect, it } from "vitest";
import type { Observations } from "../../src/cache/semantic/verify-model.js";
import { createMemoryVerifyStore, createRedisVerifyStore, type VerifyStore } from "../../src/cache/semantic/verify-store.js";
import { manualClock } from "../support/manual-clock.js";
import { redisBackends } from "../support/redis-cluster.js";

interface Backend {
  store: VerifyStore;
  /** Lets `ms` pass as the store measures TTLs. */
  pass(ms: number): Promise<void>;
}

const backends: [string, () => Backend][] = [
  [
    "memory",
    () => {
      const clock = manualClock(Date.UTC(2026, 0, 1));
      return { store: createMemoryVerifyStore(clock, 1000), pass: async (ms) => clock.advance(ms) };
    },
  ],
  // Redis keeps its own time: a TTL passes in real time.
  ...redisBackends(
    (client) => (): Backend => ({ store: createRedisVerifyStore(client()), pass: (ms) => new Promise((r) => setTimeout(r, ms)) }),
  ),
];

const plain = (obs: Observations) => Object.fromEntries([...obs].sort(([a], [b]) => a - b));
const HOUR = 3_600_000;

/** One contract, both stores: what the verifier relies on, whatever the backend. */
describe.each(backends)("verification store contract: %s", (_name, make) => {
  let b: Backend;
  beforeEach(() => {
    b = make();
  });

  it("counts agreements and disagreements per similarity, and knows nothing of an unknown entry", async () => {
    await b.store.record("acme", [{ id: "e1", ttlMs: HOUR }], 0.9123, true);
    await b.store.record("acme", [{ id: "e1", ttlMs: HOUR }], 0.912, true);
    await b.store.record("acme", [{ id: "e1", ttlMs: HOUR }], 0.87, false);
    const [e1, none] = await b.store.get("acme", ["e1", "e2"]);
    expect(plain(e1!)).toEqual({ 870: { ok: 0, bad: 1 }, 912: { ok: 2, bad: 0 } });
    expect(none!.size).toBe(0);
  });

  it("records one observation in every target (an entry and its pool) and keeps tenants apart", async () => {
    await b.store.record(
      "acme",
      [
        { id: "e1", ttlMs: HOUR },
        { id: "pool:gpt", ttlMs: HOUR },
      ],
      0.95,
      false,
    );
    await b.store.record("globex", [{ id: "pool:gpt", ttlMs: HOUR }], 0.95, true);
    const [e1, pool] = await b.store.get("acme", ["e1", "pool:gpt"]);
    expect(plain(e1!)).toEqual({ 950: { ok: 0, bad: 1 } });
    expect(plain(pool!)).toEqual({ 950: { ok: 0, bad: 1 } });
    expect(plain((await b.store.get("globex", ["pool:gpt"]))[0]!)).toEqual({ 950: { ok: 1, bad: 0 } });
    expect((await b.store.get("globex", ["e1"]))[0]!.size).toBe(0);
  });

  it("loses no observation when many are recorded at once", async () => {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => b.store.record("acme", [{ id: "hot", ttlMs: HOUR }], 0.9 + (i % 4) / 100, i % 5 !== 0)),
    );
    const [hot] = await b.store.get("acme", ["hot"]);
    let ok = 0;
    let bad = 0;
    for (const o of hot!.values()) {
      ok += o.ok;
      bad += o.bad;
    }
    expect([ok, bad]).toEqual([160, 40]);
  });

  it("forgets an entry's observations when its TTL, renewed by each record, passes", async () => {
    await b.store.record("acme", [{ id: "short", ttlMs: 150 }], 0.9, true);
    await b.store.record("acme", [{ id: "long", ttlMs: HOUR }], 0.9, true);
    await b.pass(400);
    const [short, long] = await b.store.get("acme", ["short", "long"]);
    expect(short!.size).toBe(0);
    expect(long!.size).toBe(1);
  });

  it("clears one tenant, or all, and a tenant name with glob characters clears only itself", async () => {
    for (const t of ["acme", "glob*", "other"]) await b.store.record(t, [{ id: "e", ttlMs: HOUR }], 0.9, true);
    await b.store.clear("glob*");
    const sizes = async () => Promise.all(["acme", "glob*", "other"].map(async (t) => (await b.store.get(t, ["e"]))[0]!.size));
    expect(await sizes()).toEqual([1, 0, 1]);
    await b.store.clear();
    expect(await sizes()).toEqual([0, 0, 0]);
  });
});
