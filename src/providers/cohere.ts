import type { CohereClientV2 } from "cohere-ai";
import { GatewayError, invalidRequest } from "../core/errors.js";
import { answerChunks, createStreamReader } from "./cohere-answer.js";
import { cohereFetch } from "./cohere-fetch.js";
import { chatBody } from "./cohere-request.js";
import { COHERE_INPUT_TYPE } from "./embed-tasks.js";
import type { Fetch } from "./http.js";
import type { Provider, ProviderChunk, ProviderEmbedRequest, ProviderEmbedResult, ProviderRequest } from "./provider.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** How Cohere is asked to embed: the use the vectors are for (Cohere's input_type, required since Embed v3). */
export type CohereEmbedInputType = "search_document" | "search_query" | "classification" | "clustering";

/** Options of a Cohere provider. */
export interface CohereProviderOptions {
  name: string;
  apiKey: string | undefined;
  /** The provider's own pool, as a fetch (createSdkFetch in src/providers/http.ts). */
  fetch: Fetch;
  /** Replaces https://api.cohere.com (a proxy, a private deployment, the test's fake upstream). */
  baseUrl?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  /** The input_type of embedding calls; search_document unless set. */
  embedInputType?: CohereEmbedInputType | undefined;
  /** The provider's own bound on one call (its configuration's timeoutMs), which the SDK's own timer must outlast. */
  timeoutMs?: number | undefined;
}

/** The delay after a 429 that names none: the cohere-ai SDK's own first retry delay (INITIAL_RETRY_DELAY). */
const RATE_LIMIT_DELAY_MS = 1000;

/**
 * The SDK's timeout for one call: a few seconds past the gateway's own bound, which ends calls first. The SDK's
 * timer runs until the response headers come and is not cleared when the fetch fails (cohere-ai 8.1.0,
 * makeRequest), so each failed call keeps it, with its AbortController, until it fires: it must be short-lived, not
 * setTimeout's longest delay (20,000 refused connections held 63 MB for 24 days that way).
 */
const sdkTimeoutSeconds = (timeoutMs: number | undefined) => Math.ceil((timeoutMs ?? 120_000) / 1000) + 5;

/** The vector sizes Embed v4 makes (output_dimension); older Embed models make one size and take none. */
const EMBED_DIMENSIONS = new Set([256, 512, 1024, 1536]);

/** Cohere's bound on texts in one embed call. */
const MAX_EMBED_TEXTS = 96;

/**
 * A provider for Cohere's v2 API (POST /v2/chat, POST /v2/embed) through the official cohere-ai SDK
 * (CohereClientV2). Cohere's native API, not its OpenAI Compatibility API, because the native one
 * carries what the compatible one loses (thinking budgets, documents, safety modes, top k, log
 * probabilities, billed units, embeddings' input type and size: docs/providers.md says which).
 * Requests are translated in cohere-request.ts, answers read in cohere-answer.ts. The SDK is
 * imported when the provider is built; its client is built once with no retries and no timeout of
 * its own: the gateway retries and times calls itself.
 */
export function createCohereProvider(options: CohereProviderOptions): Provider {
  type Sdk = typeof import("cohere-ai");
  let sdk: Sdk | undefined;
  const ready = import("cohere-ai").then((module) => {
    sdk = module;
    return new module.CohereClientV2({
      token: options.apiKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      headers: { ...options.headers },
      maxRetries: 0,
      timeoutInSeconds: sdkTimeoutSeconds(options.timeoutMs),
      // Streams come through cohereFetch, which keeps "[DONE]" in an answer from ending it (cohere-fetch.ts).
      fetch: cohereFetch(options.fetch) as typeof fetch,
    });
  });
  // A module that cannot load fails every call (through `ready`), not the process.
  ready.catch(() => {});
  const requestOptions = (signal: AbortSignal) => ({ abortSignal: signal, maxRetries: 0 });

  async function* stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const body = chatBody(request);
    const client: CohereClientV2 = await ready;
    if (request.unary) {
      const response = await client.chat(body, requestOptions(signal));
      yield { type: "started" };
      yield* answerChunks(options.name, response, request.model);
      return;
    }
    const events = await client.chatStream(body, requestOptions(signal));
    yield { type: "started" };
    const reader = createStreamReader(options.name, request.model);
    for await (const event of events) yield* reader.read(event);
    // Without message-end the stream was cut short: no "end", so the gateway reports it.
    const end = reader.end();
    if (end) yield end;
  }

  async function embed(request: ProviderEmbedRequest, signal: AbortSignal): Promise<ProviderEmbedResult> {
    if (request.inputs.some((i) => typeof i !== "string")) throw invalidRequest("input", "Cohere embeds texts, not token ids");
    if (request.inputs.length > MAX_EMBED_TEXTS)
      throw invalidRequest("input", `Cohere embeds at most ${MAX_EMBED_TEXTS} texts in one call`);
    if (request.dimensions !== undefined && !EMBED_DIMENSIONS.has(request.dimensions))
      throw invalidRequest("dimensions", `Cohere's Embed v4 makes vectors of ${[...EMBED_DIMENSIONS].join(", ")} numbers`);
    // A catalogue model's task chooses the input type; the provider's embedInputType serves models with none.
    const inputType = request.task ? COHERE_INPUT_TYPE[request.task] : (options.embedInputType ?? "search_document");
    if (inputType === undefined) throw invalidRequest("task", `Cohere Embed has no input_type for ${request.task}`);
    const client: CohereClientV2 = await ready;
    const response = await client.embed(
      {
        model: request.model,
        texts: request.inputs as string[],
        inputType: inputType as CohereEmbedInputType,
        embeddingTypes: ["float"],
        ...(request.dimensions !== undefined ? { outputDimension: request.dimensions } : {}),
      },
      requestOptions(signal),
    );
    const floats = response.embeddings?.float;
    if (!floats || floats.length !== request.inputs.length) {
      const metadata = { provider: options.name };
      throw new GatewayError(
        "UPSTREAM_UNAVAILABLE",
        `${options.name}: the embed answer has ${floats?.length ?? 0} vectors for ${request.inputs.length} texts`,
        { metadata },
      );
    }
    const out: ProviderEmbedResult = { vectors: floats.map((v) => Float32Array.from(v)), model: request.model };
    const tokens = response.meta?.billedUnits?.inputTokens ?? response.meta?.tokens?.inputTokens;
    if (tokens !== undefined && tokens > 0) out.usage = { inputTokens: tokens };
    return out;
  }

  return {
    name: options.name,
    kind: "cohere",
    stream,
    check(request) {
      chatBody(request);
    },
    embed,
    translateError(error): GatewayError | undefined {
      if (error instanceof Error && error.name === "AbortError") return undefined;
      if (sdk && error instanceof sdk.CohereError) {
        if (error.statusCode !== undefined) return cohereHttpError(options.name, error);
        // The SDK reports a call the caller ended as an error of its own, the abort as its cause.
        if (error.cause instanceof Error && error.cause.name === "AbortError") return undefined;
      }
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
}

type CohereApiError = InstanceType<typeof import("cohere-ai").CohereError>;

/**
 * A Cohere HTTP error as the gateway's. Cohere's body is { message }. Its 498 (an invalid token) is
 * an auth failure like 401; a 429 waits as long as Cohere says (retry-after, or x-ratelimit-reset, the
 * epoch second its window resets: both as the SDK reads them), else the SDK's first retry delay.
 */
export function cohereHttpError(provider: string, error: CohereApiError, now = Date.now()): GatewayError {
  const status = error.statusCode === 498 ? 401 : error.statusCode;
  const headers = (error.rawResponse?.headers ?? {}) as Headers | Record<string, string>;
  const body = error.body as { message?: unknown } | string | undefined;
  const message = typeof body === "string" ? body : typeof body?.message === "string" ? body.message : error.message;
  const code = error.statusCode === 498 ? "invalid_token" : undefined;
  const translated = upstreamHttpError(provider, { status, headers, message, code }, error);
  if (translated.reason !== "UPSTREAM_RATE_LIMITED" || translated.retryAfterMs !== undefined) return translated;
  const get = (name: string) =>
    typeof (headers as Headers).get === "function" ? (headers as Headers).get(name) : (headers as Record<string, string>)[name];
  const reset = Number(get("x-ratelimit-reset"));
  const retryAfterMs = Number.isFinite(reset) && reset * 1000 > now ? reset * 1000 - now : RATE_LIMIT_DELAY_MS;
  return new GatewayError(translated.reason, translated.message, { metadata: { ...translated.metadata }, cause: error, retryAfterMs });
}
