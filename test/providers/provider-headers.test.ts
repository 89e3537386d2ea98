import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../src/config/load.js";
import { createProviders } from "../../src/providers/registry.js";
import type { ProviderRequest } from "../../src/providers/provider.js";
import { FAKE_AWS_SECRET } from "../support/fake-bedrock.js";
import { BEDROCK_KEYS } from "../support/fake-anthropic-cloud.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";

/*
 * Every remote provider kind, built from configuration as the gateway builds it: its extra headers
 * (literal, or read from the environment) and its base URL or endpoint reach the upstream.
 */

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

const env = {
  PROXY_TOKEN: "from-env",
  OPENAI_API_KEY: "sk-o",
  ANTHROPIC_API_KEY: "sk-a",
  AZURE_OPENAI_API_KEY: "az-k",
  GOOGLE_TOKEN: "ya29.t",
  AWS_ACCESS_KEY_ID: Object.keys(BEDROCK_KEYS)[0],
  AWS_SECRET_ACCESS_KEY: Object.values(BEDROCK_KEYS)[0],
  GEMINI_API_KEY: "gm-k",
  VERTEX_K: "vx-k",
  MISTRAL_API_KEY: "ms-k",
  COHERE_API_KEY: "co-k",
};
// Bedrock's keys sign the request (SigV4); the session token is the one part of them sent as it is.
const aws = { AWS_ACCESS_KEY_ID: "AKIDHEADERS", AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET, AWS_SESSION_TOKEN: "aws-session" };
const headers = { "X-Proxy-Token": { env: "PROXY_TOKEN" }, "x-route": "private" };
const request: ProviderRequest = { model: "m", messages: [{ role: "user", content: "Hi" }], maxTokens: 20, stop: [] };

const configOf = (providers: unknown[]) =>
  validateConfig({ providers, models: [{ name: "m", provider: (providers[0] as { name: string }).name }] }, env);

describe.each(["direct", "sdk"])("extra headers and base URLs, %s client where there is a choice", (client) => {
  it.each([
    ["openai", () => ({ kind: "openai", baseUrl: upstream.openAiBaseUrl, client }), "/v1/chat/completions", "authorization", "Bearer sk-o"],
    [
      "openai-compatible",
      () => ({ kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, client }),
      "/v1/chat/completions",
      "api-key",
      undefined,
    ],
    ["anthropic", () => ({ kind: "anthropic", baseUrl: upstream.anthropicBaseUrl }), "/v1/messages", "authorization", "Bearer sk-a"],
    [
      "azure-openai",
      () => ({ kind: "azure-openai", endpoint: upstream.anthropicBaseUrl, apiVersion: "2025-04-01-preview", client }),
      "/openai/deployments/m/chat/completions?api-version=2025-04-01-preview",
      "api-key",
      "az-k",
    ],
    [
      "bedrock",
      () => ({ kind: "bedrock", region: "us-west-2", endpoint: upstream.anthropicBaseUrl }),
      "/model/m/converse-stream",
      "x-amz-security-token",
      "aws-session",
    ],
    [
      "anthropic-vertex",
      () => ({
        kind: "anthropic-vertex",
        projectId: "p",
        region: "global",
        accessTokenEnv: "GOOGLE_TOKEN",
        baseUrl: `${upstream.anthropicBaseUrl}/v1`,
      }),
      "/v1/projects/p/locations/global/publishers/anthropic/models/m:streamRawPredict",
      "authorization",
      "Bearer ya29.t",
    ],
    [
      // The extra headers are signed with the rest: the fake checks the signature.
      "anthropic-bedrock",
      () => ({ kind: "anthropic-bedrock", awsRegion: "eu-west-1", baseUrl: upstream.anthropicBaseUrl }),
      "/model/m/invoke-with-response-stream",
      "authorization",
      expect.stringMatching(
        /^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=.*x-proxy-token;x-route/,
      ),
    ],
    [
      "gemini",
      () => ({ kind: "gemini", baseUrl: upstream.anthropicBaseUrl }),
      "/v1beta/models/m:streamGenerateContent?alt=sse",
      "x-goog-api-key",
      "gm-k",
    ],
    [
      "vertex",
      () => ({ kind: "vertex", apiKeyEnv: "VERTEX_K", baseUrl: upstream.anthropicBaseUrl }),
      "/v1beta1/publishers/google/models/m:streamGenerateContent?alt=sse",
      "x-goog-api-key",
      "vx-k",
    ],
    [
      "mistral",
      () => ({ kind: "mistral", baseUrl: `${upstream.anthropicBaseUrl}/mistral` }),
      "/mistral/v1/chat/completions",
      "authorization",
      "Bearer ms-k",
    ],
    ["cohere", () => ({ kind: "cohere", baseUrl: upstream.anthropicBaseUrl }), "/v2/chat", "authorization", "Bearer co-k"],
  ])("%s", async (name, provider, path, keyHeader, key) => {
    const config = configOf([{ name, headers, ...provider() }]);
    // Each fake AWS service checks signatures with its own known keys.
    const p = createProviders(config.providers, name === "bedrock" ? { ...env, ...aws } : env).get(name)!.provider;
    for await (const _ of p.stream(request, new AbortController().signal)) {
      // read to the end
    }
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe(path);
    expect(sent.headers["x-proxy-token"]).toBe("from-env");
    expect(sent.headers["x-route"]).toBe("private");
    expect(sent.headers[keyHeader], JSON.stringify(sent.headers)).toEqual(key);
  });
});

describe.each(["direct", "sdk"])("an extra header named as the key's, %s client", (client) => {
  it("replaces the key's header, for a proxy that takes its own credentials", async () => {
    const config = configOf([
      { name: "o", kind: "openai", baseUrl: upstream.openAiBaseUrl, client, headers: { Authorization: "Bearer proxy" } },
    ]);
    const p = createProviders(config.providers, env).get("o")!.provider;
    for await (const _ of p.stream(request, new AbortController().signal)) {
      // read to the end
    }
    expect(upstream.requests.at(-1)!.headers["authorization"]).toBe("Bearer proxy");
  });
});

describe("provider configuration", () => {
  it("fails start-up naming the header whose environment variable is not set", () => {
    expect(() =>
      validateConfig(
        {
          providers: [{ name: "o", kind: "openai", headers: { "x-k": { env: "NOT_SET_ANYWHERE" } } }],
          models: [{ name: "m", provider: "o" }],
        },
        env,
      ),
    ).toThrow(/providers\[0\]\.headers\.x-k.*NOT_SET_ANYWHERE/s);
  });

  it("fails start-up on an Azure provider without its key, naming the variable", () => {
    const err = (() => {
      try {
        validateConfig(
          {
            providers: [{ name: "az", kind: "azure-openai", endpoint: "https://r.openai.azure.com" }],
            models: [{ name: "m", provider: "az" }],
          },
          {},
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/AZURE_OPENAI_API_KEY/);
  });

  it("takes Entra ID auth without a key, and wants a client secret's variable with a client id", () => {
    const az = { name: "az", kind: "azure-openai", endpoint: "https://r.openai.azure.com", auth: "entra" };
    expect(() => validateConfig({ providers: [az], models: [{ name: "m", provider: "az" }] }, {})).not.toThrow();
    expect(() =>
      validateConfig({ providers: [{ ...az, tenantId: "t", clientId: "c" }], models: [{ name: "m", provider: "az" }] }, {}),
    ).toThrow(/clientSecretEnv/);
  });

  it("fails start-up on a Gemini provider without its key, and on a Vertex provider with neither a project nor a key", () => {
    const models = [{ name: "m", provider: "g" }];
    expect(() => validateConfig({ providers: [{ name: "g", kind: "gemini" }], models }, {})).toThrow(/GEMINI_API_KEY/);
    expect(() => validateConfig({ providers: [{ name: "g", kind: "vertex" }], models }, {})).toThrow(/project.*express mode/s);
    expect(() => validateConfig({ providers: [{ name: "g", kind: "vertex", project: "p" }], models }, {})).not.toThrow();
    expect(() => validateConfig({ providers: [{ name: "g", kind: "vertex", apiKeyEnv: "NOT_SET" }], models }, {})).toThrow(/NOT_SET/);
  });
});
