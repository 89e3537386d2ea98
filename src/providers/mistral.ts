import type { Mistral } from "@mistralai/mistralai";
import type { MistralError } from "@mistralai/mistralai/models/errors";
import { GatewayError, invalidRequest } from "../core/errors.js";
import type { Fetch } from "./http.js";
import { createAnswerReader } from "./mistral-answer.js";
import { chatRequest } from "./mistral-request.js";
import { readEmbeddings } from "./openai-embeddings.js";
import type { Provider, ProviderChunk, ProviderRequest } from "./provider.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Options of a Mistral provider. */
export interface MistralProviderOptions {
  name: string;
  apiKey: string | undefined;
  /** The provider's own pool as a fetch answering web Responses (createUpstreamFetch in src/providers/http.ts). */
  fetch: Fetch;
  /** Replaces https://api.mistral.ai (Mistral's EU or US endpoint, a proxy, tests); the SDK adds /v1/... */
  baseUrl?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

type Sdk = typeof import("@mistralai/mistralai");
type SdkErrors = typeof import("@mistralai/mistralai/models/errors");

/**
 * The SDK's fetcher: it hands over a Request, which the gateway's fetch (undici, the provider's own
 * pool) takes as its URL, method, headers, body and signal.
 */
function fetcherOf(fetch: Fetch) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (!(input instanceof Request) || init) return fetch(input as string | URL, init);
    const body = input.body ? await input.text() : null;
    return fetch(input.url, { method: input.method, headers: input.headers, body, signal: input.signal });
  };
}

/**
 * A provider for Mistral's models through the official @mistralai/mistralai SDK (kind mistral).
 * Native rather than openai-compatible because Mistral's wire differs where it matters: reasoning
 * comes as thinking chunks in the content, fields are Mistral's own (random_seed) and unknown ones
 * are refused, tool call ids are nine characters, errors have their own shape (docs/providers.md).
 * The request's translation is in mistral-request.ts, answers are read in mistral-answer.ts.
 *
 * The SDK is imported when the provider is built, and its client built once with no retries and no
 * timeout: the gateway retries and times calls itself.
 */
export function createMistralProvider(options: MistralProviderOptions): Provider {
  let client: Mistral | undefined;
  let errors: SdkErrors | undefined;
  const ready = Promise.all([import("@mistralai/mistralai"), import("@mistralai/mistralai/models/errors")]).then(
    ([sdk, sdkErrors]: [Sdk, SdkErrors]) => {
      errors = sdkErrors;
      client = new sdk.Mistral({
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        ...(options.baseUrl ? { serverURL: options.baseUrl } : {}),
        httpClient: new sdk.HTTPClient({ fetcher: fetcherOf(options.fetch) }),
        retryConfig: { strategy: "none" },
      });
      return client;
    },
  );
  // A module that cannot load fails every call (through `ready`), not the process.
  ready.catch(() => {});
  // Extra headers go on every call, over the SDK's own (its Authorization included).
  const callOptions = (signal: AbortSignal) => ({ signal, headers: { ...options.headers } });

  async function* stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const body = chatRequest(request);
    const c = client ?? (await ready);
    const reader = createAnswerReader(request.model);
    if (request.unary) {
      const response = await c.chat.complete({ ...body, stream: false }, callOptions(signal));
      yield { type: "started" };
      yield* reader.whole(response);
    } else {
      const events = await c.chat.stream(body, callOptions(signal));
      yield { type: "started" };
      for await (const event of events) yield* reader.chunk(event.data);
    }
    // Without a finish reason the stream was cut short: no "end", so the gateway reports it.
    const end = reader.end();
    if (end) yield end;
  }

  return {
    name: options.name,
    kind: "mistral",
    stream,
    check(request) {
      chatRequest(request);
    },
    async embed(request, signal) {
      if (request.task) throw invalidRequest("task", "Mistral's embeddings API has no task type; remove task");
      const texts = request.inputs.map((input, i) => {
        if (typeof input !== "string") throw invalidRequest(`input[${i}]`, "Mistral embeds text, not token ids");
        return input;
      });
      const c = client ?? (await ready);
      const body = {
        model: request.model,
        inputs: texts,
        ...(request.dimensions !== undefined ? { outputDimension: request.dimensions } : {}),
      };
      const answer = await c.embeddings.create(body, callOptions(signal));
      // Read as the OpenAI format's answers are (one vector per input, in place), which Mistral's is but for usage's name.
      const wire = { data: answer.data, model: answer.model, usage: { prompt_tokens: answer.usage.promptTokens } };
      return readEmbeddings(options.name, texts.length, request.model, wire);
    },
    translateError(error): GatewayError | undefined {
      // A whole answer that is not Mistral's shape is a ResponseValidationError; a streamed chunk that is not,
      // the schema's own ZodError, thrown while the stream is read.
      if ((errors && error instanceof errors.ResponseValidationError) || (error instanceof Error && error.name === "ZodError")) {
        const message = `${options.name}: the answer did not have Mistral's shape: ${error.message}`;
        return new GatewayError("UPSTREAM_UNAVAILABLE", message, { metadata: { provider: options.name }, cause: error });
      }
      if (errors && error instanceof errors.MistralError) return mistralHttpError(options.name, error);
      // A cancel is the caller's doing (RequestAbortedError), not the upstream's failure.
      if (errors && error instanceof errors.RequestAbortedError) return undefined;
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
}

/** Mistral's error bodies: { object: "error", message, type, code } (message an object for a 422), or { message } (401). */
interface MistralErrorBody {
  message?: unknown;
  detail?: unknown;
  type?: unknown;
}

/**
 * A Mistral HTTP error as the gateway's: the message from Mistral's body (a 422's detail as JSON, so
 * that the refused field shows), its type (rate_limited, invalid_request_error) as upstream_code.
 */
export function mistralHttpError(provider: string, error: MistralError): GatewayError {
  let body: MistralErrorBody = {};
  try {
    body = JSON.parse(error.body) as MistralErrorBody;
  } catch {
    // Not JSON: the body is the error's text as it came.
  }
  const said = body.message ?? body.detail;
  const message = typeof said === "string" ? said : said !== undefined ? JSON.stringify(said) : error.body || error.message;
  const code = typeof body.type === "string" ? body.type : undefined;
  return upstreamHttpError(provider, { status: error.statusCode, headers: error.headers, message, code }, error);
}
