/**
 * The embedded default: the local model always, and OpenAI and Anthropic
 * when their API keys are in the environment. Prices are list prices in
 * USD per million tokens at the time of writing; override them in a file.
 */
export function embeddedDefault(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const providers: unknown[] = [{ name: "local", kind: "local", tokenDelayMs: 15 }];
  const models: unknown[] = [
    {
      name: "local-echo",
      provider: "local",
      aliases: ["local"],
      contextWindow: 32_768,
      maxOutputTokens: 1024,
      tokenizer: "o200k_base",
    },
  ];
  let defaultModel = "local-echo";
  if (env["ANTHROPIC_API_KEY"]) {
    providers.push({ name: "anthropic", kind: "anthropic" });
    models.push(anthropicModel("claude-sonnet-4-5", ["sonnet"], 3, 15), anthropicModel("claude-haiku-4-5", ["haiku"], 1, 5));
    defaultModel = "claude-haiku-4-5";
  }
  if (env["OPENAI_API_KEY"]) {
    providers.push({ name: "openai", kind: "openai" });
    models.push(
      openAiModel("gpt-4o-mini", ["fast"], 0.15, 0.6),
      openAiModel("gpt-4o", [], 2.5, 10),
      // GPT-4.1's window is 1,047,576 tokens with up to 32,768 out, and its cached input a quarter of the price.
      { ...openAiModel("gpt-4.1-mini", [], 0.4, 1.6, 0.1), contextWindow: 1_047_576, maxOutputTokens: 32_768 },
      openAiEmbeddingModel("text-embedding-3-small", 1536, 0.02),
      openAiEmbeddingModel("text-embedding-3-large", 3072, 0.13),
      openAiEmbeddingModel("text-embedding-ada-002", 1536, 0.1),
    );
    defaultModel = "gpt-4o-mini";
  }
  return { providers, models, defaultModel };
}

function openAiModel(name: string, aliases: string[], input: number, output: number, cachedInput?: number) {
  return {
    name,
    provider: "openai",
    aliases,
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    pricing: {
      inputPerMillion: input,
      outputPerMillion: output,
      ...(cachedInput === undefined ? {} : { cachedInputPerMillion: cachedInput }),
    },
    capabilities: { streaming: true, tools: true, vision: true, jsonMode: true, documents: true, audio: false, reasoning: false },
    tokenizer: "o200k_base",
  };
}

/** An OpenAI embedding model: input tokens only, 8,191 of them per input, counted with cl100k_base. */
function openAiEmbeddingModel(name: string, dimensions: number, input: number) {
  return {
    name,
    provider: "openai",
    type: "embedding",
    dimensions,
    contextWindow: 8191,
    pricing: { inputPerMillion: input },
    tokenizer: "cl100k_base",
  };
}

function anthropicModel(name: string, aliases: string[], input: number, output: number) {
  return {
    name,
    provider: "anthropic",
    aliases,
    contextWindow: 200_000,
    // Anthropic's own limit for Sonnet and Haiku 4.5. The AI SDK's Anthropic provider asks for exactly
    // that many when its caller sets no limit, so a lower figure here refused all of its calls.
    maxOutputTokens: 64_000,
    pricing: { inputPerMillion: input, outputPerMillion: output },
    capabilities: { streaming: true, tools: true, vision: true, jsonMode: true, documents: true, audio: false, reasoning: true },
    tokenizer: "estimate",
  };
}
