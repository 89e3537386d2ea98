import { describe, expect, it } from "vitest";
import { keyDigest } from "../auth/tenants.js";
import { validateConfig } from "../config/load.js";
import type { Tenant } from "../core/call.js";
import { createCatalog } from "../core/catalog.js";
import { isGatewayError } from "../core/errors.js";
import { manualClock } from "../../test/support/manual-clock.js";
import { createKeyManager, type NewKey } from "./manage.js";
import { createMemoryKeyStore } from "./memory-store.js";

const catalog = createCatalog(
  validateConfig(
    {
      providers: [{ name: "local", kind: "local" }],
      models: [
        { name: "echo", provider: "local", aliases: ["fast"] },
        { name: "echo-2", provider: "local" },
      ],
    },
    {},
  ),
);
const tenant = (name: string, rights: Partial<Tenant> = {}): Tenant => ({
  name,
  admin: false,
  allowedModels: undefined,
  limits: undefined,
  budget: undefined,
  ...rights,
});
const root = tenant("root", { admin: true });
const acme = tenant("acme", { keyAdmin: true, allowedModels: new Set(["echo"]), projects: new Map([["search", undefined]]) });
const globex = tenant("globex", { keyAdmin: true });
const plain = tenant("initech");
const tenants = new Map([root, acme, globex, plain].map((t) => [t.name, t]));

const input = (over: Partial<NewKey> = {}): NewKey => ({
  tenant: "",
  name: "ci",
  project: "",
  allowedModels: [],
  limits: { requestsPerMinute: 0, requestsPerHour: 0, tokensPerMinute: 0 },
  budget: { dailyUsd: 0, monthlyUsd: 0 },
  metadata: {},
  expiresAt: 0,
  ...over,
});

const setup = () => {
  const clock = manualClock(Date.UTC(2026, 10, 29));
  const store = createMemoryKeyStore();
  const keys = createKeyManager({ store, catalog, clock, tenantNamed: (n) => tenants.get(n), maxGraceSeconds: 3600 });
  return { clock, store, keys };
};

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isGatewayError(err)) throw new Error(`expected a GatewayError, got ${String(err)}`);
  return { reason: err.reason, field: err.metadata["field"], message: err.message };
};

describe("key manager", () => {
  it("makes a key whose secret is shown once and kept only as its digest", async () => {
    const { keys, store } = setup();
    const { record, secret } = await keys.create(acme, input({ project: "search", metadata: { owner: "ann" }, allowedModels: ["fast"] }));
    expect(secret).toMatch(/^llmgw_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ tenant: "acme", project: "search", allowedModels: ["echo"], metadata: { owner: "ann" } });
    expect(record.secrets).toEqual([{ digest: keyDigest(secret), prefix: secret.slice(0, 12) }]);
    expect(JSON.stringify(await store.get(record.id))).not.toContain(secret);
    expect((await store.byDigest(keyDigest(secret)))?.id).toBe(record.id);
  });

  it.each([
    ["a name too long", input({ name: "x".repeat(129) }), "name"],
    ["a blank name", input({ name: "  " }), "name"],
    ["a bad project", input({ project: "a b" }), "project"],
    ["a project its tenant has not declared", input({ project: "nope" }), "project"],
    ["an unknown model", input({ allowedModels: ["nope"] }), "allowed_models"],
    ["a model wider than the tenant's", input({ tenant: "acme", allowedModels: ["echo-2"] }), "allowed_models"],
    [
      "a negative limit",
      input({ limits: { requestsPerMinute: -1, requestsPerHour: 0, tokensPerMinute: 0 } }),
      "limits.requests_per_minute",
    ],
    [
      "a fractional limit",
      input({ limits: { requestsPerMinute: 0, requestsPerHour: 0, tokensPerMinute: 1.5 } }),
      "limits.tokens_per_minute",
    ],
    ["a negative budget", input({ budget: { dailyUsd: -1, monthlyUsd: 0 } }), "budget.daily_usd"],
    ["too much metadata", input({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }), "metadata"],
    ["a long metadata value", input({ metadata: { k: "v".repeat(257) } }), "metadata"],
    ["an expiry in the past", input({ expiresAt: Date.UTC(2026, 0, 1) }), "expire_time_ms"],
    ["an unknown tenant", input({ tenant: "nobody" }), "tenant"],
  ])("refuses %s, naming the field", async (_what, bad, field) => {
    const { keys } = setup();
    expect(await failure(keys.create(root, bad))).toMatchObject({ reason: "INVALID_REQUEST", field });
  });

  it("lets an admin manage any tenant's keys, a key admin its own only, and nobody else any", async () => {
    const { keys } = setup();
    const ofGlobex = (await keys.create(root, input({ tenant: "globex" }))).record;
    const ofAcme = (await keys.create(acme, input())).record;
    expect(ofAcme.tenant).toBe("acme");
    expect(await failure(keys.create(acme, input({ tenant: "globex" })))).toMatchObject({ reason: "PERMISSION_DENIED" });
    // Another tenant's key reads as not there, whatever is asked of it.
    for (const op of [keys.get(acme, ofGlobex.id), keys.revoke(acme, ofGlobex.id), keys.rotate(acme, ofGlobex.id, 0)])
      expect(await failure(op)).toMatchObject({ reason: "NOT_FOUND", field: "id" });
    expect(await failure(keys.list(acme, "globex", 0, 10))).toMatchObject({ reason: "PERMISSION_DENIED" });
    expect((await keys.list(acme, "", 0, 10)).records.map((r) => r.id)).toEqual([ofAcme.id]);
    expect((await keys.list(root, "", 0, 10)).records).toHaveLength(2);
    expect(await failure(keys.list(plain, "", 0, 10))).toMatchObject({ reason: "PERMISSION_DENIED" });
    expect(await failure(keys.create(plain, input()))).toMatchObject({ reason: "PERMISSION_DENIED" });
    expect((await keys.get(root, ofAcme.id)).id).toBe(ofAcme.id);
    expect(await failure(keys.get(root, "not-an-id"))).toMatchObject({ reason: "INVALID_REQUEST", field: "id" });
  });

  it("rotates with a bounded grace: the old secret kept until then, an older one dropped, none kept with no grace", async () => {
    const { keys, store, clock } = setup();
    const made = await keys.create(acme, input());
    expect(await failure(keys.rotate(acme, made.record.id, 3601))).toMatchObject({ field: "grace_seconds" });
    const once = await keys.rotate(acme, made.record.id, 600);
    expect(once.record.secrets).toEqual([
      { digest: keyDigest(once.secret), prefix: once.secret.slice(0, 12) },
      { digest: keyDigest(made.secret), prefix: made.secret.slice(0, 12), validUntil: clock.now() + 600_000 },
    ]);
    const twice = await keys.rotate(acme, made.record.id, 0);
    expect(twice.record.secrets.map((s) => s.digest)).toEqual([keyDigest(twice.secret)]);
    for (const old of [made.secret, once.secret]) expect(await store.byDigest(keyDigest(old))).toBeUndefined();
    expect(twice.record.version).toBe(3);
  });

  it("revokes once (a second revoke keeps the first time), and refuses to rotate a revoked or expired key", async () => {
    const { keys, clock } = setup();
    const { record } = await keys.create(root, input({ tenant: "acme", expiresAt: Date.UTC(2026, 10, 30) }));
    const revoked = await keys.revoke(root, record.id);
    expect(revoked.revokedAt).toBe(clock.now());
    clock.advance(1000);
    expect((await keys.revoke(root, record.id)).revokedAt).toBe(revoked.revokedAt);
    expect(await failure(keys.rotate(root, record.id, 0))).toMatchObject({ field: "id", message: expect.stringContaining("revoked") });
    const other = await keys.create(root, input({ tenant: "acme", expiresAt: clock.now() + 10 }));
    clock.advance(10);
    expect(await failure(keys.rotate(root, other.record.id, 0))).toMatchObject({ message: expect.stringContaining("expired") });
  });

  it("redoes a change that lost a race with another replica's, on the newer record", async () => {
    const { keys, store } = setup();
    const { record } = await keys.create(root, input({ tenant: "acme" }));
    // Another replica renames the key between this replica's read and write: the first put loses.
    const put = store.put.bind(store);
    let raced = false;
    store.put = async (r, v, retired) => {
      if (!raced) {
        raced = true;
        await put({ ...r, name: "renamed elsewhere", revokedAt: undefined, version: v + 1 }, v, []);
      }
      return put(r, v, retired);
    };
    const revoked = await keys.revoke(root, record.id);
    expect(revoked).toMatchObject({ name: "renamed elsewhere", version: 3 });
    expect(revoked.revokedAt).toBeDefined();
  });
});
