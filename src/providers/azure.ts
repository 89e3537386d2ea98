import type { TokenCredential } from "@azure/identity";
import type { Dispatcher } from "undici";
import type { Clock } from "../core/clock.js";
import { createTokenSource } from "./azure-token.js";
import type { Fetch } from "./http.js";
import { createOpenAiProvider } from "./openai.js";
import { createOpenAiDirectProvider } from "./openai-direct.js";
import type { Provider } from "./provider.js";

/** Options of an Azure OpenAI provider. */
export interface AzureOpenAiProviderOptions {
  name: string;
  /** https://<resource>.openai.azure.com, or whatever stands in front of it. */
  endpoint: string;
  /** The api-version query of the deployments API, or "v1" for Azure's v1 API (no query, the model in the body). */
  apiVersion: string;
  /** "direct" (the gateway's own wire client) or "sdk" (the openai SDK's AzureOpenAI client). */
  client: "direct" | "sdk";
  /** The api-key header's value; unused when a credential is given. */
  apiKey?: string | undefined;
  /** An Entra ID credential: its tokens are sent as bearer tokens, cached until shortly before expiry. */
  credential?: TokenCredential | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  clock?: Clock | undefined;
  /** The provider's own pool, for the direct client. */
  dispatcher: Dispatcher;
  /** The same pool as a fetch, for the SDK. */
  fetch: Fetch;
}

/**
 * Azure OpenAI, spoken through either OpenAI-format client. A deployment is named by the model's
 * upstreamModel and goes into the path (/openai/deployments/{deployment}/chat/completions?api-version=...);
 * with apiVersion "v1" the v1 API is used instead (/openai/v1/chat/completions, the deployment as the body's
 * model). Requests and answers are OpenAI's own, so everything else (streaming, tools, images, JSON schema,
 * usage, embeddings, errors and their retry delays) is the OpenAI provider's.
 */
export function createAzureOpenAiProvider(options: AzureOpenAiProviderOptions): Provider {
  const endpoint = options.endpoint.replace(/\/+$/, "");
  const v1 = options.apiVersion === "v1";
  const token = options.credential
    ? createTokenSource({ credential: options.credential, provider: options.name, ...(options.clock ? { clock: options.clock } : {}) })
    : undefined;
  const common = { name: options.name, kind: "azure-openai" as const, headers: options.headers, token };
  if (options.client === "sdk") {
    return v1
      ? // The v1 API is OpenAI's with another base URL; an API key goes as Azure's api-key header.
        createOpenAiProvider({
          ...common,
          apiKey: options.apiKey,
          baseUrl: `${endpoint}/openai/v1`,
          headers: token || !options.apiKey ? options.headers : { ...options.headers, "api-key": options.apiKey },
          fetch: options.fetch,
        })
      : createOpenAiProvider({
          ...common,
          apiKey: options.apiKey,
          azure: { endpoint, apiVersion: options.apiVersion },
          fetch: options.fetch,
        });
  }
  const query = `?api-version=${encodeURIComponent(options.apiVersion)}`;
  // Deployment names are the resource's own (letters, digits, - and _), but a path segment is escaped all the same.
  const deployment = (model: string) => `${endpoint}/openai/deployments/${encodeURIComponent(model)}`;
  return createOpenAiDirectProvider({
    ...common,
    apiKey: token ? undefined : options.apiKey,
    apiKeyHeader: "api-key",
    dispatcher: options.dispatcher,
    ...(v1
      ? { baseUrl: `${endpoint}/openai/v1` }
      : {
          urls: {
            chat: (model) => `${deployment(model)}/chat/completions${query}`,
            embeddings: (model) => `${deployment(model)}/embeddings${query}`,
          },
        }),
  });
}

/** What an Entra ID credential is built from (the provider's config). */
export interface AzureCredentialConfig {
  tenantId?: string | undefined;
  clientId?: string | undefined;
  clientSecretEnv?: string | undefined;
  authorityHost?: string | undefined;
}

/**
 * The credential of a provider with auth: entra: a service principal's client secret when one is
 * configured, else DefaultAzureCredential (managed identity, workload identity, the Azure CLI...).
 * @azure/identity is loaded with the first token, not with this file: a gateway without Entra ID
 * auth never loads it. A module that cannot load fails the calls (as UPSTREAM_AUTH_FAILED), not the process.
 */
export function azureCredential(c: AzureCredentialConfig, env: NodeJS.ProcessEnv): TokenCredential {
  const authority = c.authorityHost ? { authorityHost: c.authorityHost } : {};
  const secret = c.clientSecretEnv ? env[c.clientSecretEnv] : undefined;
  const credential = import("@azure/identity").then((identity) =>
    c.tenantId && c.clientId && secret !== undefined
      ? new identity.ClientSecretCredential(c.tenantId, c.clientId, secret, authority)
      : new identity.DefaultAzureCredential(authority),
  );
  credential.catch(() => {});
  return { getToken: async (scopes, options) => (await credential).getToken(scopes, options) };
}
