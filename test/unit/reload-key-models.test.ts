import { describe, expect, it } from "vitest";
import { assertModelAllowed, createAuthenticator, keyDigest } from "../../src/auth/tenants.js";
import { validateConfig } from "../../src/config/load.js";
import { createCatalog } from "../../src/core/catalog.js";
import { createMemoryKeyStore } from "../../src/keys/memory-store.js";
import { createKeyResolver, type Identity } from "../../src/keys/resolver.js";
import { manualClock } from "../support/manual-clock.js";

/** A configuration, before and after a reload that renames model "fast" to "fast-v2", keeping "fast" as its alias. */
const configOf = (renamed: boolean) =>
  validateConfig(
    {
      providers: [{ name: "local", kind: "local" }],
      models: [
        renamed ? { name: "fast-v2", provider: "local", aliases: ["fast"] } : { name: "fast", provider: "local" },
        { name: "big", provider: "local" },
      ],
      auth: { tenants: [{ name: "acme", keys: [{ sha256: keyDigest("sk-acme") }], allowedModels: ["fast", "big"] }] },
    },
    {},
  );

describe("a runtime key's models across a reload", () => {
  it("are re-resolved against the new catalogue, as its tenant's are", async () => {
    const clock = manualClock(1_000);
    const store = createMemoryKeyStore();
    const resolver = createKeyResolver({ store, clock, cacheMs: 1000, maxEntries: 10 });
    await store.put(
      {
        id: "key_00000000000000bb",
        tenant: "acme",
        name: "ci",
        allowedModels: ["fast"],
        metadata: {},
        createdAt: 0,
        secrets: [{ digest: keyDigest("llmgw_k"), prefix: "llmgw_k" }],
        version: 1,
      },
      0,
      [],
    );
    const before = configOf(false);
    const id1 = (await createAuthenticator(before, createCatalog(before), {}, resolver).identify("llmgw_k")) as Identity;
    expect(() => assertModelAllowed(id1.tenant, "fast", id1.key)).not.toThrow();

    // The reload: the same resolver (it outlives generations), a new authenticator over the new catalogue.
    const after = configOf(true);
    const catalog = createCatalog(after);
    const id2 = (await createAuthenticator(after, catalog, {}, resolver).identify("llmgw_k")) as Identity;
    const model = catalog.resolve("fast").name;
    expect(model).toBe("fast-v2");
    expect(() => assertModelAllowed(id2.tenant, model, id2.key)).not.toThrow();
    expect(() => assertModelAllowed(id2.tenant, "big", id2.key)).toThrow(/may not use model "big"/);
  });
});
