import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, validateConfig } from "../../src/config/load.js";

const minimal = {
  providers: [{ name: "local", kind: "local" }],
  models: [{ name: "echo", deployments: [{ provider: "local", upstreamModel: "echo" }] }],
};

describe("redis.mode", () => {
  it("is single by default, and cluster takes seed nodes", () => {
    expect(validateConfig({ ...minimal, redis: { url: "redis://r:6379" } }, {}).redis).toMatchObject({ mode: "single", nodes: [] });
    const cluster = validateConfig(
      { ...minimal, redis: { url: "redis://a:7000", mode: "cluster", nodes: ["redis://b:7000", "rediss://c:7000"] } },
      {},
    );
    expect(cluster.redis).toMatchObject({ mode: "cluster", nodes: ["redis://b:7000", "rediss://c:7000"] });
  });

  it("refuses seed nodes without cluster mode, and a node that is not a Redis URL, naming the key", () => {
    expect(() => validateConfig({ ...minimal, redis: { url: "redis://a:7000", nodes: ["redis://b:7000"] } }, {})).toThrow(
      /redis\.nodes.*redis\.mode: cluster/,
    );
    expect(() => validateConfig({ ...minimal, redis: { url: "redis://a:7000", mode: "cluster", nodes: ["b:7000"] } }, {})).toThrow(
      ConfigError,
    );
  });

  it("is set from LLM_GATEWAY_REDIS_MODE", () => {
    const config = loadConfig({ env: { LLM_GATEWAY_REDIS_URL: "redis://a:7000", LLM_GATEWAY_REDIS_MODE: "cluster" } });
    expect(config.redis).toMatchObject({ url: "redis://a:7000", mode: "cluster" });
  });
});
