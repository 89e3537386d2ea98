/** Embedding models on each OpenAI-format client, and on providers without embeddings. */
export const embeddingModels = [
  {
    name: "embed-small",
    provider: "fake-openai",
    upstreamModel: "text-embedding-3-small",
    type: "embedding",
    dimensions: 256,
    contextWindow: 8191,
    tokenizer: "cl100k_base",
    pricing: { inputPerMillion: 0.02 },
  },
  { name: "embed-sdk", provider: "fake-openai-sdk", upstreamModel: "text-embedding-3-small", type: "embedding", dimensions: 256 },
  { name: "embed-native", provider: "fake-openai-native", upstreamModel: "text-embedding-3-small", type: "embedding", dimensions: 256 },
  {
    name: "embed-dual",
    type: "embedding",
    deployments: [
      { provider: "fake-openai", upstreamModel: "text-embedding-3-small", pricing: { inputPerMillion: 0.02 } },
      { provider: "fake-openai-sdk", upstreamModel: "text-embedding-3-large", pricing: { inputPerMillion: 0.13 } },
    ],
  },
  { name: "embed-claude", provider: "fake-anthropic", upstreamModel: "claude-haiku-4-5", type: "embedding" },
];
