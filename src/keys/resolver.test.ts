import { describe, expect, it } from "vitest";
import type { Tenant } from "../core/call.js";
import { isGatewayError } from "../core/errors.js";
import { manualClock } from "../../test/support/manual-clock.js";
import { createMemoryKeyStore } from "./memory-store.js";
import { createKeyResolver, type Identity } from "./resolver.js";
import type { KeyRecord, KeyStore } from "./store.js";

const acme: Tenant = {
  name: "acme",
  admin: true,
  keyAdmin: true,
  allowedModels: new Set(["gpt", "claude"]),
  limits: { requestsPerMinute: 100 },
  budget: { dailyUsd: 10 },
  projects: new Map([["search", undefined]]),
};
const tenants = (name: string) => (name === "acme" ? acme : undefined);

const record = (over: Partial<KeyRecord> = {}): KeyRecord => ({
  id: "key_0000000000000001",
  tenant: "acme",
  name: "ci",
  project: "search",
  allowedModels: ["gpt"],
  limits: { requestsPerMinute: 5 },
  budget: { monthlyUsd: 3 },
  metadata: { owner: "ann" },
  createdAt: 0,
  secrets: [{ digest: "d1", prefix: "llmgw_aaaaaa" }],
  version: 1,
  ...over,
});

/** A store that counts lookups by digest. */
function counting(store: KeyStore) {
  let lookups = 0;
  return {
    store: {
      ...store,
      byDigest: (d: string) => {
        lookups++;
        return store.byDigest(d);
      },
    } satisfies KeyStore,
    lookups: () => lookups,
  };
}

const setup = async (r = record()) => {
  const clock = manualClock(1_000_000);
  const base = createMemoryKeyStore();
  await base.put(r, 0, []);
  const { store, lookups } = counting(base);
  const resolver = createKeyResolver({ store, clock, cacheMs: 1000, maxEntries: 100 });
  const resolve = async (digest = "d1") => resolver.resolve(digest, tenants);
  return { clock, base, resolver, resolve, lookups };
};

const reasonOf = async (p: Promise<unknown>): Promise<unknown[]> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isGatewayError(err) ? [err.reason, err.metadata["why"], err.message] : [err];
};

describe("key resolver", () => {
  it("gives a runtime key its tenant's name, limits and budget, its own narrowing, and no admin rights", async () => {
    const { resolve } = await setup();
    const id = (await resolve()) as Identity;
    expect(id.tenant).toMatchObject({ name: "acme", admin: false, keyAdmin: false, limits: acme.limits, budget: acme.budget });
    expect([...id.tenant.allowedModels!]).toEqual(["gpt"]);
    expect(id.key).toMatchObject({
      id: "key_0000000000000001",
      project: "search",
      limits: { requestsPerMinute: 5 },
      budget: { monthlyUsd: 3 },
    });
    expect(id.key.metadata).toEqual({ owner: "ann" });
  });

  it("answers from its cache at once, synchronously, for a second, then asks the store again", async () => {
    const { resolver, clock, lookups } = await setup();
    expect(resolver.resolve("d1", tenants)).toBeInstanceOf(Promise);
    await resolver.resolve("d1", tenants);
    const cached = resolver.resolve("d1", tenants);
    expect(cached).not.toBeInstanceOf(Promise);
    expect((cached as Identity).key.id).toBe("key_0000000000000001");
    expect(lookups()).toBe(1);
    clock.advance(999);
    expect(resolver.resolve("d1", tenants)).not.toBeInstanceOf(Promise);
    clock.advance(1);
    expect(resolver.resolve("d1", tenants)).toBeInstanceOf(Promise);
    expect(lookups()).toBe(2);
  });

  it("shares one store lookup among concurrent misses of a digest", async () => {
    const { resolver, lookups } = await setup();
    await Promise.all(Array.from({ length: 50 }, () => resolver.resolve("d1", tenants)));
    expect(lookups()).toBe(1);
  });

  it("refuses a key revoked through the store at once, though its lookup was cached", async () => {
    const { resolve, base } = await setup();
    await resolve();
    await base.put(record({ revokedAt: 1_000_000, version: 2 }), 1, []);
    expect(await reasonOf(resolve())).toEqual(["UNAUTHENTICATED", "revoked", "the API key was revoked"]);
  });

  it("refuses a key once its expiry passes, as the clock says", async () => {
    const { resolve, clock } = await setup(record({ expiresAt: 1_000_500 }));
    expect(((await resolve()) as Identity).key.id).toBe("key_0000000000000001");
    clock.advance(500);
    expect(await reasonOf(resolve())).toEqual(["UNAUTHENTICATED", "expired", "the API key expired"]);
  });

  it("accepts a rotated-out secret during its grace and refuses it after", async () => {
    const rotated = record({
      secrets: [
        { digest: "d2", prefix: "llmgw_bbbbbb" },
        { digest: "d1", prefix: "llmgw_aaaaaa", validUntil: 1_060_000 },
      ],
    });
    const { resolve, clock } = await setup(rotated);
    expect(((await resolve("d1")) as Identity).key.id).toBe(rotated.id);
    expect(((await resolve("d2")) as Identity).key.id).toBe(rotated.id);
    clock.advance(60_000);
    expect((await reasonOf(resolve("d1")))[1]).toBe("rotated");
    expect(((await resolve("d2")) as Identity).key.id).toBe(rotated.id);
  });

  it("knows no key for an unknown digest, and learns of one made later at once", async () => {
    const { resolve, base } = await setup();
    expect(await resolve("d9")).toBeUndefined();
    await base.put(record({ id: "key_0000000000000002", secrets: [{ digest: "d9", prefix: "x" }] }), 0, []);
    expect(((await resolve("d9")) as Identity).key.id).toBe("key_0000000000000002");
  });

  it("refuses a key whose tenant is no longer configured, and intersects models with a tenant's narrowed list", async () => {
    const { resolve } = await setup(record({ tenant: "gone" }));
    expect((await reasonOf(resolve()))[1]).toBe("tenant");
    // Its project, dropped from the tenant by a reload, likewise: its calls would escape the project's cap.
    const dropped = await setup(record({ project: "gone" }));
    expect((await reasonOf(dropped.resolve()))[1]).toBe("project");
    const narrowed = await setup(record({ allowedModels: ["gpt", "mistral"] }));
    expect([...((await narrowed.resolve()) as Identity).tenant.allowedModels!]).toEqual(["gpt"]);
  });

  it("does not cache what it read while a change was being heard, and forgets everything when told anything changed", async () => {
    const { resolver, base, lookups } = await setup();
    const first = resolver.resolve("d1", tenants);
    resolver.forget("key_0000000000000001");
    await first;
    expect(resolver.resolve("d1", tenants)).toBeInstanceOf(Promise);
    await resolver.resolve("d1", tenants);
    resolver.forget(undefined);
    await base.put(record({ revokedAt: 1, version: 2 }), 1, []);
    expect((await reasonOf(Promise.resolve(resolver.resolve("d1", tenants))))[1]).toBe("revoked");
    expect(lookups()).toBe(3);
  });

  it("holds at most maxEntries lookups", async () => {
    const clock = manualClock(0);
    const store = createMemoryKeyStore();
    const resolver = createKeyResolver({ store, clock, cacheMs: 1000, maxEntries: 2 });
    for (const d of ["a", "b", "c"]) await resolver.resolve(d, tenants);
    expect(resolver.resolve("c", tenants)).toBeUndefined();
    expect(resolver.resolve("b", tenants)).toBeUndefined();
    expect(resolver.resolve("a", tenants)).toBeInstanceOf(Promise);
  });
});
