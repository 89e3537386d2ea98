import type { ProviderRequest } from "../../src/providers/provider.js";

export { chunksOf, complete, failure } from "./provider-calls.js";

/** What test/providers/cohere*.test.ts send (their reading of answers and failures is provider-calls.ts). */

export const request: ProviderRequest = {
  model: "command-a-03-2025",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ],
  maxTokens: 64,
  stop: ["END"],
};

export const tools = [
  { name: "clock", description: "The time", parametersJson: '{"type":"object","properties":{"tz":{"type":"string"}}}' },
];
