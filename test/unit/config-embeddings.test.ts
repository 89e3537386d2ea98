import { describe, expect, it } from "vitest";
import { loadConfig, validateConfig } from "../../src/config/load.js";
import { createCatalog } from "../../src/core/catalog.js";

const base = {
  providers: [
    { name: "local", kind: "local" },
    { name: "compat", kind: "openai-compatible", baseUrl: "http://127.0.0.1:1/v1" },
  ],
  models: [
    { name: "local-echo", provider: "local" },
    { name: "emb", provider: "compat", type: "embedding", dimensions: 768, pricing: { inputPerMillion: 0.05 } },
  ],
};

describe("embedding models in the configuration", () => {
  it("are typed in the catalogue, with their size; every other model is a chat model", () => {
    const catalog = createCatalog(validateConfig(base, {}));
    expect(catalog.resolve("emb")).toMatchObject({ type: "embedding", embeddingDimensions: 768, inputPricePerMillion: 0.05 });
    expect(catalog.resolve("local-echo").type).toBe("chat");
    expect(catalog.resolve("local-echo").embeddingDimensions).toBeUndefined();
  });

  it("keep an embedding model's task in the catalogue", () => {
    const providers = [{ name: "gemini", kind: "gemini", apiKey: "k" }];
    const models = [{ name: "q", provider: "gemini", upstreamModel: "gemini-embedding-001", type: "embedding", task: "retrieval-query" }];
    expect(createCatalog(validateConfig({ providers, models }, {})).resolve("q").embeddingTask).toBe("retrieval-query");
  });

  it.each([
    [
      "dimensions on a chat model",
      { ...base, models: [{ name: "m", provider: "local", dimensions: 3 }] },
      "models[0].dimensions: dimensions is the vector size of an embedding model",
    ],
    ["an unknown type", { ...base, models: [{ name: "m", provider: "local", type: "rerank" }] }, "models[0].type"],
    [
      "a task on a chat model",
      { ...base, models: [{ name: "m", provider: "local", task: "retrieval-query" }] },
      "models[0].task: task says what an embedding model's vectors are for",
    ],
    [
      "a task on an OpenAI-format provider, which has none",
      { ...base, models: [{ name: "m", provider: "compat", type: "embedding", task: "retrieval-query" }] },
      'models[0].task: kind openai-compatible takes no task (OpenAI\'s embeddings API has none); remove task (deployment on "compat", m)',
    ],
    [
      "Cohere Embed on Bedrock without a task (its input_type is required)",
      {
        providers: [{ name: "bedrock", kind: "bedrock", region: "us-east-1" }],
        models: [{ name: "c", provider: "bedrock", upstreamModel: "cohere.embed-english-v3", type: "embedding" }],
      },
      "models[0].task: Cohere Embed needs an input_type",
    ],
    [
      "Cohere Embed on Bedrock with a task it has no input_type for",
      {
        providers: [{ name: "bedrock", kind: "bedrock", region: "us-east-1" }],
        models: [{ name: "c", provider: "bedrock", upstreamModel: "cohere.embed-v4:0", type: "embedding", task: "similarity" }],
      },
      "models[0].task: Cohere Embed has no input_type for similarity",
    ],
    [
      "Titan with a task",
      {
        providers: [{ name: "bedrock", kind: "bedrock", region: "us-east-1" }],
        models: [{ name: "t", provider: "bedrock", upstreamModel: "amazon.titan-embed-text-v2:0", type: "embedding", task: "clustering" }],
      },
      "models[0].task: Titan Text Embeddings has no task type",
    ],
    [
      "a Bedrock embedding model the gateway cannot embed with",
      {
        providers: [{ name: "bedrock", kind: "bedrock", region: "us-east-1" }],
        models: [{ name: "i", provider: "bedrock", upstreamModel: "amazon.titan-embed-image-v1", type: "embedding" }],
      },
      'models[0]: amazon.titan-embed-image-v1 on "bedrock": Bedrock embeddings are carried for Titan Text Embeddings',
    ],
    [
      "an unknown task",
      { ...base, models: [{ name: "m", provider: "compat", type: "embedding", task: "search_query" }] },
      "models[0].task",
    ],
    [
      "a semantic cache embedding with a chat model",
      { ...base, cache: { semantic: { enabled: true, embedder: "gateway", model: "local-echo" } } },
      "cache.semantic.model: the gateway embedder needs a catalogue model of type embedding",
    ],
    [
      "an embedding model as the default model (which answers completions that name none)",
      { ...base, defaultModel: "emb" },
      'defaultModel: "emb" is an embedding model',
    ],
    [
      "a semantic cache embedding with a model not in the catalogue",
      { ...base, cache: { semantic: { enabled: true, embedder: "gateway", model: "nope" } } },
      "cache.semantic.model",
    ],
  ])("refuse %s, naming the key", (_name, raw, message) => {
    expect(() => validateConfig(raw, {})).toThrow(message);
  });

  it("accept a semantic cache embedding with one of the gateway's models, by name or alias", () => {
    const raw = { ...base, cache: { semantic: { enabled: true, embedder: "gateway", model: "emb" } } };
    expect(validateConfig(raw, {}).cache.semantic).toMatchObject({ embedder: "gateway", model: "emb" });
  });

  it("come with OpenAI's in the embedded default, at list prices", () => {
    const catalog = createCatalog(loadConfig({ env: { OPENAI_API_KEY: "sk-1" } }));
    const prices = Object.fromEntries(
      catalog.models.filter((m) => m.type === "embedding").map((m) => [m.name, [m.inputPricePerMillion, m.embeddingDimensions]]),
    );
    expect(prices).toEqual({
      "text-embedding-3-small": [0.02, 1536],
      "text-embedding-3-large": [0.13, 3072],
      "text-embedding-ada-002": [0.1, 1536],
    });
  });
});
