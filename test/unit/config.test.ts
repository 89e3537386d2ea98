import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, validateConfig } from "../../src/config/load.js";

const minimal = {
  providers: [{ name: "local", kind: "local" }],
  models: [{ name: "local-echo", provider: "local" }],
};

describe("configuration", () => {
  it("fills defaults for a minimal config", () => {
    const config = validateConfig(minimal, {});
    expect(config.server).toMatchObject({ host: "0.0.0.0", grpcPort: 50051, httpPort: 8080, corsOrigins: ["*"] });
    expect(config.models[0]).toMatchObject({ maxOutputTokens: 4096, capabilities: { streaming: true } });
  });

  it.each([
    ["an unknown provider kind", { ...minimal, providers: [{ name: "x", kind: "watsonx" }] }, "providers[0].kind"],
    ["a Bedrock provider without its region", { ...minimal, providers: [{ name: "b", kind: "bedrock" }] }, "providers[0].region"],
    [
      "a Bedrock region that is not one",
      { ...minimal, providers: [{ name: "b", kind: "bedrock", region: "Virginia" }] },
      "providers[0].region: an AWS region, such as us-east-1",
    ],
    [
      "a model on a missing provider",
      { ...minimal, models: [{ name: "m", provider: "nope" }] },
      'models[0].provider: "nope" is not a configured provider',
    ],
    [
      "a duplicate alias",
      {
        ...minimal,
        models: [
          { name: "a", provider: "local" },
          { name: "b", provider: "local", aliases: ["a"] },
        ],
      },
      "models[1].aliases[0]",
    ],
    ["a default model not in the catalogue", { ...minimal, defaultModel: "gpt-9" }, "defaultModel"],
    [
      "a negative price",
      { ...minimal, models: [{ name: "m", provider: "local", pricing: { inputPerMillion: -1 } }] },
      "models[0].pricing.inputPerMillion",
    ],
    ["a port out of range", { ...minimal, server: { grpcPort: 70000 } }, "server.grpcPort"],
    ["an unknown key (a typo)", { ...minimal, server: { grpcport: 1 } }, "server"],
    [
      "a compatible provider without base URL",
      { ...minimal, providers: [{ name: "o", kind: "openai-compatible" }] },
      "providers[0].baseUrl",
    ],
    [
      "an OpenAI provider without a key",
      { ...minimal, providers: [...minimal.providers, { name: "openai", kind: "openai" }] },
      'providers[1].apiKey: no API key for provider "openai"; set OPENAI_API_KEY',
    ],
    [
      "two providers with one name",
      {
        ...minimal,
        providers: [
          { name: "local", kind: "local" },
          { name: "local", kind: "local" },
        ],
      },
      "providers[1].name",
    ],
    ["a Redis cache without redis.url", { ...minimal, cache: { store: "redis" } }, "cache.store: is redis, but no redis.url"],
    ["a semantic threshold above 1", { ...minimal, cache: { semantic: { threshold: 1.5 } } }, "cache.semantic.threshold"],
    [
      "the openai embedder on a non-OpenAI provider",
      { ...minimal, cache: { semantic: { enabled: true, embedder: "openai", provider: "local" } } },
      "cache.semantic.provider",
    ],
  ])("rejects %s, naming the key", (_what, raw, key) => {
    expect(() => validateConfig(raw, {})).toThrow(ConfigError);
    expect(() => validateConfig(raw, {})).toThrow(key);
  });

  it("reads an API key from the environment variable the provider names", () => {
    const raw = { ...minimal, providers: [...minimal.providers, { name: "openai", kind: "openai", apiKeyEnv: "MY_KEY" }] };
    expect(() => validateConfig(raw, { MY_KEY: "sk-1" })).not.toThrow();
  });

  it("embedded default: the local model only, without keys", () => {
    const config = loadConfig({ env: {} });
    expect(config.providers.map((p) => p.kind)).toEqual(["local"]);
    expect(config.defaultModel).toBe("local-echo");
  });

  it("embedded default: OpenAI and Anthropic when their keys are set, OpenAI the default", () => {
    const config = loadConfig({ env: { OPENAI_API_KEY: "sk-1", ANTHROPIC_API_KEY: "sk-2" } });
    expect(config.providers.map((p) => p.name)).toEqual(["local", "anthropic", "openai"]);
    expect(config.defaultModel).toBe("gpt-4o-mini");
  });

  it("embedded default: Claude 4.5 models allow Anthropic's 64,000 output tokens (what the AI SDK asks for)", () => {
    const config = loadConfig({ env: { ANTHROPIC_API_KEY: "sk-2" } });
    const limits = config.models.filter((m) => m.name.startsWith("claude-")).map((m) => [m.name, m.maxOutputTokens]);
    expect(limits).toEqual([
      ["claude-sonnet-4-5", 64_000],
      ["claude-haiku-4-5", 64_000],
    ]);
  });

  it("applies LLM_GATEWAY_* overrides over a YAML file", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-config-"));
    const file = join(dir, "gateway.yaml");
    writeFileSync(
      file,
      "server:\n  grpcPort: 1234\nproviders:\n  - name: local\n    kind: local\nmodels:\n  - name: echo\n    provider: local\n",
    );
    const config = loadConfig({
      file,
      env: { LLM_GATEWAY_GRPC_PORT: "4321", LLM_GATEWAY_HOST: "127.0.0.1", LLM_GATEWAY_CORS_ORIGINS: "https://a.test, https://b.test" },
    });
    expect(config.server).toMatchObject({ grpcPort: 4321, host: "127.0.0.1", corsOrigins: ["https://a.test", "https://b.test"] });
  });

  it("turns the cache off or onto Redis from the environment", () => {
    expect(loadConfig({ env: { LLM_GATEWAY_CACHE_ENABLED: "false" } }).cache.enabled).toBe(false);
    const shared = loadConfig({ env: { LLM_GATEWAY_CACHE_STORE: "redis", LLM_GATEWAY_REDIS_URL: "redis://r:6379" } });
    expect(shared.cache.store).toBe("redis");
  });

  it("names the variable when an override is not a number", () => {
    expect(() => loadConfig({ env: { LLM_GATEWAY_HTTP_PORT: "eighty" } })).toThrow("LLM_GATEWAY_HTTP_PORT");
  });

  it("names the file when it is not valid YAML", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-config-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "providers: [\n");
    expect(() => loadConfig({ file, env: {} })).toThrow(file);
  });
});
