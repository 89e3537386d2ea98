import type OpenAI from "openai";
import { type GatewayError, isGatewayError } from "../core/errors.js";
import type { Fetch } from "./http.js";
import { embeddingParams, readEmbeddings } from "./openai-embeddings.js";
import { chatParams, StreamedAnswer, wholeAnswer } from "./openai-wire.js";
import type { Provider, ProviderChunk, ProviderRequest } from "./provider.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Options of an OpenAI or OpenAI-compatible provider. */
export interface OpenAiProviderOptions {
  /** The HTTP client the SDK uses: the provider's own pool (createSdkFetch in src/providers/http.ts). */
  fetch: Fetch;
  name: string;
  kind: "openai" | "openai-compatible" | "azure-openai";
  apiKey: string | undefined;
  /** A bearer token per call, in place of a key (Entra ID tokens for Azure, cached by their source). */
  token?: (() => Promise<string>) | undefined;
  baseUrl?: string | undefined;
  /** An Azure resource's deployments API: the SDK's AzureOpenAI client, the deployment taken from the model. */
  azure?: { endpoint: string; apiVersion: string } | undefined;
  /** Extra headers for every request. */
  headers?: Readonly<Record<string, string>> | undefined;
  organization?: string | undefined;
  /** Ask for usage in streams (stream_options.include_usage); some compatible servers refuse the field. */
  streamUsage?: boolean | undefined;
}

/** The SDK's logger, for a client whose logging is off: the gateway logs calls itself. */
const silent = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A provider that speaks the OpenAI chat completions API through the
 * official SDK: OpenAI itself, or any compatible server (Ollama, vLLM,
 * Groq, Together...) at a base URL.
 *
 * The SDK module is imported when the provider is built (at start-up), not
 * when this file is: a gateway with no such provider never loads it. Its
 * client is built once, with everything the gateway does itself turned off:
 * retries and timeouts (the gateway knows the caller's deadline and the
 * other deployments) and logging.
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): Provider {
  let sdk: typeof OpenAI | undefined;
  let client: OpenAI | undefined;
  const wire = options.kind === "azure-openai" ? "openai" : options.kind;
  const ready = import("openai").then(({ default: OpenAISdk, AzureOpenAI }) => {
    sdk = OpenAISdk;
    const common = {
      maxRetries: 0,
      // The SDK arms a timer per call whatever it is given; the gateway's own timers end the call first.
      timeout: 24 * 60 * 60 * 1000,
      logLevel: "off" as const,
      logger: silent,
      fetch: options.fetch,
      defaultHeaders: { ...options.headers },
    };
    const { azure, token } = options;
    client = azure
      ? new AzureOpenAI({
          ...common,
          endpoint: azure.endpoint,
          apiVersion: azure.apiVersion,
          ...(token ? { azureADTokenProvider: token } : { apiKey: options.apiKey ?? "" }),
        })
      : new OpenAISdk({
          ...common,
          // Compatible servers often need no key, but the SDK insists on one.
          apiKey: token ?? options.apiKey ?? "unused",
          baseURL: options.baseUrl ?? null,
          organization: options.organization ?? null,
        });
    return client;
  });
  // A module that cannot load fails every call (through `ready`), not the process.
  ready.catch(() => {});
  const streamOptions = options.streamUsage === false ? undefined : { include_usage: true };

  /** One call without streaming, yielded as the stream a streaming call would have been. */
  async function* whole(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const c = client ?? (await ready);
    const body: OpenAI.ChatCompletionCreateParamsNonStreaming = { ...chatParams(request, wire), stream: false };
    const response = await c.chat.completions.create(body, { signal });
    yield { type: "started" };
    for (const chunk of wholeAnswer(options.name, response)) yield chunk;
  }

  async function* streamed(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const c = client ?? (await ready);
    const body: OpenAI.ChatCompletionCreateParamsStreaming = { ...chatParams(request, wire), stream: true };
    if (streamOptions) body.stream_options = streamOptions;
    const stream = await c.chat.completions.create(body, { signal });
    yield { type: "started" };
    const answer = new StreamedAnswer(request.model);
    for await (const chunk of stream) {
      const text = answer.read(chunk);
      // A chunk's reasoning comes before its text: the model thinks, then answers.
      if (answer.reasoning) yield { type: "reasoning", text: answer.reasoning };
      if (answer.logprobs) yield { type: "delta", text: text ?? "", logprobs: answer.logprobs };
      else if (text) yield { type: "delta", text };
      if (answer.toolCallsBegan()) yield { type: "progress" };
    }
    const end = answer.end();
    if (end) yield end;
  }

  return {
    name: options.name,
    kind: options.kind,
    stream: (request, signal) => (request.unary ? whole(request, signal) : streamed(request, signal)),
    check(request) {
      chatParams(request, wire);
    },

    async embed(request, signal) {
      const c = client ?? (await ready);
      // The body names its encoding, so the SDK returns the answer as it came (readEmbeddings decodes it).
      const response = await c.embeddings.create(embeddingParams(request, wire), { signal });
      return readEmbeddings(options.name, request.inputs.length, request.model, response);
    },

    translateError(error): GatewayError | undefined {
      // A token source's failure reaches here wrapped by the SDK ("Failed to get token...").
      if (error instanceof Error && isGatewayError(error.cause)) return error.cause;
      // Errors of the SDK's own classes come only from a loaded SDK.
      if (sdk && error instanceof sdk.APIUserAbortError) return undefined;
      if (sdk && error instanceof sdk.APIConnectionError) {
        return upstreamConnectionError(options.name, networkErrorCode(error) ?? error.message, error);
      }
      if (sdk && error instanceof sdk.APIError) {
        return upstreamHttpError(
          options.name,
          { status: error.status, headers: error.headers, message: error.message, code: error.code },
          error,
        );
      }
      // A connection that breaks while the body streams surfaces as the HTTP client's own error.
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
}
