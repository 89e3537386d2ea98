import { expect } from "vitest";
import { providerContract } from "./contract.js";
import { anthropicWire } from "./wires.js";

/* Anthropic's own Messages API through @anthropic-ai/sdk. */
providerContract({
  kind: "anthropic",
  ...anthropicWire,
  provider: (upstream) => ({ kind: "anthropic", baseUrl: upstream.anthropicBaseUrl }),
  env: { ANTHROPIC_API_KEY: "sk-ant" },
  upstreamModel: "claude-haiku-4-5",
  pricing: { inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1, cacheWritePerMillion: 1.25 },
  listed: { cachedInputPricePerMillion: 0.1, cacheWritePricePerMillion: 1.25 },
  sent: (request) => {
    expect(request.path).toBe("/v1/messages");
    // The SDK sends the key as a bearer token.
    expect(request.headers.authorization).toBe("Bearer sk-ant");
    expect(request.body["model"]).toBe("claude-haiku-4-5");
  },
});
