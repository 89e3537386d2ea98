import { describe, expect, it } from "vitest";
import { createCatalog } from "../../src/core/catalog.js";
import { systemClock } from "../../src/core/clock.js";
import type { ChatRequest } from "../../src/core/types.js";
import { validateConfig } from "../../src/config/load.js";
import { createRouter } from "../../src/routing/router.js";
import { createDeploymentStats } from "../../src/routing/stats.js";

const config = validateConfig(
  {
    providers: [
      { name: "p1", kind: "local" },
      { name: "p2", kind: "local" },
      { name: "p3", kind: "local" },
    ],
    models: [
      {
        name: "m",
        deployments: [
          { provider: "p1", priority: 1 },
          { provider: "p2", priority: 0, pricing: { inputPerMillion: 9, outputPerMillion: 9 } },
          { provider: "p3", priority: 1, upstreamModel: "other-name" },
        ],
      },
      { name: "solo", provider: "p1" },
    ],
  },
  {},
);
const catalog = createCatalog(config);
const request = (routing: Partial<ChatRequest["routing"]> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "hi" }],
  stop: [],
  user: "",
  metadata: {},
  routing: { preferredProviders: [], excludedProviders: [], ...routing },
});
const order = (r: ReturnType<typeof createRouter>, req: ChatRequest) =>
  r.route(catalog.resolve(req.model), req, false).map((d) => d.provider);

describe("router", () => {
  const router = createRouter({ defaultStrategy: "fallback", stats: createDeploymentStats(systemClock) });

  it("orders deployments by priority, then config order, with their own names and prices", () => {
    const m = catalog.resolve("m");
    expect(m.deployments.map((d) => d.id)).toEqual(["p2/m", "p1/m", "p3/other-name"]);
    expect(m.provider).toBe("p2");
    expect(m.deployments[0]?.inputPricePerMillion).toBe(9);
    expect(order(router, request())).toEqual(["p2", "p1", "p3"]);
  });

  it("never tries an excluded provider", () => {
    expect(order(router, request({ excludedProviders: ["p2", "p3"] }))).toEqual(["p1"]);
  });

  it("puts preferred providers first, in the order given", () => {
    expect(order(router, request({ preferredProviders: ["p3", "p1"] }))).toEqual(["p3", "p1", "p2"]);
  });

  it("takes the strategy from the request over the default", () => {
    // Cheapest first: p1 and p3 cost nothing, p2 costs 9.
    expect(order(router, request({ strategy: "cost" }))).toEqual(["p1", "p3", "p2"]);
  });

  it("refuses when the hints exclude every deployment", () => {
    expect(() => order(router, request({ excludedProviders: ["p1", "p2", "p3"] }))).toThrow(/excluded/);
  });

  it("routes a single-deployment model without consulting a strategy", () => {
    expect(order(router, { ...request(), model: "solo" })).toEqual(["p1"]);
  });

  it("rejects a model with both provider and deployments, or neither", () => {
    const base = { providers: [{ name: "p1", kind: "local" }] };
    expect(() => validateConfig({ ...base, models: [{ name: "x" }] }, {})).toThrow("models[0].provider");
    expect(() => validateConfig({ ...base, models: [{ name: "x", provider: "p1", deployments: [{ provider: "p1" }] }] }, {})).toThrow(
      "models[0].provider",
    );
    expect(() => validateConfig({ ...base, models: [{ name: "x", deployments: [{ provider: "nope" }] }] }, {})).toThrow(
      "models[0].deployments[0].provider",
    );
  });
});
