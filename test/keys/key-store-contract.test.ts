import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryKeyStore } from "../../src/keys/memory-store.js";
import { createRedisKeyStore } from "../../src/keys/redis-store.js";
import type { KeyRecord, KeyStore } from "../../src/keys/store.js";
import { redisClusterForFile } from "../support/redis-cluster.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();
const cluster = redisClusterForFile();

/** A backend, and a second replica's view of the same data (the same store for memory: one process). */
interface Backend {
  store: KeyStore;
  replica: KeyStore;
  shared: boolean;
}

const backends: [string, () => Promise<Backend>][] = [
  [
    "memory",
    async () => {
      const store = redis.track(createMemoryKeyStore());
      return { store, replica: store, shared: false };
    },
  ],
  [
    "redis",
    async () => {
      const store = redis.track(createRedisKeyStore(redis.client()));
      const replica = redis.track(createRedisKeyStore(redis.client()));
      await Promise.all([store.ready(), replica.ready()]);
      return { store, replica, shared: true };
    },
  ],
  [
    "redis cluster",
    async () => {
      const store = cluster.track(createRedisKeyStore(cluster.client()));
      const replica = cluster.track(createRedisKeyStore(cluster.client()));
      await Promise.all([store.ready(), replica.ready()]);
      return { store, replica, shared: true };
    },
  ],
];

const record = (id: string, tenant: string, createdAt: number, digests = [`${id}-d1`]): KeyRecord => ({
  id,
  tenant,
  name: `key ${id}`,
  metadata: { team: "search" },
  createdAt,
  secrets: digests.map((digest) => ({ digest, prefix: "llmgw_abcdef" })),
  version: 1,
});

/** Resolves with the next id a store's listeners hear. */
const nextChange = (store: KeyStore) =>
  new Promise<string | undefined>((resolve) => {
    const off = store.onChange((id) => {
      off();
      resolve(id);
    });
  });

/** One contract, both stores: what KeyService and the authentication path rely on. */
describe.each(backends)("key store contract: %s", (_name, make) => {
  let b: Backend;
  beforeEach(async () => {
    b = await make();
  });

  it("keeps a new record by id and by each secret's digest, and refuses a second record with the same id", async () => {
    const r = { ...record("key_1", "acme", 1000), project: "search", budget: { dailyUsd: 5 }, allowedModels: ["gpt"] };
    expect(await b.store.put(r, 0, [])).toBe(true);
    expect(await b.replica.get("key_1")).toEqual(r);
    expect(await b.replica.byDigest("key_1-d1")).toEqual(r);
    expect(await b.store.byDigest("nope")).toBeUndefined();
    expect(await b.store.get("key_2")).toBeUndefined();
    expect(await b.store.put({ ...r, name: "other" }, 0, [])).toBe(false);
    expect((await b.store.get("key_1"))?.name).toBe("key key_1");
  });

  it("writes over a record only from the version stored, indexing new digests and dropping retired ones", async () => {
    await b.store.put(record("key_1", "acme", 1000), 0, []);
    const rotated: KeyRecord = {
      ...record("key_1", "acme", 1000),
      secrets: [
        { digest: "new", prefix: "llmgw_new" },
        { digest: "key_1-d1", prefix: "llmgw_abcdef", validUntil: 5000 },
      ],
      version: 2,
    };
    expect(await b.store.put(rotated, 1, [])).toBe(true);
    expect((await b.replica.byDigest("new"))?.version).toBe(2);
    expect((await b.replica.byDigest("key_1-d1"))?.secrets[1]?.validUntil).toBe(5000);
    // A replica that read version 1 loses to the write above.
    expect(await b.replica.put({ ...rotated, name: "stale", version: 2 }, 1, [])).toBe(false);
    const final = { ...rotated, secrets: [rotated.secrets[0]!], version: 3 };
    expect(await b.replica.put(final, 2, ["key_1-d1"])).toBe(true);
    expect(await b.store.byDigest("key_1-d1")).toBeUndefined();
    expect(await b.store.get("key_1")).toEqual(final);
  });

  it("does not drop a digest another key holds when told to retire it", async () => {
    await b.store.put(record("key_1", "acme", 1000, ["a"]), 0, []);
    await b.store.put(record("key_2", "acme", 2000, ["b"]), 0, []);
    expect(await b.store.put({ ...record("key_2", "acme", 2000, ["b"]), version: 2 }, 1, ["a"])).toBe(true);
    expect((await b.store.byDigest("a"))?.id).toBe("key_1");
  });

  it("lists a tenant's keys, or every tenant's, newest first, in pages", async () => {
    await b.store.put(record("key_a1", "acme", 1000), 0, []);
    await b.store.put(record("key_g1", "globex", 2000), 0, []);
    await b.store.put(record("key_a2", "acme", 3000), 0, []);
    await b.store.put(record("key_a3", "acme", 4000), 0, []);
    const first = await b.replica.list("acme", 0, 2);
    expect(first.records.map((r) => r.id)).toEqual(["key_a3", "key_a2"]);
    expect(first.next).toBe(2);
    const second = await b.replica.list("acme", first.next!, 2);
    expect(second.records.map((r) => r.id)).toEqual(["key_a1"]);
    expect(second.next).toBeUndefined();
    expect((await b.replica.list(undefined, 0, 10)).records.map((r) => r.id)).toEqual(["key_a3", "key_a2", "key_g1", "key_a1"]);
    expect((await b.replica.list("initech", 0, 10)).records).toEqual([]);
  });

  it("hands out copies: changing what it returned changes nothing stored", async () => {
    const r = record("key_1", "acme", 1000);
    await b.store.put(r, 0, []);
    r.name = "changed after put";
    const got = (await b.store.get("key_1"))!;
    got.metadata["team"] = "changed after get";
    expect(await b.store.get("key_1")).toMatchObject({ name: "key key_1", metadata: { team: "search" } });
  });

  it("tells its listeners, and every replica's, the id of each key written", async () => {
    const heardHere = nextChange(b.store);
    const heardThere = nextChange(b.replica);
    await b.store.put(record("key_1", "acme", 1000), 0, []);
    expect(await heardHere).toBe("key_1");
    expect(await heardThere).toBe("key_1");
  });

  it("tells nobody of a write that lost to another", async () => {
    const first = nextChange(b.replica);
    await b.store.put(record("key_1", "acme", 1000), 0, []);
    await first;
    const heard: (string | undefined)[] = [];
    b.replica.onChange((id) => heard.push(id));
    expect(await b.store.put(record("key_1", "acme", 1000), 5, [])).toBe(false);
    // A later write's message arrives after any the lost write could have sent.
    const next = nextChange(b.replica);
    await b.store.put(record("key_2", "acme", 1000), 0, []);
    await next;
    expect(heard).toEqual(["key_2"]);
  });
});

describe("redis key store", () => {
  it("tells listeners that anything may have changed after its subscription reconnects", async () => {
    const store = redis.track(createRedisKeyStore(redis.client()));
    await store.ready();
    const heard = nextChange(store);
    await redis.server.stop();
    await redis.server.start();
    expect(await heard).toBeUndefined();
  });

  it("keeps every key it writes in one hash slot, for Redis Cluster", async () => {
    const client = redis.client();
    const store = redis.track(createRedisKeyStore(client));
    await store.put(record("key_1", "acme", 1000), 0, []);
    const keys = await client.keys("*");
    expect(keys.length).toBeGreaterThan(0);
    const slots = new Set(await Promise.all(keys.map((k) => client.call("CLUSTER", "KEYSLOT", k).catch(() => k.match(/\{(.*?)\}/)?.[1]))));
    expect(keys.every((k) => k.includes("{keys}"))).toBe(true);
    expect(slots.size).toBe(1);
  });
});
