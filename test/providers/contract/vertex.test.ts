import { expect } from "vitest";
import { providerContract } from "./contract.js";
import { geminiWire } from "./wires.js";

/*
 * Gemini on Vertex AI through @google/genai, in express mode (an API key). Its Google credentials (a
 * bearer token) and project paths are proven in test/providers/gemini.test.ts.
 */
providerContract({
  kind: "vertex",
  ...geminiWire,
  provider: (upstream) => ({ kind: "vertex", apiKeyEnv: "VERTEX_API_KEY", baseUrl: upstream.anthropicBaseUrl }),
  env: { VERTEX_API_KEY: "v-key" },
  upstreamModel: "gemini-2.5-flash",
  pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03 },
  listed: { cachedInputPricePerMillion: 0.03 },
  sent: (request) => {
    expect(request.path).toBe("/v1beta1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(request.headers["x-goog-api-key"]).toBe("v-key");
  },
});
