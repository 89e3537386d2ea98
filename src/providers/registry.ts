import { providerApiKey } from "../config/load.js";
import type { ProviderConfig } from "../config/schema.js";
import { createAnthropicProvider } from "./anthropic.js";
import { createAnthropicBedrockProvider, createAnthropicVertexProvider } from "./anthropic-cloud.js";
import { azureCredential, createAzureOpenAiProvider } from "./azure.js";
import { bedrockCredentials, createBedrockProvider } from "./bedrock.js";
import { createCohereProvider } from "./cohere.js";
import { createGeminiProvider } from "./gemini.js";
import { createLocalProvider } from "./local.js";
import { createMistralProvider } from "./mistral.js";
import { createOpenAiProvider } from "./openai.js";
import { createOpenAiDirectProvider } from "./openai-direct.js";
import { Agent } from "undici";
import { createSdkFetch, createUpstreamFetch } from "./http.js";
import type { Provider } from "./provider.js";

/** A configured provider with the limits the gateway applies around it. */
export interface ProviderDeployment {
  provider: Provider;
  /** Upper bound for one upstream call, capped further by the caller's deadline. */
  timeoutMs: number;
  /** Upper bound until an answer's first token. */
  firstTokenTimeoutMs: number;
  /** Upper bound until the provider accepts the request (response headers), before the prompt allowance. */
  headersTimeoutMs: number;
}

// Each remote provider gets its own connection pool, so that its connect timeout is its own.
const poolFor = (c: { connectTimeoutMs: number }) => new Agent({ keepAliveTimeout: 30_000, connect: { timeout: c.connectTimeoutMs } });
const fetchFor = (c: { connectTimeoutMs: number }) => createSdkFetch(poolFor(c));
// @google/genai reads a stream's body with getReader(), and @mistralai/mistralai wants a web ReadableStream: both need a
// whole web Response, not the lean one of createSdkFetch.
const webFetchFor = (c: { connectTimeoutMs: number }) => createUpstreamFetch(poolFor(c));

type RemoteConfig = Exclude<ProviderConfig, { kind: "local" }>;

/** A provider's extra headers, their { env } values read now (start-up validation checked they are set). */
const headersOf = (c: RemoteConfig, env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), typeof v === "string" ? v : (env[v.env] ?? "")]));

/** An OpenAI-format provider, through the SDK or speaking the wire format itself, as configured. */
const openAiFormat = (c: Extract<ProviderConfig, { kind: "openai" | "openai-compatible" }>, env: NodeJS.ProcessEnv): Provider => {
  const o = { ...c, apiKey: providerApiKey(c, env), headers: headersOf(c, env) };
  return c.client === "direct"
    ? createOpenAiDirectProvider({ ...o, dispatcher: poolFor(c) })
    : createOpenAiProvider({ ...o, fetch: fetchFor(c) });
};

const factories = {
  openai: openAiFormat,
  "openai-compatible": openAiFormat,
  anthropic: (c, env) => createAnthropicProvider({ ...c, apiKey: providerApiKey(c, env), headers: headersOf(c, env), fetch: fetchFor(c) }),
  "anthropic-vertex": (c, env) =>
    createAnthropicVertexProvider({
      ...c,
      accessToken: c.accessTokenEnv ? env[c.accessTokenEnv] : undefined,
      headers: headersOf(c, env),
      fetch: fetchFor(c),
    }),
  "anthropic-bedrock": (c, env) =>
    createAnthropicBedrockProvider({
      ...c,
      accessKeyId: env[c.accessKeyIdEnv] || undefined,
      secretAccessKey: env[c.secretAccessKeyEnv] || undefined,
      sessionToken: env[c.sessionTokenEnv] || undefined,
      apiKey: c.apiKeyEnv ? env[c.apiKeyEnv] : undefined,
      headers: headersOf(c, env),
      fetch: fetchFor(c),
    }),
  "azure-openai": (c, env) => {
    const pool = poolFor(c);
    return createAzureOpenAiProvider({
      ...c,
      apiKey: c.auth === "api-key" ? providerApiKey(c, env) : undefined,
      credential: c.auth === "entra" ? azureCredential(c, env) : undefined,
      headers: headersOf(c, env),
      dispatcher: pool,
      fetch: createSdkFetch(pool),
    });
  },
  bedrock: (c, env) =>
    createBedrockProvider({ ...c, credentials: bedrockCredentials(env), headers: headersOf(c, env), dispatcher: poolFor(c) }),
  gemini: (c, env) =>
    createGeminiProvider({
      ...c,
      target: { vertex: false, apiKey: providerApiKey(c, env) },
      headers: headersOf(c, env),
      fetch: webFetchFor(c),
    }),
  vertex: (c, env) => {
    const target = { vertex: true as const, project: c.project, location: c.location, apiKey: providerApiKey(c, env) };
    const auth = c.keyFile ? { googleAuthOptions: { keyFile: c.keyFile } } : {};
    return createGeminiProvider({ ...c, target: { ...target, ...auth }, headers: headersOf(c, env), fetch: webFetchFor(c) });
  },
  mistral: (c, env) => createMistralProvider({ ...c, apiKey: providerApiKey(c, env), headers: headersOf(c, env), fetch: webFetchFor(c) }),
  cohere: (c, env) => createCohereProvider({ ...c, apiKey: providerApiKey(c, env), headers: headersOf(c, env), fetch: fetchFor(c) }),
  local: (c) => createLocalProvider(c),
} satisfies {
  [K in ProviderConfig["kind"]]: (config: Extract<ProviderConfig, { kind: K }>, env: NodeJS.ProcessEnv) => Provider;
};

/** Builds every configured provider once, at start-up. */
export function createProviders(configs: readonly ProviderConfig[], env: NodeJS.ProcessEnv = process.env): Map<string, ProviderDeployment> {
  const out = new Map<string, ProviderDeployment>();
  for (const c of configs) {
    const factory = factories[c.kind] as (config: ProviderConfig, env: NodeJS.ProcessEnv) => Provider;
    out.set(c.name, {
      provider: factory(c, env),
      timeoutMs: c.timeoutMs,
      firstTokenTimeoutMs: c.firstTokenTimeoutMs ?? c.timeoutMs,
      headersTimeoutMs: c.headersTimeoutMs,
    });
  }
  return out;
}
