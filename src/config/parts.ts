import { z } from "zod";
import { budgetCapsSchema } from "./budgets.js";

import { continueStreamsSchema } from "./continuation.js";

export { providerSchema } from "./providers.js";

/*
 * The parts of the configuration that name things: providers, models and their deployments, tenants, tools.
 * src/config/schema.ts puts them together with the gateway's own settings.
 */

/**
 * What an embedding model's vectors are for, for the models that are told (Gemini's task_type, Cohere's
 * input_type). It is a catalogue model's setting, not a caller's field: vectors made for queries and for
 * documents differ, so one catalogue model per task keeps them apart, in the cache too.
 */
export const EMBEDDING_TASKS = [
  "retrieval-query",
  "retrieval-document",
  "similarity",
  "classification",
  "clustering",
  "question-answering",
  "fact-verification",
  "code-retrieval-query",
] as const;
export type EmbeddingTask = (typeof EMBEDDING_TASKS)[number];

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

const pricingSchema = z
  .object({
    inputPerMillion: z.number().min(0).default(0),
    outputPerMillion: z.number().min(0).default(0),
    /**
     * Input tokens read from the provider's prompt cache; defaults by provider kind: Anthropic (also on Vertex AI and Bedrock) 0.1×
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
    /** The most calls to it in flight at once, per replica; more wait their turn (config queue). Absent: no cap. */
    maxConcurrent: z.number().int().positive().optional(),
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
    continueStreams: continueStreamsSchema,
    /** Which tokenizer counts this model's tokens; "estimate" labels counts as estimates. */
    tokenizer: z.enum(["o200k_base", "cl100k_base", "estimate"]).optional(),
    /**
     * What the model answers: "chat" (completions, on every chat face) or "embedding" (EmbeddingService
     * and /v1/embeddings, priced by pricing.inputPerMillion; contextWindow is the most tokens per input).
     */
    type: z.enum(["chat", "embedding"]).default("chat"),
    /** An embedding model's vector size; a request may ask for fewer (dimensions), never more. */
    dimensions: z.number().int().positive().optional(),
    /**
     * What an embedding model's vectors are for, sent to the models that take it (Gemini's task_type,
     * Cohere's input_type on Bedrock, where it is required, and on Cohere, where it replaces embedInputType); another provider refuses it.
     */
    task: z.enum(EMBEDDING_TASKS).optional(),
  })
  .strict()
  .refine((m) => (m.provider === undefined) !== (m.deployments === undefined), {
    message: "set either provider (one deployment) or deployments (several), not both or neither",
    path: ["provider"],
  })
  .refine((m) => m.dimensions === undefined || m.type === "embedding", {
    message: "dimensions is the vector size of an embedding model: set type: embedding, or remove it",
    path: ["dimensions"],
  })
  .refine((m) => m.task === undefined || m.type === "embedding", {
    message: "task says what an embedding model's vectors are for: set type: embedding, or remove it",
    path: ["task"],
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
const projectName = z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, "use 1-64 letters, digits, . _ or -");
/** What a configured key may carry beyond itself: the project it belongs to, and caps of its own. */
const keyBudget = {
  project: projectName.optional(),
  budget: budgetCapsSchema.optional(),
  /** Its calls' priority among its tenant's waiting calls when a request sets none: 0 (last) to 9 (first). */
  priority: z.number().int().min(0).max(9).optional(),
};

export const tenantSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, "use 1-64 letters, digits, . _ or -"),
    /** Each key as its SHA-256 (hex), or the environment variable holding it (hashed at start-up, then dropped). */
    keys: z
      .array(
        z.union([
          z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in lower-case hex"), ...keyBudget }).strict(),
          z.object({ env: z.string().min(1), ...keyBudget }).strict(),
        ]),
      )
      .min(1),
    /** May call CacheService and AdminService. */
    admin: z.boolean().default(false),
    /** Its configured keys may manage its own runtime keys through KeyService (admins manage every tenant's). */
    keyAdmin: z.boolean().default(false),
    /** Models (names or aliases) it may use; absent means all. */
    allowedModels: z.array(z.string().min(1)).optional(),
    /** Its own rate limits, replacing the gateway-wide ones. */
    limits: limitsSchema.optional(),
    /** Spending caps in USD, per UTC day and per UTC month. */
    budget: budgetCapsSchema.optional(),
    /** Its projects (teams), each with its own caps; a key names its project. */
    projects: z.array(z.object({ name: projectName, budget: budgetCapsSchema.optional() }).strict()).default([]),
    /** The caps of each end user (the request's `user` field) of this tenant. */
    userBudget: budgetCapsSchema.optional(),
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
