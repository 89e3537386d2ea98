import { expect, it } from "vitest";
import { providerContract } from "./contract.js";
import { BEDROCK_MODEL, bedrockProvider, claudePricing, claudeRates, cloudEnv, VERTEX_MODEL, vertexProvider } from "./anthropic-cloud.js";
import { anthropicWire } from "./wires.js";

/*
 * Claude on Vertex AI through @anthropic-ai/vertex-sdk: the model in the path (rawPredict and
 * streamRawPredict), a Google access token, errors in Google's shape. The body is Anthropic's.
 */
providerContract({
  kind: "anthropic-vertex",
  ...anthropicWire,
  provider: vertexProvider,
  env: cloudEnv,
  upstreamModel: VERTEX_MODEL,
  pricing: claudePricing,
  rates: claudeRates,
  listed: { cachedInputPricePerMillion: 0.3, cacheWritePricePerMillion: 3.75 },
  sent: (request) => {
    expect(request.cloud).toMatchObject({ platform: "vertex", model: VERTEX_MODEL, stream: true, project: "proj-1", region: "us-east5" });
    expect(request.headers.authorization).toBe("Bearer ya29.gateway-token");
  },
  extraProviders: (upstream) => [
    { name: "claude-bedrock", ...bedrockProvider(upstream), timeoutMs: 5000 },
    { name: "anthropic", kind: "anthropic", baseUrl: upstream.anthropicBaseUrl, timeoutMs: 5000 },
  ],
  extraModels: [
    {
      name: "claude-anywhere",
      deployments: [
        { provider: "subject", upstreamModel: VERTEX_MODEL, priority: 0 },
        { provider: "claude-bedrock", upstreamModel: BEDROCK_MODEL, priority: 1 },
        { provider: "anthropic", upstreamModel: "claude-sonnet-4-5", priority: 2 },
      ],
      pricing: claudePricing,
    },
  ],
  extra: (gw) =>
    it("fails over from a Vertex 5xx to Bedrock, then from both to Anthropic's own API", async () => {
      const { upstream, sdk } = gw();
      upstream.enqueue({ status: 503 }, { text: "from Bedrock" });
      const first = await sdk.chat.completions.create({ model: "claude-anywhere", messages: [{ role: "user", content: "Hi" }] });
      expect(first.choices[0]?.message.content).toBe("from Bedrock");
      expect((first as { llm_gateway?: { provider: string } }).llm_gateway?.provider).toBe("claude-bedrock");
      expect(upstream.requests.slice(-2).map((r) => r.cloud?.platform)).toEqual(["vertex", "bedrock"]);
      upstream.enqueue({ status: 500 }, { status: 500 }, { text: "from Anthropic" });
      const second = await sdk.chat.completions.create({ model: "claude-anywhere", messages: [{ role: "user", content: "Hi" }] });
      expect((second as { llm_gateway?: { provider: string } }).llm_gateway?.provider).toBe("anthropic");
      expect(upstream.requests.at(-1)?.path).toBe("/v1/messages");
    }),
});
