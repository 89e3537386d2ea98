import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAuthenticator } from "../../src/auth/tenants.js";
import { validateConfig } from "../../src/config/load.js";
import { createCatalog } from "../../src/core/catalog.js";

const sha = (key: string) => createHash("sha256").update(key).digest("hex");
const base = {
  providers: [{ name: "local", kind: "local" }],
  models: [{ name: "local-echo", provider: "local" }],
};
const withTenant = (tenant: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...base,
  ...extra,
  auth: { tenants: [{ name: "acme", keys: [{ sha256: sha("k1") }], ...tenant }] },
});
const authOf = (raw: unknown, env: NodeJS.ProcessEnv = {}) => {
  const config = validateConfig(raw, env);
  return createAuthenticator(config, createCatalog(config), env);
};

describe("budget configuration", () => {
  it("gives a configured key its project and caps, and the tenant its projects and per-user caps", async () => {
    const auth = authOf(
      withTenant({
        keys: [{ sha256: sha("k1"), project: "search", budget: { dailyUsd: 2 } }, { env: "K2" }],
        budget: { monthlyUsd: 100 },
        projects: [{ name: "search", budget: { dailyUsd: 10 } }, { name: "free" }],
        userBudget: { dailyUsd: 1 },
      }),
      { K2: "k2" },
    );
    const found = await auth.identify("k1");
    expect(found?.key).toEqual({ id: `cfg-${sha("k1").slice(0, 12)}`, project: "search", budget: { dailyUsd: 2 } });
    expect(found?.tenant.projects).toEqual(
      new Map([
        ["search", { dailyUsd: 10 }],
        ["free", undefined],
      ]),
    );
    expect(found?.tenant.userBudget).toEqual({ dailyUsd: 1 });
    expect((await auth.identify("k2"))?.key).toEqual({ id: `cfg-${sha("k2").slice(0, 12)}`, project: undefined, budget: undefined });
    expect(auth.keysOf("acme").map((k) => k.project)).toEqual(["search", undefined]);
    expect(auth.identify("k3")).toBeUndefined();
  });

  it.each([
    [
      "a key naming a project its tenant does not declare",
      withTenant({ keys: [{ sha256: sha("k1"), project: "serch" }], projects: [{ name: "search" }] }),
      'auth.tenants[0].keys[0].project: "serch" is not among the tenant\'s projects',
    ],
    ["a project declared twice", withTenant({ projects: [{ name: "a" }, { name: "a" }] }), "auth.tenants[0].projects"],
    ["a cap that is not positive", withTenant({ userBudget: { dailyUsd: 0 } }), "auth.tenants[0].userBudget.dailyUsd"],
    [
      "a webhook header from an unset variable",
      withTenant(
        {},
        { budgets: { alerts: { webhook: { url: "http://hooks.test/", headers: { authorization: { env: "HOOK_TOKEN" } } } } } },
      ),
      "budgets.alerts.webhook.headers.authorization: HOOK_TOKEN is not set",
    ],
    ["a webhook that is not a URL", withTenant({}, { budgets: { alerts: { webhook: { url: "hooks" } } } }), "budgets.alerts.webhook.url"],
  ])("refuses %s, naming the key", (_name, raw, message) => {
    expect(() => authOf(raw)).toThrow(message);
  });
});
