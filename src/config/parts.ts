import { z } from "zod";

/*
 * The parts of the configuration that name things: providers, models and their deployments, tenants, tools.
 * src/config/schema.ts puts them together with the gateway's own settings.
 */

/**
 * What a model can do; a request that needs more is refused naming the field (vision: image parts;
 * documents: file parts; audio: audio parts; jsonMode: response_format; reasoning: reasoning options).
 */
const capabilities = z
  .object({
    streaming: z.boolean().default(true),
    tools: z.boolean().default(false),
    vision: z.boolean().default(false),
    jsonMode: z.boolean().default(false),
    documents: z.boolean().default(false),
    audio: z.boolean().default(false),
    reasoning: z.boolean().default(false),
  })
  .strict();

const providerBase = {
  /** The name routing, logs and responses use for this provider. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "use lower-case letters, digits, '-' and '_'"),
  /** Per-attempt timeout for the whole upstream call, in milliseconds. */
  timeoutMs: z.number().int().positive().default(120_000),
  /** Per-attempt timeout until the first token of the answer; defaults to timeoutMs. */
  firstTokenTimeoutMs: z.number().int().positive().optional(),
  /**
   * Per-attempt timeout until the provider accepts the request (its response headers; every attempt
   * streams, and providers send headers before they generate). Long prompts get 1 ms more per 10
   * prompt tokens. This is what a hung provider costs a caller before the next deployment is tried.
   */
  headersTimeoutMs: z.number().int().positive().default(5_000),
  /** Timeout for opening a connection to the provider. */
  connectTimeoutMs: z.number().int().positive().default(3_000),
};

/** A header value: text, or { env: NAME } to read an environment variable at start-up. */
const headerValue = z.union([z.string(), z.object({ env: z.string().min(1) }).strict()]);

/**
 * What every remote provider may add to its upstream requests: extra headers (a proxy's key, a private
 * endpoint's routing header). They go on every request, over the provider's own auth header of the same name.
 */
const remoteBase = {
  ...providerBase,
  headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "an HTTP header name"), headerValue).default({}),
};

/**
 * How an OpenAI-format provider is spoken to: "direct", the chat completions wire format written and
 * read by the gateway itself over undici, or "sdk", through the official openai SDK. Both send the
 * same requests and read answers and errors alike (test/providers runs one contract against both);
 * direct is the default because it costs less than half the SDK's CPU per call (docs/benchmarks.md).
 */
const openAiClient = z.enum(["sdk", "direct"]).default("direct");

const openAiProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("openai"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("OPENAI_API_KEY"),
    baseUrl: z.url().optional(),
    organization: z.string().optional(),
    client: openAiClient,
  })
  .strict();

const compatibleProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("openai-compatible"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().optional(),
    baseUrl: z.url(),
    /** Ask for usage in streams (stream_options.include_usage); turn off for a server that refuses the field (usage is then counted). */
    streamUsage: z.boolean().default(true),
    client: openAiClient,
  })
  .strict();

const anthropicProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("anthropic"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("ANTHROPIC_API_KEY"),
    baseUrl: z.url().optional(),
  })
  .strict();

/**
 * Azure OpenAI: a resource's endpoint, its deployments named by the catalogue's upstreamModel. Auth is the
 * api-key header (apiKey or apiKeyEnv), or, with auth: entra, a Microsoft Entra ID token from @azure/identity
 * (a client secret when tenantId, clientId and clientSecretEnv are set, else DefaultAzureCredential).
 * apiVersion "v1" speaks Azure's v1 API (/openai/v1/..., the model in the body, no api-version query).
 */
const azureProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("azure-openai"),
    /** https://<resource>.openai.azure.com (or a private endpoint, or a proxy in front of one). */
    endpoint: z.url(),
    apiVersion: z.string().min(1).default("2024-10-21"),
    auth: z.enum(["api-key", "entra"]).default("api-key"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("AZURE_OPENAI_API_KEY"),
    tenantId: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecretEnv: z.string().min(1).optional(),
    /** Where Entra ID tokens come from: Azure's public cloud unless set (sovereign clouds, tests). */
    authorityHost: z.url().optional(),
    client: openAiClient,
  })
  .strict()
  .refine((p) => p.auth !== "entra" || (p.tenantId === undefined) === (p.clientId === undefined), {
    message: "set tenantId and clientId together (with clientSecretEnv), or neither for DefaultAzureCredential",
    path: ["tenantId"],
  })
  .refine((p) => p.auth !== "entra" || p.clientId === undefined || p.clientSecretEnv !== undefined, {
    message: "a client credential needs clientSecretEnv: the environment variable holding its secret",
    path: ["clientSecretEnv"],
  });

/** Google's Gemini API: an API key (GEMINI_API_KEY unless apiKeyEnv says otherwise), through @google/genai. */
const geminiProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("gemini"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("GEMINI_API_KEY"),
    baseUrl: z.url().optional(),
    /** The API version in the path: v1beta (the SDK's default, every feature) or v1. */
    apiVersion: z.string().min(1).optional(),
  })
  .strict();

/**
 * Gemini on Vertex AI: a project and location, with application-default credentials (or keyFile, a
 * service account's JSON key); apiKeyEnv, when set, uses Vertex's express mode with an API key instead.
 */
const vertexProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("vertex"),
    project: z.string().min(1).optional(),
    location: z.string().min(1).default("global"),
    keyFile: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().optional(),
    baseUrl: z.url().optional(),
    apiVersion: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => p.project !== undefined || p.apiKey !== undefined || p.apiKeyEnv !== undefined, {
    message: "set project (Google credentials) or apiKeyEnv (Vertex AI express mode)",
    path: ["project"],
  });

const localProvider = z
  .object({
    ...providerBase,
    kind: z.literal("local"),
    /** Delay between streamed tokens, to make the local model feel like a real one. */
    tokenDelayMs: z.number().min(0).default(0),
  })
  .strict();

export const providerSchema = z.discriminatedUnion("kind", [
  openAiProvider,
  compatibleProvider,
  anthropicProvider,
  azureProvider,
  geminiProvider,
  vertexProvider,
  localProvider,
]);

const pricingSchema = z
  .object({
    inputPerMillion: z.number().min(0).default(0),
    outputPerMillion: z.number().min(0).default(0),
    /**
     * Input tokens read from the provider's prompt cache; defaults by provider kind: Anthropic, Gemini and Vertex 0.1×
     * input, OpenAI and Azure OpenAI 0.5× input (set the model's own rate: gpt-4.1 and later are 0.25×, gpt-5 0.1×), others 1×.
     */
    cachedInputPerMillion: z.number().min(0).optional(),
    /** Input tokens written to the provider's prompt cache; defaults to Anthropic's 1.25× input (5-minute writes), others 1×. */
    cacheWritePerMillion: z.number().min(0).optional(),
    /** Input tokens written to the prompt cache for an hour (Anthropic ttl 1h); defaults to Anthropic's 2× input, others 1×. */
    cacheWrite1hPerMillion: z.number().min(0).optional(),
  })
  .strict();

/** One provider serving a model: the same model on two providers (or two keys) is two deployments. */
export const deploymentSchema = z
  .object({
    provider: z.string().min(1),
    /** The model's name at this provider; defaults to the model's upstreamModel, then its name. */
    upstreamModel: z.string().min(1).optional(),
    /** Share of traffic under the weighted strategy. */
    weight: z.number().positive().default(1),
    /** Order under the fallback strategy: lower first; ties keep config order. */
    priority: z.number().int().default(0),
    /** This deployment's prices, when they differ from the model's. */
    pricing: pricingSchema.optional(),
  })
  .strict();

export const modelSchema = z
  .object({
    /** The name callers use. */
    name: z.string().min(1),
    /** The configured provider that serves it: shorthand for a single deployment. */
    provider: z.string().min(1).optional(),
    /** Several providers serving it; routing chooses among them. */
    deployments: z.array(deploymentSchema).min(1).optional(),
    /** The model's name at the provider; defaults to `name`. */
    upstreamModel: z.string().min(1).optional(),
    aliases: z.array(z.string().min(1)).default([]),
    contextWindow: z.number().int().positive().default(128_000),
    maxOutputTokens: z.number().int().positive().default(4096),
    pricing: pricingSchema.default({ inputPerMillion: 0, outputPerMillion: 0 }),
    capabilities: capabilities.default({
      streaming: true,
      tools: false,
      vision: false,
      jsonMode: false,
      documents: false,
      audio: false,
      reasoning: false,
    }),
    /** Hedging, opt-in: when the first deployment has not answered within this many ms, start the next as well. */
    hedgeAfterMs: z.number().int().positive().optional(),
    /** Which tokenizer counts this model's tokens; "estimate" labels counts as estimates. */
    tokenizer: z.enum(["o200k_base", "cl100k_base", "estimate"]).optional(),
    /**
     * What the model answers: "chat" (completions, on every chat face) or "embedding" (EmbeddingService
     * and /v1/embeddings, priced by pricing.inputPerMillion; contextWindow is the most tokens per input).
     */
    type: z.enum(["chat", "embedding"]).default("chat"),
    /** An embedding model's vector size; a request may ask for fewer (dimensions), never more. */
    dimensions: z.number().int().positive().optional(),
  })
  .strict()
  .refine((m) => (m.provider === undefined) !== (m.deployments === undefined), {
    message: "set either provider (one deployment) or deployments (several), not both or neither",
    path: ["provider"],
  })
  .refine((m) => m.dimensions === undefined || m.type === "embedding", {
    message: "dimensions is the vector size of an embedding model: set type: embedding, or remove it",
    path: ["dimensions"],
  });

/** Limits of one caller; absent fields are unlimited. */
const limitsSchema = z
  .object({
    requestsPerMinute: z.number().int().positive().optional(),
    requestsPerHour: z.number().int().positive().optional(),
    tokensPerMinute: z.number().int().positive().optional(),
  })
  .strict();

/** A tenant: who its keys are, what it may use and spend. */
export const tenantSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, "use 1-64 letters, digits, . _ or -"),
    /** Each key as its SHA-256 (hex), or the environment variable holding it (hashed at start-up, then dropped). */
    keys: z
      .array(
        z.union([
          z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in lower-case hex") }).strict(),
          z.object({ env: z.string().min(1) }).strict(),
        ]),
      )
      .min(1),
    /** May call CacheService and AdminService. */
    admin: z.boolean().default(false),
    /** Models (names or aliases) it may use; absent means all. */
    allowedModels: z.array(z.string().min(1)).optional(),
    /** Its own rate limits, replacing the gateway-wide ones. */
    limits: limitsSchema.optional(),
    /** Spending caps in USD, per UTC day and per UTC month. */
    budget: z.object({ dailyUsd: z.number().positive().optional(), monthlyUsd: z.number().positive().optional() }).strict().optional(),
  })
  .strict();

/** A tool of the registry: another service over HTTP. */
export const toolSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "use 1-64 letters, digits, _ or -"),
    description: z.string().min(1),
    /** The JSON Schema of the arguments: an object schema. */
    parameters: z.record(z.string(), z.unknown()).refine((p) => p["type"] === "object", "must be a JSON Schema with type: object"),
    kind: z.literal("http"),
    url: z.url(),
    method: z.enum(["GET", "POST"]).default("POST"),
    /** Header values: text, or { env: NAME } to read an environment variable at start-up. */
    headers: z.record(z.string(), z.union([z.string(), z.object({ env: z.string().min(1) }).strict()])).default({}),
    timeoutMs: z.number().int().positive().optional(),
    maxOutputBytes: z.number().int().positive().optional(),
  })
  .strict();

/** A tools file. */
export const toolsFileSchema = z.object({ tools: z.array(toolSchema) }).strict();
