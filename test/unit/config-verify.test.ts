import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";

const base = {
  providers: [{ name: "local", kind: "local" }],
  models: [{ name: "local-echo", provider: "local" }],
};

describe("cache.semantic.verify in the configuration", () => {
  it("is on with the semantic cache by default, at δ 0.01 with the exact comparator, trusting the guard with 5% audits", () => {
    expect(validateConfig({ ...base, cache: { semantic: { enabled: true } } }, {}).cache.semantic.verify).toEqual({
      enabled: true,
      delta: 0.01,
      models: {},
      tenants: {},
      confidence: 0.95,
      minObservations: 8,
      rule: "bound",
      trust: "guard",
      auditRate: 0.05,
      comparator: "exact",
      answerThreshold: 0.97,
      maxEntries: 100_000,
    });
  });

  it("takes δ per model and per tenant, and a judge that is a catalogue chat model", () => {
    const verify = { delta: 0.05, models: { "local-echo": 0.001 }, tenants: { acme: 0.02 }, comparator: "judge", judgeModel: "local-echo" };
    expect(validateConfig({ ...base, cache: { semantic: { enabled: true, verify } } }, {}).cache.semantic.verify).toMatchObject(verify);
  });

  it.each([
    ["δ of 0", { delta: 0 }, "delta"],
    ["δ of 1", { tenants: { acme: 1 } }, "tenants"],
    ["an unknown key", { thresholds: 0.9 }, "thresholds"],
    ["an unknown trust", { trust: "embedder" }, "trust"],
    ["an audit rate over 1", { auditRate: 1.5 }, "auditRate"],
    ["a judge that is not in the catalogue", { comparator: "judge", judgeModel: "nope" }, "cache.semantic.verify.judgeModel"],
    ["a judge with no model", { comparator: "judge" }, "cache.semantic.verify.judgeModel"],
  ])("refuses %s, naming the key", (_name, verify, message) => {
    expect(() => validateConfig({ ...base, cache: { semantic: { enabled: true, verify } } }, {})).toThrow(message);
  });
});
