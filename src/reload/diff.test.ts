import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/load.js";
import { createCatalog } from "../core/catalog.js";
import { diffConfigs, restartOnlyChanges, staleDeployments } from "./diff.js";

const base = () => ({
  providers: [
    { name: "a", kind: "openai-compatible", baseUrl: "http://a.test/v1", apiKey: "k" },
    { name: "b", kind: "openai-compatible", baseUrl: "http://b.test/v1", apiKey: "k" },
  ],
  models: [
    { name: "m1", provider: "a", upstreamModel: "x" },
    { name: "m2", provider: "b", upstreamModel: "y" },
  ],
  auth: { tenants: [{ name: "t", keys: [{ sha256: "0".repeat(64) }], limits: { requestsPerMinute: 5 } }] },
});
type Raw = ReturnType<typeof base> & Record<string, unknown>;
const config = (edit: (c: Raw) => void = () => {}) => {
  const c = base() as Raw;
  edit(c);
  return validateConfig(c, {});
};

describe("restartOnlyChanges", () => {
  it.each([
    ["nothing", () => {}, []],
    ["a model", (c: Raw) => c.models.push({ name: "m3", provider: "a", upstreamModel: "z" }), []],
    ["a tenant's limits", (c: Raw) => (c.auth.tenants[0]!.limits.requestsPerMinute = 6), []],
    ["the cache's TTL", (c: Raw) => (c["cache"] = { ttlSeconds: 10 }), []],
    ["a port", (c: Raw) => (c["server"] = { grpcPort: 1 }), ["server"]],
    ["the Redis URL", (c: Raw) => (c["redis"] = { url: "redis://x:1" }), ["redis"]],
    [
      "a store kind",
      (c: Raw) => Object.assign(c, { redis: { url: "redis://x:1" }, sessions: { store: "redis" } }),
      ["redis", "sessions.store"],
    ],
    ["the breakers' settings", (c: Raw) => (c["resilience"] = { breaker: { volumeThreshold: 2 } }), ["resilience.breaker"]],
    ["the log level, and log.prompts", (c: Raw) => (c["log"] = { level: "debug", prompts: true }), ["log.level"]],
  ] as [string, (c: Raw) => void, string[]][])("%s", (_what, edit, expected) => {
    expect(restartOnlyChanges(config(), config(edit))).toEqual(expected);
  });

  it("takes a `store` setting of a section it does not know as restart-only", () => {
    const a = { ...config(), future: { store: "memory", size: 1 } };
    const b = { ...config(), future: { store: "redis", size: 2 } };
    expect(restartOnlyChanges(a, b)).toEqual(["future.store"]);
  });
});

describe("diffConfigs and staleDeployments", () => {
  it("names what was added, removed and changed, and which deployments start fresh", () => {
    const old = config();
    const next = config((c) => {
      c.providers[1]!.baseUrl = "http://b2.test/v1";
      c.models[0]!.upstreamModel = "x2";
      c.models.push({ name: "m3", provider: "a", upstreamModel: "z" });
      c.auth.tenants[0]!.limits.requestsPerMinute = 6;
    });
    const [oc, nc] = [createCatalog(old), createCatalog(next)];
    const d = diffConfigs(old, next, oc, nc);
    expect(d.models).toEqual({ added: ["m3"], removed: [], changed: ["m1"] });
    expect(d.providers).toEqual({ added: [], removed: [], changed: ["b"] });
    expect(d.deployments).toEqual({ added: ["m1@a/x2", "m3@a/z"], removed: ["m1@a/x"], changed: [] });
    expect(d.tenants).toEqual({ added: [], removed: [], changed: ["t"] });
    expect(d.sections).toEqual(["auth", "models", "providers"]);
    // a/x is no longer used; b changed its base URL, so b/y is another upstream now.
    expect(staleDeployments(old, next, oc, nc)).toEqual(["a/x", "b/y"]);
  });

  it("keeps a deployment whose provider and id are unchanged, whatever else changed", () => {
    const old = config();
    const next = config((c) => c.models.splice(1, 1));
    expect(staleDeployments(old, next, createCatalog(old), createCatalog(next))).toEqual(["b/y"]);
    const renamed = config((c) => (c.models[0]!.name = "m1-renamed"));
    expect(staleDeployments(old, renamed, createCatalog(old), createCatalog(renamed))).toEqual([]);
  });
});
