import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages/messages";
import { GatewayError, invalidRequest } from "../core/errors.js";
import { createMessagesProvider, sdkClientOptions } from "./anthropic.js";
import { hasCacheMarks } from "./anthropic-request.js";
import type { Fetch } from "./http.js";
import type { Provider, ProviderRequest } from "./provider.js";

/*
 * Claude on Google Cloud's Vertex AI and on Amazon Bedrock, through Anthropic's own clients for them. The
 * body is the Messages API's (one translation for the three clients, in anthropic-request.ts); the clients
 * move the model into the path, sign the request and, for Bedrock, read AWS's binary event stream back
 * into Anthropic's events. What the platforms do not serve is refused here, by name, before any call.
 */

/** Options of a Claude-on-Vertex-AI provider. */
export interface AnthropicVertexProviderOptions {
  name: string;
  projectId: string;
  region: string;
  /** An OAuth access token; without one, Google's application-default credentials. */
  accessToken?: string | undefined;
  baseUrl?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  fetch: Fetch;
}

/** Options of a Claude-on-Bedrock provider. */
export interface AnthropicBedrockProviderOptions {
  name: string;
  awsRegion: string;
  /** Static keys; without them, AWS's default credential chain. */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  /** A Bedrock API key, sent as a bearer token in place of a SigV4 signature. */
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  fetch: Fetch;
}

/** The Messages API versions the platforms take in the body (they refuse Anthropic's dated header versions). */
export const VERTEX_VERSION = "vertex-2023-10-16";
export const BEDROCK_VERSION = "bedrock-2023-05-31";

type Platform = "Vertex AI" | "Bedrock";

/**
 * What neither platform serves: Anthropic's Files API (its file ids), service tiers (each platform has its
 * own capacity plans) and automatic prompt caching (a prompt cache key; cache marks on blocks do work).
 * Bedrock also fetches nothing by URL: images and documents must come inline.
 */
function refuse(platform: Platform, r: ProviderRequest): void {
  const notServed = (field: string, why: string): never => {
    throw invalidRequest(field, `Claude on ${platform} ${why}`);
  };
  if (r.serviceTier !== undefined) notServed("service_tier", "has no service tiers of Anthropic's");
  if (r.promptCacheKey !== undefined && !hasCacheMarks(r))
    notServed("prompt_cache_key", "has no automatic prompt caching: mark the blocks to cache with cache_control");
  for (const [i, m] of r.messages.entries()) {
    for (const [j, p] of (m.parts ?? []).entries()) {
      const field = `messages[${i}].parts[${j}]`;
      if (p.type === "file" && p.fileId !== undefined) notServed(`${field}.file_id`, "has no Files API: send the file's data");
      if (platform === "Bedrock" && (p.type === "image" || p.type === "file") && p.url && !p.url.startsWith("data:"))
        notServed(`${field}.url`, "fetches nothing by URL: send the data inline");
    }
  }
}

/** The platform's body: Anthropic's, with the platform's API version (the clients keep one already in the body). */
const adaptFor =
  (platform: Platform, version: string) =>
  (body: MessageCreateParamsBase, request: ProviderRequest): MessageCreateParamsBase => {
    refuse(platform, request);
    return { ...body, anthropic_version: version } as MessageCreateParamsBase;
  };

/**
 * A failure to get credentials (Google's token endpoint or metadata server, AWS's credential chain) is
 * thrown by the clients as a connection error; it is the gateway's configuration that is wrong, not the
 * network, so it is reported as the upstream refusing our credentials.
 */
const credentialFailure =
  (name: string, prefix: string) =>
  (error: unknown): GatewayError | undefined => {
    if (!(error instanceof Error) || !error.message.startsWith(prefix)) return undefined;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return new GatewayError("UPSTREAM_AUTH_FAILED", `${name}: ${error.message}${cause}`, { metadata: { provider: name }, cause: error });
  };

/**
 * Bedrock throttles a stream already under way with an exception frame, which the client passes on as an
 * error event of type throttlingException (no HTTP status: the response began with 200). It is a rate limit
 * like a 429, without a delay; Bedrock's other stream exceptions are the platform failing (UPSTREAM_UNAVAILABLE).
 */
function streamThrottled(name: string, error: unknown): GatewayError | undefined {
  const body = (error as { error?: { error?: { type?: unknown; message?: unknown } } } | undefined)?.error?.error;
  if (body?.type !== "throttlingException") return undefined;
  return new GatewayError("UPSTREAM_RATE_LIMITED", `${name}: throttled mid-stream: ${String(body.message ?? "")}`, {
    metadata: { provider: name, upstream_code: "ThrottlingException" },
    cause: error,
  });
}

/** Claude on Vertex AI: rawPredict and streamRawPredict on the model's path, with a Google OAuth token. */
export function createAnthropicVertexProvider(options: AnthropicVertexProviderOptions): Provider {
  return createMessagesProvider({
    name: options.name,
    kind: "anthropic-vertex",
    connect: async () => {
      const { AnthropicVertex } = await import("@anthropic-ai/vertex-sdk");
      let authClient: import("google-auth-library").AuthClient | undefined;
      if (options.accessToken !== undefined) {
        // A bare token, no refresh: the client sends it as it is until it expires (then Google answers 401).
        const { OAuth2Client } = await import("google-auth-library");
        authClient = new OAuth2Client();
        authClient.setCredentials({ access_token: options.accessToken });
      }
      return new AnthropicVertex({
        projectId: options.projectId,
        region: options.region,
        ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
        ...(authClient ? { authClient } : {}),
        ...sdkClientOptions(options.fetch, options.headers),
      });
    },
    adapt: adaptFor("Vertex AI", VERTEX_VERSION),
    translateError: credentialFailure(options.name, "Failed to acquire Google OAuth credentials"),
  });
}

/** Claude on Bedrock: invoke and invoke-with-response-stream on the model's path, signed with SigV4. */
export function createAnthropicBedrockProvider(options: AnthropicBedrockProviderOptions): Provider {
  return createMessagesProvider({
    name: options.name,
    kind: "anthropic-bedrock",
    connect: async () => {
      const { AnthropicBedrock } = await import("@anthropic-ai/bedrock-sdk");
      const common = {
        awsRegion: options.awsRegion,
        // null, not undefined: the client would read AWS_BEARER_TOKEN_BEDROCK itself, past the gateway's config.
        apiKey: options.apiKey ?? null,
        ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
        ...sdkClientOptions(options.fetch, options.headers),
      };
      const { accessKeyId, secretAccessKey } = options;
      return accessKeyId && secretAccessKey
        ? new AnthropicBedrock({
            ...common,
            awsAccessKey: accessKeyId,
            awsSecretKey: secretAccessKey,
            awsSessionToken: options.sessionToken ?? null,
          })
        : new AnthropicBedrock(common);
    },
    adapt: adaptFor("Bedrock", BEDROCK_VERSION),
    translateError: (error) =>
      credentialFailure(options.name, "Failed to resolve AWS credentials")(error) ?? streamThrottled(options.name, error),
  });
}
