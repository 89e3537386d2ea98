import { describe, expect, it } from "vitest";
import { createAuthenticator, keyDigest } from "../../src/auth/tenants.js";
import { validateConfig } from "../../src/config/load.js";
import { createCatalog } from "../../src/core/catalog.js";
import { isGatewayError } from "../../src/core/errors.js";
import { createMemoryKeyStore } from "../../src/keys/memory-store.js";
import { createKeyResolver } from "../../src/keys/resolver.js";
import { manualClock } from "../support/manual-clock.js";

const config = validateConfig(
  {
    providers: [{ name: "local", kind: "local" }],
    models: [{ name: "echo", provider: "local" }],
    auth: { tenants: [{ name: "acme", keys: [{ sha256: keyDigest("sk-configured") }, { env: "ACME_KEY" }], keyAdmin: true }] },
  },
  {},
);

describe("authenticator with runtime keys", () => {
  const clock = manualClock(1_000);
  const store = createMemoryKeyStore();
  const resolver = createKeyResolver({ store, clock, cacheMs: 1000, maxEntries: 10 });
  const auth = createAuthenticator(config, createCatalog(config), { ACME_KEY: "sk-from-env" }, resolver);

  it("knows a configured key at once, with a stable id from its digest and its tenant's rights", () => {
    const id = auth.identify("sk-configured");
    expect(id).not.toBeInstanceOf(Promise);
    expect(id).toMatchObject({ tenant: { name: "acme", keyAdmin: true }, key: { id: `cfg-${keyDigest("sk-configured").slice(0, 12)}` } });
    expect(auth.identify("sk-from-env")).toMatchObject({ key: { id: `cfg-${keyDigest("sk-from-env").slice(0, 12)}` } });
  });

  it("asks the key store for any other key, and finds a runtime key there", async () => {
    expect(await auth.identify("sk-unknown")).toBeUndefined();
    await store.put(
      {
        id: "key_00000000000000aa",
        tenant: "acme",
        name: "ci",
        metadata: {},
        createdAt: 0,
        secrets: [{ digest: keyDigest("llmgw_runtime"), prefix: "llmgw_runtim" }],
        version: 1,
      },
      0,
      [],
    );
    expect(await auth.identify("llmgw_runtime")).toMatchObject({
      tenant: { name: "acme", admin: false, keyAdmin: false },
      key: { id: "key_00000000000000aa" },
    });
    expect(auth.identify("llmgw_runtime")).not.toBeInstanceOf(Promise);
  });

  it("refuses a revoked runtime key with UNAUTHENTICATED", async () => {
    const r = (await store.get("key_00000000000000aa"))!;
    await store.put({ ...r, revokedAt: 1_000, version: 2 }, 1, []);
    let error: unknown;
    try {
      await auth.identify("llmgw_runtime");
    } catch (err) {
      error = err;
    }
    expect(isGatewayError(error) && [error.reason, error.message]).toEqual(["UNAUTHENTICATED", "the API key was revoked"]);
  });
});
