import { expect } from "vitest";
import { providerContract } from "./contract.js";
import { openAiWire } from "./wires.js";

/* A server that speaks OpenAI's Chat Completions (vLLM, Ollama, a proxy), through both clients. */
for (const client of ["direct", "sdk"] as const)
  providerContract({
    kind: "openai-compatible",
    label: client,
    ...openAiWire,
    provider: (upstream) => ({ kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, apiKey: "sk-compatible", client }),
    upstreamModel: "llama-3.3-70b",
    pricing: { inputPerMillion: 0.5, outputPerMillion: 1.5, cachedInputPerMillion: 0.1 },
    listed: { cachedInputPricePerMillion: 0.1 },
    sent: (request) => {
      expect(request.path).toBe("/v1/chat/completions");
      expect(request.headers.authorization).toBe("Bearer sk-compatible");
      expect(request.body["model"]).toBe("llama-3.3-70b");
    },
  });
