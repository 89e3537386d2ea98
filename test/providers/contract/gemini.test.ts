import { expect } from "vitest";
import { providerContract } from "./contract.js";
import { geminiWire } from "./wires.js";

/*
 * The Gemini API through @google/genai, its key in x-goog-api-key. Every call is a streamGenerateContent:
 * a unary call is a stream the gateway collects.
 */
providerContract({
  kind: "gemini",
  ...geminiWire,
  provider: (upstream) => ({ kind: "gemini", baseUrl: upstream.anthropicBaseUrl }),
  env: { GEMINI_API_KEY: "g-key" },
  upstreamModel: "gemini-2.5-flash",
  pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03 },
  listed: { cachedInputPricePerMillion: 0.03 },
  sent: (request) => {
    expect(request.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(request.headers["x-goog-api-key"]).toBe("g-key");
  },
});
