import { expect } from "vitest";
import { providerContract } from "./contract.js";
import { openAiWire } from "./wires.js";

/* OpenAI's own API (kind openai), through both clients an OpenAI-format provider may use: direct and the openai SDK. */
for (const client of ["direct", "sdk"] as const)
  providerContract({
    kind: "openai",
    label: client,
    ...openAiWire,
    provider: (upstream) => ({ kind: "openai", baseUrl: upstream.openAiBaseUrl, client }),
    env: { OPENAI_API_KEY: "sk-openai" },
    upstreamModel: "gpt-4o-mini",
    pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    // OpenAI's cached input costs half the input price unless the catalogue says otherwise.
    listed: { cachedInputPricePerMillion: 0.075 },
    sent: (request) => {
      expect(request.path).toBe("/v1/chat/completions");
      expect(request.headers.authorization).toBe("Bearer sk-openai");
      expect(request.body["model"]).toBe("gpt-4o-mini");
    },
  });
