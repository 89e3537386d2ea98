import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";

/* Start-up validation of the Claude-on-Vertex-AI and Claude-on-Bedrock provider kinds. */

const withProvider = (provider: Record<string, unknown>) => ({
  providers: [{ name: "p", ...provider }],
  models: [{ name: "m", provider: "p" }],
});

describe("anthropic-vertex and anthropic-bedrock configuration", () => {
  it("takes a Vertex provider with application-default credentials, and one with a token from the environment", () => {
    expect(validateConfig(withProvider({ kind: "anthropic-vertex", projectId: "proj", region: "global" }), {}).providers[0]).toMatchObject({
      kind: "anthropic-vertex",
      projectId: "proj",
      region: "global",
    });
    const token = withProvider({ kind: "anthropic-vertex", projectId: "proj", region: "us-east5", accessTokenEnv: "VERTEX_TOKEN" });
    expect(() => validateConfig(token, { VERTEX_TOKEN: "ya29.x" })).not.toThrow();
  });

  it("fails start-up naming the key when the token's variable is not set", () => {
    const token = withProvider({ kind: "anthropic-vertex", projectId: "proj", region: "us-east5", accessTokenEnv: "VERTEX_TOKEN" });
    expect(() => validateConfig(token, {})).toThrow(/providers\[0\]\.accessTokenEnv: VERTEX_TOKEN is not set/);
  });

  it("requires Vertex's project and region, and Bedrock's region", () => {
    expect(() => validateConfig(withProvider({ kind: "anthropic-vertex", region: "global" }), {})).toThrow(/projectId/);
    expect(() => validateConfig(withProvider({ kind: "anthropic-vertex", projectId: "proj" }), {})).toThrow(/region/);
    expect(() => validateConfig(withProvider({ kind: "anthropic-bedrock" }), {})).toThrow(/awsRegion/);
  });

  it("reads Bedrock's keys from AWS's usual variables unless told others, and a Bedrock API key only when named", () => {
    const config = validateConfig(withProvider({ kind: "anthropic-bedrock", awsRegion: "us-east-1" }), {});
    expect(config.providers[0]).toMatchObject({
      accessKeyIdEnv: "AWS_ACCESS_KEY_ID",
      secretAccessKeyEnv: "AWS_SECRET_ACCESS_KEY",
      sessionTokenEnv: "AWS_SESSION_TOKEN",
    });
    expect(config.providers[0]).not.toHaveProperty("apiKeyEnv");
    const key = withProvider({ kind: "anthropic-bedrock", awsRegion: "us-east-1", apiKeyEnv: "BEDROCK_KEY" });
    expect(() => validateConfig(key, {})).toThrow(/providers\[0\]\.apiKeyEnv: BEDROCK_KEY is not set/);
  });

  it("refuses an API key field on Vertex, where Google credentials are the only auth", () => {
    expect(() => validateConfig(withProvider({ kind: "anthropic-vertex", projectId: "p", region: "global", apiKey: "k" }), {})).toThrow(
      /apiKey/,
    );
  });
});
