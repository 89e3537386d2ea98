import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryDurableStore } from "../../src/durable/memory-store.js";
import { createRedisDurableStore } from "../../src/durable/redis-store.js";
import type { CallRecord, DurableStore } from "../../src/durable/store.js";
import { manualClock } from "../support/manual-clock.js";
import { redisBackends } from "../support/redis-cluster.js";

/** Stores a test opened, closed after it (a Redis store holds a subscriber connection of its own). */
const opened: DurableStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

interface Backend {
  store: DurableStore;
  /** Lets `ms` pass as the store measures TTLs and wait timeouts. */
  pass(ms: number): Promise<void>;
  now(): number;
}

const backends: [string, () => Backend][] = [
  [
    "memory",
    () => {
      const clock = manualClock(Date.UTC(2026, 0, 1));
      return { store: createMemoryDurableStore(clock), pass: async (ms) => clock.advance(ms), now: () => clock.now() };
    },
  ],
  // Redis keeps its own time: a TTL passes in real time. One Redis, and a three-master cluster.
  ...redisBackends((client) => (): Backend => {
    const store = createRedisDurableStore(client());
    opened.push(store);
    return { store, pass: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now() };
  }),
];

const HOUR = 3_600_000;
let n = 0;
const fresh = () => `call-${process.pid}-${++n}-${Math.random().toString(36).slice(2)}`;
const record = (over: Partial<CallRecord> = {}): CallRecord => ({
  tenant: "acme",
  digest: "d1",
  request: '{"model":"m"}',
  owner: "A",
  leaseUntil: 10,
  seenUntil: 0,
  retentionMs: HOUR,
  state: "running",
  ...over,
});

/** One contract, both stores: what resumable streams and idempotency keys rely on, whatever the backend. */
describe.each(backends)("durable store contract: %s", (_name, make) => {
  let b: Backend;
  beforeEach(() => {
    b = make();
  });

  it("creates a call once and gives its record back", async () => {
    const id = fresh();
    expect(await b.store.create(id, record(), HOUR)).toBe(true);
    expect(await b.store.create(id, record({ owner: "B" }), HOUR)).toBe(false);
    expect(await b.store.get(id)).toEqual(record());
    expect(await b.store.get(fresh())).toBeUndefined();
  });

  it("appends events in order for their owner only, and reads them after a position", async () => {
    const id = fresh();
    await b.store.create(id, record(), HOUR);
    expect(await b.store.append(id, "A", ["e1", "e2"], false, HOUR)).toBe(true);
    expect(await b.store.append(id, "B", ["x"], false, HOUR)).toBe(false);
    expect(await b.store.append(id, "A", ["e3"], true, HOUR)).toBe(true);
    expect(await b.store.read(id, 0)).toEqual(["e1", "e2", "e3"]);
    expect(await b.store.read(id, 2)).toEqual(["e3"]);
    expect(await b.store.read(id, 3)).toEqual([]);
    expect((await b.store.get(id))?.state).toBe("ended");
  });

  it("renews a lease for its owner only, and lets another owner claim it only once it lapsed", async () => {
    const id = fresh();
    const t = b.now();
    await b.store.create(id, record({ leaseUntil: t + 1000 }), HOUR);
    expect(await b.store.renew(id, "B", t + 5000)).toBe(false);
    expect(await b.store.renew(id, "A", t + 2000)).toBe(true);
    expect(await b.store.claim(id, "B", t + 1999, t + 9000)).toBe(false);
    expect(await b.store.claim(id, "B", t + 2000, t + 9000)).toBe(true);
    // Two replicas finding the same lapsed lease: only the first wins.
    expect(await b.store.claim(id, "C", t + 2000, t + 9000)).toBe(false);
    expect(await b.store.get(id)).toMatchObject({ owner: "B", leaseUntil: t + 9000 });
    // The old owner can no longer write.
    expect(await b.store.append(id, "A", ["late"], false, HOUR)).toBe(false);
    expect(await b.store.renew(id, "A", t + 9999)).toBe(false);
  });

  it("never claims an ended call", async () => {
    const id = fresh();
    await b.store.create(id, record({ leaseUntil: 0 }), HOUR);
    await b.store.append(id, "A", ["done"], true, HOUR);
    expect(await b.store.claim(id, "B", b.now(), b.now() + 1000)).toBe(false);
  });

  it("keeps the latest time a reader is attached until", async () => {
    const id = fresh();
    await b.store.create(id, record(), HOUR);
    await b.store.touch(id, 500);
    await b.store.touch(id, 300);
    expect((await b.store.get(id))?.seenUntil).toBe(500);
    // Touching a call that does not exist does not make one.
    const gone = fresh();
    await b.store.touch(gone, 500);
    expect(await b.store.get(gone)).toBeUndefined();
  });

  it("wakes a waiter when its call's journal grows, and returns at once when it already has", async () => {
    const id = fresh();
    await b.store.create(id, record(), HOUR);
    const never = new AbortController().signal;
    const waiting = b.store.wait(id, 0, HOUR, never);
    await b.store.append(id, "A", ["e1"], false, HOUR);
    await waiting;
    await b.store.wait(id, 0, HOUR, never);
    expect(await b.store.read(id, 0)).toEqual(["e1"]);
  });

  it("ends a wait at its timeout or when its signal aborts", async () => {
    const id = fresh();
    await b.store.create(id, record(), HOUR);
    const timedOut = b.store.wait(id, 0, 50, new AbortController().signal);
    await b.pass(80);
    await timedOut;
    const abort = new AbortController();
    const aborted = b.store.wait(id, 0, HOUR, abort.signal);
    abort.abort();
    await aborted;
  });

  it("binds an idempotency key to the first call only, and unbinds it for that call only", async () => {
    const key = fresh();
    expect(await b.store.bindKey(key, "c1", HOUR)).toBe("c1");
    expect(await b.store.bindKey(key, "c2", HOUR)).toBe("c1");
    await b.store.unbindKey(key, "c2");
    expect(await b.store.bindKey(key, "c3", HOUR)).toBe("c1");
    await b.store.unbindKey(key, "c1");
    expect(await b.store.bindKey(key, "c3", HOUR)).toBe("c3");
  });

  it("forgets a call and a key after their retention", async () => {
    const id = fresh();
    const key = fresh();
    await b.store.create(id, record(), 100);
    await b.store.append(id, "A", ["e1"], false, 100);
    await b.store.bindKey(key, id, 100);
    await b.pass(250);
    expect(await b.store.get(id)).toBeUndefined();
    expect(await b.store.read(id, 0)).toEqual([]);
    expect(await b.store.bindKey(key, "other", HOUR)).toBe("other");
  });
});
