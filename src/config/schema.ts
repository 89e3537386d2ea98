import { z } from "zod";

const port = z.number().int().min(0).max(65535);

const capabilities = z
  .object({
    streaming: z.boolean().default(true),
    tools: z.boolean().default(false),
    vision: z.boolean().default(false),
    jsonMode: z.boolean().default(false),
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

const openAiProvider = z
  .object({
    ...providerBase,
    kind: z.literal("openai"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("OPENAI_API_KEY"),
    baseUrl: z.url().optional(),
    organization: z.string().optional(),
  })
  .strict();

const compatibleProvider = z
  .object({
    ...providerBase,
    kind: z.literal("openai-compatible"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().optional(),
    baseUrl: z.url(),
  })
  .strict();

const anthropicProvider = z
  .object({
    ...providerBase,
    kind: z.literal("anthropic"),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z.string().default("ANTHROPIC_API_KEY"),
    baseUrl: z.url().optional(),
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

export const providerSchema = z.discriminatedUnion("kind", [openAiProvider, compatibleProvider, anthropicProvider, localProvider]);

const pricingSchema = z
  .object({
    inputPerMillion: z.number().min(0).default(0),
    outputPerMillion: z.number().min(0).default(0),
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
    capabilities: capabilities.default({ streaming: true, tools: false, vision: false, jsonMode: false }),
    /** Hedging, opt-in: when the first deployment has not answered within this many ms, start the next as well. */
    hedgeAfterMs: z.number().int().positive().optional(),
    /** Which tokenizer counts this model's tokens; "estimate" labels counts as estimates. */
    tokenizer: z.enum(["o200k_base", "cl100k_base", "estimate"]).optional(),
  })
  .strict()
  .refine((m) => (m.provider === undefined) !== (m.deployments === undefined), {
    message: "set either provider (one deployment) or deployments (several), not both or neither",
    path: ["provider"],
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
      .array(z.union([z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in lower-case hex") }).strict(), z.object({ env: z.string().min(1) }).strict()]))
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

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default("0.0.0.0"),
        grpcPort: port.default(50051),
        httpPort: port.default(8080),
        tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
        /** Serve the browser playground at / on the HTTP listener (when built). */
        playground: z.boolean().default(true),
        /** Where the built playground is (npm run build:web), relative to the working directory. */
        playgroundDir: z.string().min(1).default("dist/web"),
        corsOrigins: z.array(z.string().min(1)).default(["*"]),
        maxMessageBytes: z.number().int().positive().default(4 * 1024 * 1024),
        shutdownGraceMs: z.number().int().min(0).default(10_000),
      })
      .strict()
      .prefault({}),
    defaultModel: z.string().min(1).optional(),
    routing: z
      .object({
        /** How to choose among a model's deployments when the request does not say. */
        strategy: z.enum(["fallback", "round-robin", "cost", "latency", "weighted"]).default("fallback"),
      })
      .strict()
      .prefault({}),
    providers: z.array(providerSchema).min(1),
    models: z.array(modelSchema).min(1),
    resilience: z
      .object({
        breaker: z
          .object({
            errorThresholdPercentage: z.number().min(1).max(100).default(50),
            volumeThreshold: z.number().int().min(1).default(5),
            resetTimeoutMs: z.number().int().positive().default(30_000),
            rollingWindowMs: z.number().int().positive().default(10_000),
          })
          .strict()
          .prefault({}),
        retry: z
          .object({
            maxAttempts: z.number().int().min(1).max(10).default(3),
            baseDelayMs: z.number().min(0).default(100),
            maxDelayMs: z.number().min(0).default(2000),
            budgetRatio: z.number().min(0).max(1).default(0.2),
            budgetBurst: z.number().min(0).default(10),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        /** Shared by every store that uses Redis; LLM_GATEWAY_REDIS_URL. */
        url: z.string().regex(/^rediss?:\/\//, "use redis:// or rediss://"),
        /**
         * How often Redis is sent a PING (answered within the 1 s command timeout) while any store uses
         * it: a Redis that hangs shows in HealthService within this long, even when no call touches it.
         */
        probeIntervalMs: z.number().int().positive().default(2_000),
      })
      .strict()
      .optional(),
    limits: z
      .object({
        /** Per caller (API key, or the request's user until auth lands). Absent means unlimited. */
        requestsPerMinute: z.number().int().positive().optional(),
        requestsPerHour: z.number().int().positive().optional(),
        tokensPerMinute: z.number().int().positive().optional(),
        /** Where counts live: memory (one replica) or redis (shared by replicas; needs redis.url). */
        store: z.enum(["memory", "redis"]).default("memory"),
        /** When the store cannot answer: admit ("open", logged) or refuse ("closed"). */
        onStoreError: z.enum(["open", "closed"]).default("open"),
      })
      .strict()
      .prefault({}),
    cache: z
      .object({
        /** Off: every response says DISABLED and nothing is stored. */
        enabled: z.boolean().default(true),
        /** memory (one replica, LRU) or redis (shared by replicas; needs redis.url). */
        store: z.enum(["memory", "redis"]).default("memory"),
        /** How long an answer is kept unless the request asks for less or more. */
        ttlSeconds: z.number().int().positive().default(3600),
        /** The longest TTL a request may ask for. */
        maxTtlSeconds: z.number().int().positive().default(86_400),
        /**
         * Which requests are cached without asking: "deterministic" ones (temperature 0)
         * or "all". A request may always opt in with cache.force.
         */
        cacheWhen: z.enum(["deterministic", "all"]).default("deterministic"),
        /** The memory store's bounds: whichever is reached first evicts the least recently used. */
        maxEntries: z.number().int().positive().default(10_000),
        maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
        /** Identical requests in flight at once share one upstream call. */
        coalesce: z.boolean().default(true),
        semantic: z
          .object({
            enabled: z.boolean().default(false),
            /** local: Universal Sentence Encoder lite, in process; openai: an embeddings API; lexical: hashed words. */
            embedder: z.enum(["local", "openai", "lexical"]).default("local"),
            /** For the openai embedder: a configured provider of kind openai or openai-compatible, and its model. */
            provider: z.string().optional(),
            model: z.string().default("text-embedding-3-small"),
            /** Cosine similarity a cached query must reach; the near-miss guard applies on top. */
            threshold: z.number().min(0).max(1).optional(),
            /** Entries kept in each replica's index; the oldest go first. */
            maxEntries: z.number().int().positive().default(100_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    sessions: z
      .object({
        /** memory (one replica) or redis (shared by replicas; needs redis.url). */
        store: z.enum(["memory", "redis"]).default("memory"),
        /** How long a session lives after its last use, unless it was created with its own TTL. */
        defaultTtlSeconds: z.number().int().positive().default(86_400),
        /** The longest TTL a session may ask for. */
        maxTtlSeconds: z.number().int().positive().default(30 * 86_400),
        /** The most messages of history a completion loads (then trimmed to the model's window). */
        maxHistoryMessages: z.number().int().positive().default(1_000),
        /** The most messages one session may hold; appending past it is refused (start a new session). */
        maxMessagesPerSession: z.number().int().positive().default(10_000),
        /** The memory store's bounds (one replica): live sessions, and characters of stored messages. */
        maxSessions: z.number().int().positive().default(100_000),
        maxStoredChars: z.number().int().positive().default(64 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    tools: z
      .object({
        /** A tools file (YAML or JSON, `{ tools: [...] }`) read at start-up; LLM_GATEWAY_TOOLS_FILE. */
        file: z.string().min(1).optional(),
        /** Tools defined here, beside the file's. */
        definitions: z.array(toolSchema).default([]),
        /** Built-in tools to register. */
        builtins: z.array(z.enum(["current_time", "calculator", "session_history"])).default(["current_time", "calculator", "session_history"]),
        defaultTimeoutMs: z.number().int().positive().default(10_000),
        defaultMaxOutputBytes: z.number().int().positive().default(64 * 1024),
        /** Most model rounds in a server-side tool loop, unless a request asks for fewer. */
        maxIterations: z.number().int().min(1).max(50).default(8),
        /** Each tool's own circuit breaker. */
        breaker: z
          .object({
            errorThresholdPercentage: z.number().min(1).max(100).default(50),
            volumeThreshold: z.number().int().min(1).default(5),
            resetTimeoutMs: z.number().int().positive().default(30_000),
            rollingWindowMs: z.number().int().positive().default(60_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    telemetry: z
      .object({
        /** OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); absent, tracing is off. LLM_GATEWAY_OTLP_ENDPOINT. */
        otlpEndpoint: z.url().optional(),
        serviceName: z.string().min(1).default("llm-gateway"),
        /** Share of new traces recorded; a caller's sampled trace is always followed. */
        sampleRatio: z.number().min(0).max(1).default(1),
      })
      .strict()
      .prefault({}),
    usage: z
      .object({
        /** Where usage totals and budget counters live: memory (one replica) or redis (shared; needs redis.url). */
        store: z.enum(["memory", "redis"]).default("memory"),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        /**
         * Tenants and their API keys. With none, the gateway runs open (every call is
         * the "anonymous" tenant) and says so at start-up.
         */
        tenants: z.array(tenantSchema).default([]),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(["debug", "info", "warn", "error"]).default("info"),
        /** Log each completion's messages and answer (with its request id). Off by default: prompts are data. */
        prompts: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The gateway's validated configuration. */
export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type DeploymentConfig = z.infer<typeof deploymentSchema>;
export type ToolConfig = z.infer<typeof toolSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
