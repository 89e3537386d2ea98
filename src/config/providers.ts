import { z } from "zod";

/*
 * The providers the gateway calls, one schema per kind: what each needs (keys, endpoints, regions,
 * credentials) and the options every remote kind shares (timeouts, extra headers).
 */

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

/**
 * Amazon Bedrock's Converse API, signed with SigV4 by the AWS SDK. Keys come from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or, without them, the SDK's default
 * credential chain (profile, SSO, container and instance roles). Models are named by their Bedrock
 * model or inference profile id (upstreamModel).
 */
const bedrockProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("bedrock"),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "an AWS region, such as us-east-1"),
    /** Another endpoint than the region's: a VPC endpoint or a proxy. */
    endpoint: z.url().optional(),
  })
  .strict();

/**
 * Claude on Google Cloud's Vertex AI, through @anthropic-ai/vertex-sdk: models are named as Vertex names
 * them (claude-sonnet-4-5@20250929). Auth is Google's application-default credentials, or an OAuth access
 * token read from accessTokenEnv at start-up (a token lives an hour: for jobs and proxies, not for servers).
 */
const anthropicVertexProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("anthropic-vertex"),
    projectId: z.string().min(1),
    /** A Google Cloud region (us-east5, europe-west1), or global, us or eu. */
    region: z.string().min(1),
    accessTokenEnv: z.string().min(1).optional(),
    /** Replaces https://{region}-aiplatform.googleapis.com/v1 (a private endpoint, a proxy, tests). */
    baseUrl: z.url().optional(),
  })
  .strict();

/**
 * Claude on Amazon Bedrock, through @anthropic-ai/bedrock-sdk: models are Bedrock's model ids
 * (anthropic.claude-sonnet-4-5-20250929-v1:0) or inference profiles (us.anthropic...). Requests are signed
 * with SigV4: keys from the environment variables named here when they are set, else AWS's default
 * credential chain (profiles, SSO, web identity, instance roles). A Bedrock API key (apiKeyEnv) replaces SigV4.
 */
const anthropicBedrockProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("anthropic-bedrock"),
    awsRegion: z.string().min(1),
    accessKeyIdEnv: z.string().min(1).default("AWS_ACCESS_KEY_ID"),
    secretAccessKeyEnv: z.string().min(1).default("AWS_SECRET_ACCESS_KEY"),
    sessionTokenEnv: z.string().min(1).default("AWS_SESSION_TOKEN"),
    apiKeyEnv: z.string().min(1).optional(),
    /** Replaces https://bedrock-runtime.{awsRegion}.amazonaws.com (a VPC endpoint, a proxy, tests). */
    baseUrl: z.url().optional(),
  })
  .strict();

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

/**
 * Mistral's own API (La Plateforme) through @mistralai/mistralai: an API key (MISTRAL_API_KEY unless
 * apiKeyEnv says otherwise) as a bearer token. baseUrl replaces https://api.mistral.ai: Mistral's EU or
 * US endpoint (https://api.eu.mistral.ai), a proxy, or tests.
 */
const mistralProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("mistral"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("MISTRAL_API_KEY"),
    baseUrl: z.url().optional(),
  })
  .strict();

/**
 * Cohere's native v2 API (chat and embed) through the cohere-ai SDK: an API key (COHERE_API_KEY unless
 * apiKeyEnv says otherwise), sent as a bearer token. embedInputType is the input_type of embedding calls.
 */
const cohereProvider = z
  .object({
    ...remoteBase,
    kind: z.literal("cohere"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("COHERE_API_KEY"),
    /** Replaces https://api.cohere.com (a proxy, a private deployment). */
    baseUrl: z.url().optional(),
    embedInputType: z.enum(["search_document", "search_query", "classification", "clustering"]).default("search_document"),
  })
  .strict();

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
  anthropicVertexProvider,
  anthropicBedrockProvider,
  azureProvider,
  bedrockProvider,
  geminiProvider,
  vertexProvider,
  mistralProvider,
  cohereProvider,
  localProvider,
]);
