import type { Dispatcher } from "undici";
import { GatewayError } from "../core/errors.js";
import type { FinishReason, ToolCall } from "../core/types.js";
import { converseChunks, finishReason, stopSequenceOf, usageOf } from "./bedrock-answer.js";
import { bedrockEmbed } from "./bedrock-embed.js";
import { createBedrockHttpHandler } from "./bedrock-http.js";
import { converseParams } from "./bedrock-request.js";
import type { Provider, ProviderChunk, ProviderRequest, ProviderUsage } from "./provider.js";
import { networkErrorCode, parseRetryAfter, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Options of a Bedrock provider. */
export interface BedrockProviderOptions {
  name: string;
  /** The AWS region whose Bedrock runtime endpoint is called (and whose name SigV4 signs with). */
  region: string;
  /** Another endpoint than the region's (a VPC endpoint, a proxy, the test's fake upstream). */
  endpoint?: string | undefined;
  /** Keys to sign with; absent, the SDK's default credential chain finds them (environment, profile, SSO, IMDS...). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** Extra headers for every request; they are added before signing, so they are signed too. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** The provider's own connection pool (its connect timeout). */
  dispatcher: Dispatcher;
}

/**
 * The delay to wait after a throttling error when Bedrock names none (it does not send retry-after):
 * the AWS SDKs' own base delay after throttling (THROTTLING_RETRY_DELAY_BASE in @smithy/util-retry).
 */
const THROTTLING_DELAY_MS = 500;

/**
 * HTTP statuses by Bedrock's exception names. The SDK reports the status too; the names decide because
 * some statuses say the wrong thing for routing: ModelNotReadyException comes as a 429, though the model
 * is loading (another deployment may answer now), and errors inside a stream come with the stream's 200.
 */
const STATUS_OF: Record<string, number> = {
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  ExpiredTokenException: 403,
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelNotReadyException: 503,
  ModelErrorException: 502,
  ModelStreamErrorException: 502,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

/**
 * A provider for Amazon Bedrock's Converse API (Converse and ConverseStream; embeddings through
 * InvokeModel, in bedrock-embed.ts) through the official
 * @aws-sdk/client-bedrock-runtime. The SDK signs every request with SigV4. Its module is imported when
 * the provider is built, not with this file; its client is built once with its retries off (the
 * gateway retries and fails over itself). Requests are translated in bedrock-request.ts, answers read in
 * bedrock-answer.ts and below.
 */
export function createBedrockProvider(options: BedrockProviderOptions): Provider {
  type Sdk = typeof import("@aws-sdk/client-bedrock-runtime");
  let sdk: Sdk | undefined;
  const ready = import("@aws-sdk/client-bedrock-runtime").then((module) => {
    sdk = module;
    const client = new module.BedrockRuntimeClient({
      region: options.region,
      maxAttempts: 1,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      requestHandler: createBedrockHttpHandler(options.dispatcher),
    });
    const headers = Object.entries(options.headers ?? {});
    if (headers.length > 0) {
      // The build step runs before signing (finalizeRequest), so SigV4 covers the extra headers.
      client.middlewareStack.add(
        (next) => (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) for (const [k, v] of headers) request.headers[k] = v;
          return next(args);
        },
        { step: "build", name: "llmGatewayExtraHeaders" },
      );
    }
    return { module, client };
  });
  // A module that cannot load fails every call (through `ready`), not the process.
  ready.catch(() => {});

  async function* whole(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const body = converseParams(request);
    const { module, client } = await ready;
    const response = await client.send(new module.ConverseCommand(body), { abortSignal: signal });
    yield { type: "started" };
    yield* converseChunks(response, request.model);
  }

  async function* streamed(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const body = converseParams(request);
    const { module, client } = await ready;
    const response = await client.send(new module.ConverseStreamCommand(body), { abortSignal: signal });
    yield { type: "started" };
    let finish: FinishReason | undefined;
    let stopSequence: string | undefined;
    let usage: ProviderUsage | undefined;
    let signature: string | undefined;
    let stopped = false;
    const toolCalls = new Map<number, ToolCall>();
    for await (const event of response.stream ?? []) {
      if (event.contentBlockStart?.start?.toolUse) {
        const { toolUseId, name } = event.contentBlockStart.start.toolUse;
        if (toolCalls.size === 0) yield { type: "progress" };
        toolCalls.set(event.contentBlockStart.contentBlockIndex ?? toolCalls.size, {
          id: toolUseId ?? "",
          name: name ?? "",
          argumentsJson: "",
        });
      } else if (event.contentBlockDelta?.delta) {
        const delta = event.contentBlockDelta.delta;
        if (delta.text) yield { type: "delta", text: delta.text };
        else if (delta.toolUse) {
          const call = toolCalls.get(event.contentBlockDelta.contentBlockIndex ?? -1);
          if (call) call.argumentsJson += delta.toolUse.input ?? "";
        } else if (delta.reasoningContent?.text) yield { type: "reasoning", text: delta.reasoningContent.text };
        else if (delta.reasoningContent?.signature) {
          signature = delta.reasoningContent.signature;
          // Passed on at once: a face in Anthropic's format closes the thinking block with it, before the text.
          yield { type: "reasoning", text: "", signature };
        }
      } else if (event.messageStop) {
        stopped = true;
        finish = finishReason(event.messageStop.stopReason);
        stopSequence = stopSequenceOf(event.messageStop.additionalModelResponseFields);
      } else if (event.metadata) {
        usage = usageOf(event.metadata.usage);
      }
    }
    // Without messageStop the stream was cut short: no "end", so the gateway reports it.
    if (!stopped) return;
    const end: ProviderChunk = { type: "end", finishReason: finish ?? "unspecified", model: request.model };
    if (usage) end.usage = usage;
    if (toolCalls.size > 0) end.toolCalls = [...toolCalls.values()].map((c) => ({ ...c, argumentsJson: c.argumentsJson || "{}" }));
    if (signature) end.reasoningSignature = signature;
    if (stopSequence) end.stopSequence = stopSequence;
    yield end;
  }

  return {
    name: options.name,
    kind: "bedrock",
    stream: (request, signal) => (request.unary ? whole(request, signal) : streamed(request, signal)),
    check(request) {
      converseParams(request);
    },
    async embed(request, signal) {
      return bedrockEmbed(await ready, options.name, request, signal);
    },
    translateError(error): GatewayError | undefined {
      if (error instanceof Error && error.name === "AbortError") return undefined;
      if (sdk && error instanceof sdk.BedrockRuntimeServiceException) return serviceError(options.name, error);
      // The default credential chain found no keys: the gateway is misconfigured, as with a refused key.
      if (error instanceof Error && error.name === "CredentialsProviderError") {
        return new GatewayError("UPSTREAM_AUTH_FAILED", `${options.name}: no AWS credentials: ${error.message}`, {
          metadata: { provider: options.name },
          cause: error,
        });
      }
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
}

/** One of Bedrock's exceptions as a gateway error, by its name; throttling always carries a retry delay. */
function serviceError(provider: string, error: import("@aws-sdk/client-bedrock-runtime").BedrockRuntimeServiceException): GatewayError {
  const headers = (error.$response?.headers ?? {}) as Record<string, string>;
  const status = STATUS_OF[error.name] ?? error.$metadata.httpStatusCode;
  const translated = upstreamHttpError(provider, { status, headers, message: error.message, code: error.name }, error);
  if (translated.reason !== "UPSTREAM_RATE_LIMITED" || translated.retryAfterMs !== undefined) return translated;
  return new GatewayError(translated.reason, translated.message, {
    metadata: { ...translated.metadata },
    cause: error,
    retryAfterMs: parseRetryAfter(headers) ?? THROTTLING_DELAY_MS,
  });
}

/** Keys from the environment when both are set; otherwise undefined, for the SDK's default credential chain. */
export function bedrockCredentials(env: NodeJS.ProcessEnv): BedrockProviderOptions["credentials"] {
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env["AWS_SESSION_TOKEN"] ? { sessionToken: env["AWS_SESSION_TOKEN"] } : {}) };
}
