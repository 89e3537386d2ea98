import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { embeddedDefault } from "./embedded-default.js";
import { checkEmbeddingTasks } from "./embedding-checks.js";
import { configSchema, type GatewayConfig, type ProviderConfig } from "./schema.js";

/** A configuration that cannot start the gateway. The message names the key and the fix. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Where configuration comes from: a file (optional) and the environment. */
export interface LoadConfigOptions {
  /** Path of a YAML or JSON file; defaults to $LLM_GATEWAY_CONFIG; none means the embedded default. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads, merges and validates the configuration once at start-up:
 * file (or the embedded default), then LLM_GATEWAY_* overrides, then
 * cross-checks the schema cannot express. Throws ConfigError on any fault.
 */
export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env["LLM_GATEWAY_CONFIG"];
  const raw = file ? readConfigFile(file) : embeddedDefault(env);
  applyEnvOverrides(raw, env);
  return validateConfig(raw, env, file ?? "embedded default");
}

/** Validates an already-parsed configuration object. */
export function validateConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source = "config"): GatewayConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${source}: ${formatIssues(parsed.error.issues)}`);
  }
  checkReferences(parsed.data, env, source);
  return parsed.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`LLM_GATEWAY_CONFIG: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const value: unknown = extname(file) === ".json" ? JSON.parse(text) : parseYaml(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error("the top level must be a mapping");
    }
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${file}: not valid ${extname(file) === ".json" ? "JSON" : "YAML"}: ${(err as Error).message}`);
  }
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const key = issue.path.reduce<string>(
        (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
        "",
      );
      return `${key || "(top level)"}: ${issue.message}`;
    })
    .join("; ");
}

/** Environment overrides, applied to the raw object so the schema validates them too. */
function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const server = (raw["server"] ??= {}) as Record<string, unknown>;
  const num = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === "") return undefined;
    const n = Number(value);
    if (!Number.isInteger(n)) throw new ConfigError(`${name}: expected an integer, got "${value}"`);
    return n;
  };
  const setIf = (target: Record<string, unknown>, key: string, value: unknown) => {
    if (value !== undefined && value !== "") target[key] = value;
  };
  setIf(server, "host", env["LLM_GATEWAY_HOST"]);
  setIf(server, "grpcPort", num("LLM_GATEWAY_GRPC_PORT"));
  setIf(server, "httpPort", num("LLM_GATEWAY_HTTP_PORT"));
  setIf(server, "shutdownGraceMs", num("LLM_GATEWAY_SHUTDOWN_GRACE_MS"));
  setIf(server, "maxMessageBytes", num("LLM_GATEWAY_MAX_MESSAGE_BYTES"));
  const origins = env["LLM_GATEWAY_CORS_ORIGINS"];
  if (origins)
    server["corsOrigins"] = origins
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean);
  const cert = env["LLM_GATEWAY_TLS_CERT"];
  const key = env["LLM_GATEWAY_TLS_KEY"];
  if (cert || key) server["tls"] = { certFile: cert ?? "", keyFile: key ?? "" };
  setIf(raw, "defaultModel", env["LLM_GATEWAY_DEFAULT_MODEL"]);
  const redisUrl = env["LLM_GATEWAY_REDIS_URL"];
  if (redisUrl) raw["redis"] = { ...((raw["redis"] as object | undefined) ?? {}), url: redisUrl };
  const redisMode = env["LLM_GATEWAY_REDIS_MODE"];
  if (redisMode) raw["redis"] = { ...((raw["redis"] as object | undefined) ?? {}), mode: redisMode };
  const toolsFile = env["LLM_GATEWAY_TOOLS_FILE"];
  if (toolsFile) raw["tools"] = { ...((raw["tools"] as object | undefined) ?? {}), file: toolsFile };
  const otlp = env["LLM_GATEWAY_OTLP_ENDPOINT"] ?? env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
  if (otlp) raw["telemetry"] = { ...((raw["telemetry"] as object | undefined) ?? {}), otlpEndpoint: otlp };
  const usageStore = env["LLM_GATEWAY_USAGE_STORE"];
  if (usageStore) raw["usage"] = { ...((raw["usage"] as object | undefined) ?? {}), store: usageStore };
  const sessionStore = env["LLM_GATEWAY_SESSION_STORE"];
  if (sessionStore) raw["sessions"] = { ...((raw["sessions"] as object | undefined) ?? {}), store: sessionStore };
  const cacheStore = env["LLM_GATEWAY_CACHE_STORE"];
  if (cacheStore) raw["cache"] = { ...((raw["cache"] as object | undefined) ?? {}), store: cacheStore };
  const keyStore = env["LLM_GATEWAY_KEY_STORE"];
  if (keyStore) raw["keys"] = { ...((raw["keys"] as object | undefined) ?? {}), store: keyStore };
  const cacheEnabled = env["LLM_GATEWAY_CACHE_ENABLED"];
  if (cacheEnabled)
    raw["cache"] = { ...((raw["cache"] as object | undefined) ?? {}), enabled: cacheEnabled !== "false" && cacheEnabled !== "0" };
  const level = env["LLM_GATEWAY_LOG_LEVEL"];
  if (level) raw["log"] = { ...((raw["log"] as object | undefined) ?? {}), level };
}

function checkReferences(config: GatewayConfig, env: NodeJS.ProcessEnv, source: string): void {
  const fail = (key: string, message: string): never => {
    throw new ConfigError(`${source}: ${key}: ${message}`);
  };
  const providers = new Set<string>();
  config.providers.forEach((p, i) => {
    if (providers.has(p.name)) fail(`providers[${i}].name`, `"${p.name}" is used twice; give each provider its own name`);
    providers.add(p.name);
    if (requiresKey(p) && !providerApiKey(p, env)) {
      const envName = "apiKeyEnv" in p && p.apiKeyEnv ? p.apiKeyEnv : undefined;
      fail(`providers[${i}].apiKey`, `no API key for provider "${p.name}"; set ${envName ?? "apiKey"} or remove the provider`);
    }
    if (p.kind === "azure-openai" && p.auth === "entra" && p.clientSecretEnv && !env[p.clientSecretEnv]) {
      fail(`providers[${i}].clientSecretEnv`, `${p.clientSecretEnv} is not set; set it to the client secret of ${p.clientId}`);
    }
    if (p.kind === "anthropic-vertex" && p.accessTokenEnv && !env[p.accessTokenEnv]) {
      fail(
        `providers[${i}].accessTokenEnv`,
        `${p.accessTokenEnv} is not set; set it to an access token, or remove accessTokenEnv for application-default credentials`,
      );
    }
    if (p.kind === "anthropic-bedrock" && p.apiKeyEnv && !env[p.apiKeyEnv]) {
      fail(`providers[${i}].apiKeyEnv`, `${p.apiKeyEnv} is not set; set it to a Bedrock API key, or remove apiKeyEnv for AWS credentials`);
    }
    for (const [name, value] of Object.entries(p.kind === "local" ? {} : p.headers)) {
      if (typeof value === "object" && !env[value.env])
        fail(`providers[${i}].headers.${name}`, `${value.env} is not set; set it or remove the header`);
    }
  });
  for (const [name, value] of Object.entries(config.budgets.alerts.webhook?.headers ?? {})) {
    if (typeof value === "object" && !env[value.env])
      fail(`budgets.alerts.webhook.headers.${name}`, `${value.env} is not set; set it or remove the header`);
  }
  const names = new Set<string>();
  config.models.forEach((m, i) => {
    const refs = m.deployments
      ? m.deployments.map((d, j) => [`models[${i}].deployments[${j}].provider`, d.provider] as const)
      : [[`models[${i}].provider`, m.provider ?? ""] as const];
    for (const [key, provider] of refs) {
      if (!providers.has(provider)) fail(key, `"${provider}" is not a configured provider (have: ${[...providers].join(", ")})`);
    }
    for (const [j, n] of [m.name, ...m.aliases].entries()) {
      const key = j === 0 ? `models[${i}].name` : `models[${i}].aliases[${j - 1}]`;
      if (names.has(n)) fail(key, `"${n}" already names another model; names and aliases must be unique`);
      names.add(n);
    }
  });
  checkEmbeddingTasks(config, fail);
  if (config.defaultModel !== undefined && !names.has(config.defaultModel)) {
    fail("defaultModel", `"${config.defaultModel}" is not a model name or alias in models[]`);
  }
  // The default answers completions that name no model: an embedding model would refuse every one of them.
  const byDefault = config.models.find((m) => m.name === config.defaultModel || m.aliases.includes(config.defaultModel ?? ""));
  if (byDefault?.type === "embedding") {
    fail("defaultModel", `"${config.defaultModel}" is an embedding model; the default model answers completions: name a chat model`);
  }
  if (config.limits.store === "redis" && !config.redis) {
    fail("limits.store", "is redis, but no redis.url (LLM_GATEWAY_REDIS_URL) is configured");
  }
  if (config.usage.store === "redis" && !config.redis) {
    fail("usage.store", "is redis, but no redis.url (LLM_GATEWAY_REDIS_URL) is configured");
  }
  if (config.sessions.store === "redis" && !config.redis) {
    fail("sessions.store", "is redis, but no redis.url (LLM_GATEWAY_REDIS_URL) is configured");
  }
  if (config.durable.store === "redis" && !config.redis) {
    fail("durable.store", "is redis, but no redis.url (LLM_GATEWAY_REDIS_URL) is configured");
  }
  if (config.requestLog.enabled && config.requestLog.store === "redis" && !config.redis) {
    fail("requestLog.store", "is redis, but no redis.url (LLM_GATEWAY_REDIS_URL) is configured");
  }
  if (config.cache.store === "redis" && !config.redis) {
    fail("cache.store", "is redis, but no redis.url (LLM_GATEWAY_REDIS_URL) is configured");
  }
  if (config.keys.store === "redis" && !config.redis) {
    fail("keys.store", "is redis, but no redis.url (LLM_GATEWAY_REDIS_URL) is configured");
  }
  const semantic = config.cache.semantic;
  if (semantic.enabled && semantic.embedder === "openai") {
    const p = config.providers.find((x) => x.name === semantic.provider);
    if (!p || (p.kind !== "openai" && p.kind !== "openai-compatible")) {
      fail(
        "cache.semantic.provider",
        `the openai embedder needs a configured provider of kind openai or openai-compatible (got ${JSON.stringify(semantic.provider ?? "")})`,
      );
    }
  }
  if (semantic.enabled && semantic.embedder === "gateway") {
    const m = config.models.find((x) => x.name === semantic.model || x.aliases.includes(semantic.model));
    if (m?.type !== "embedding") {
      fail(
        "cache.semantic.model",
        `the gateway embedder needs a catalogue model of type embedding (got ${JSON.stringify(semantic.model)})`,
      );
    }
  }
  const verify = semantic.verify;
  if (semantic.enabled && verify.enabled && verify.comparator === "judge") {
    const m = config.models.find((x) => x.name === verify.judgeModel || x.aliases.includes(verify.judgeModel ?? ""));
    if (!m || m.type === "embedding") {
      fail(
        "cache.semantic.verify.judgeModel",
        `the judge comparator needs a catalogue chat model (got ${JSON.stringify(verify.judgeModel ?? "")})`,
      );
    }
  }
  if (config.server.tls && (!config.server.tls.certFile || !config.server.tls.keyFile)) {
    fail("server.tls", "set both certFile and keyFile (LLM_GATEWAY_TLS_CERT and LLM_GATEWAY_TLS_KEY)");
  }
}

function requiresKey(p: ProviderConfig): boolean {
  if (p.kind === "vertex") return p.apiKeyEnv !== undefined || p.apiKey !== undefined;
  return (
    p.kind === "openai" ||
    p.kind === "anthropic" ||
    p.kind === "gemini" ||
    p.kind === "cohere" ||
    p.kind === "mistral" ||
    (p.kind === "azure-openai" && p.auth === "api-key")
  );
}

/** The API key of a provider: inline, or from the environment variable it names. */
export function providerApiKey(p: ProviderConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // Bedrock signs with AWS credentials (src/providers/bedrock.ts), not an API key.
  if (p.kind === "local" || p.kind === "bedrock") return undefined;
  if ("apiKey" in p && p.apiKey) return p.apiKey;
  return "apiKeyEnv" in p && p.apiKeyEnv ? env[p.apiKeyEnv] || undefined : undefined;
}
