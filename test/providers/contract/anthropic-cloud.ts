import type { FakeUpstream } from "../../support/fake-upstream.js";
import { BEDROCK_KEYS } from "../../support/fake-anthropic-cloud.js";

/** Claude on Vertex AI and on Bedrock: the providers and credentials both spec files use. */
export const VERTEX_MODEL = "claude-sonnet-4-5@20250929";
export const BEDROCK_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const [keyId = "", secret = ""] = Object.entries(BEDROCK_KEYS)[0] ?? [];
export const cloudEnv = {
  GOOGLE_ACCESS_TOKEN: "ya29.gateway-token",
  BEDROCK_KEY_ID: keyId,
  BEDROCK_SECRET: secret,
  ANTHROPIC_API_KEY: "sk-ant",
};

export const vertexProvider = (upstream: FakeUpstream) => ({
  kind: "anthropic-vertex",
  projectId: "proj-1",
  region: "us-east5",
  accessTokenEnv: "GOOGLE_ACCESS_TOKEN",
  baseUrl: `${upstream.anthropicBaseUrl}/v1`,
});

export const bedrockProvider = (upstream: FakeUpstream) => ({
  kind: "anthropic-bedrock",
  awsRegion: "us-east-1",
  accessKeyIdEnv: "BEDROCK_KEY_ID",
  secretAccessKeyEnv: "BEDROCK_SECRET",
  baseUrl: upstream.anthropicBaseUrl,
});

/** Claude's prices as configured; the catalogue derives the cache rates (reads at 0.1x, writes at 1.25x). */
export const claudePricing = { inputPerMillion: 3, outputPerMillion: 15 };
export const claudeRates = { ...claudePricing, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 };
export { keyId };
