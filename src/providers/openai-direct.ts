import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams } from "openai/resources/chat/completions";
import { request as send, type Dispatcher } from "undici";
import type { GatewayError } from "../core/errors.js";
import type { TokenLogprob } from "../core/types.js";
import { embeddingParams, readEmbeddings } from "./openai-embeddings.js";
import { apiErrorMessage, chatParams, StreamedAnswer, wholeAnswer } from "./openai-wire.js";
import type { Provider, ProviderChunk, ProviderRequest } from "./provider.js";
import { SseReader, type SseEvent } from "./sse.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Options of an OpenAI-format provider that speaks the wire format itself. */
export interface OpenAiDirectProviderOptions {
  /** The provider's own connection pool. */
  dispatcher: Dispatcher;
  name: string;
  kind: "openai" | "openai-compatible" | "azure-openai";
  apiKey: string | undefined;
  /** Where the key goes: "authorization" as a bearer token (OpenAI), or Azure's "api-key" header. */
  apiKeyHeader?: "authorization" | "api-key" | undefined;
  /** A bearer token per call, in place of a key (Entra ID tokens for Azure, cached by their source). */
  token?: (() => Promise<string>) | undefined;
  baseUrl?: string | undefined;
  /** The URLs of a model's calls, when they are not the base URL's (Azure puts the deployment in the path). */
  urls?: { chat(model: string): string; embeddings(model: string): string } | undefined;
  /** Extra headers for every request, over the key's own header of the same name. */
  headers?: Readonly<Record<string, string>> | undefined;
  organization?: string | undefined;
  /** Ask for usage in streams (stream_options.include_usage); some compatible servers refuse the field. */
  streamUsage?: boolean | undefined;
}

const STARTED: ProviderChunk = Object.freeze({ type: "started" });
const PROGRESS: ProviderChunk = Object.freeze({ type: "progress" });

/**
 * A provider for the OpenAI chat completions API (OpenAI itself or a
 * compatible server) that speaks the wire format directly over undici,
 * beside the one that goes through the openai SDK (./openai.ts): the same
 * request body, the same translation of the answer, and its failures worded
 * and classified as that one's are. What it leaves out is what the SDK does
 * per call that the gateway does not need: header merging and validation,
 * log formatting with logging off, an AbortController and a timer of its
 * own, and a byte-wise stream parser. The caller's signal goes to undici as
 * it is: aborting it cancels the upstream request, before or during the body.
 */
export function createOpenAiDirectProvider(options: OpenAiDirectProviderOptions): Provider {
  const base = options.baseUrl || "https://api.openai.com/v1";
  const url = base.endsWith("/") ? `${base}chat/completions` : `${base}/chat/completions`;
  const embeddingsUrl = base.endsWith("/") ? `${base}embeddings` : `${base}/embeddings`;
  const urls = options.urls ?? { chat: () => url, embeddings: () => embeddingsUrl };
  // Azure's deployments speak OpenAI's own dialect (max_completion_tokens, base64 vectors, no extra fields).
  const wire = options.kind === "azure-openai" ? "openai" : options.kind;
  // The SDK's own headers (its version, the platform's) say nothing an upstream needs.
  const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json", "user-agent": "llm-gateway" };
  if (options.apiKey && options.apiKeyHeader === "api-key") headers["api-key"] = options.apiKey;
  else if (options.apiKey) headers["authorization"] = `Bearer ${options.apiKey}`;
  if (options.organization) headers["openai-organization"] = options.organization;
  // Extra headers come last, over the key's, as the SDKs' default headers do: a proxy may want its own Authorization.
  const extra = options.headers ?? {};
  Object.assign(headers, extra);
  const streamOptions = options.streamUsage === false ? undefined : { include_usage: true };
  const { token } = options;
  const headersOfCall = token ? async () => ({ ...headers, authorization: `Bearer ${await token()}`, ...extra }) : undefined;

  /** Sends one chat request; resolves once a 2xx answer's headers came. */
  function open(request: ProviderRequest, signal: AbortSignal, stream: boolean): Promise<Dispatcher.ResponseData> {
    const body: ChatCompletionCreateParams = { ...chatParams(request, wire), stream };
    if (stream && streamOptions) body.stream_options = streamOptions;
    return post(urls.chat(request.model), body, signal);
  }

  /** Sends one request; resolves once a 2xx answer's headers came, throws the upstream's error otherwise. */
  async function post(to: string, body: object, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    let res: Dispatcher.ResponseData;
    const h = headersOfCall ? await headersOfCall() : headers;
    try {
      res = await send(to, { method: "POST", headers: h, body: JSON.stringify(body), signal, dispatcher: options.dispatcher });
    } catch (err) {
      // Whoever aborted the signal says what the failure was.
      if (signal.aborted) throw err;
      throw connectionFailure(options.name, err);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const text = await res.body.text().catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    const json = parseJson(text);
    const error = (json as { error?: unknown } | undefined)?.error;
    // As the SDK: a body that parsed to nothing truthy counts as text.
    const message = apiErrorMessage(res.statusCode, error, json ? undefined : text);
    const code = (error as { code?: unknown } | undefined)?.code;
    const failure = { status: res.statusCode, headers: res.headers, message, code: typeof code === "string" ? code : undefined };
    throw upstreamHttpError(options.name, failure, json ?? text);
  }

  /** One call without streaming, yielded as the stream a streaming call would have been. */
  async function* whole(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const res = await open(request, signal, false);
    // As through the SDK: the whole answer is read before the call counts as started.
    const response = (await res.body.json()) as ChatCompletion;
    yield STARTED;
    for (const chunk of wholeAnswer(options.name, response)) yield chunk;
  }

  async function* streamed(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const res = await open(request, signal, true);
    yield STARTED;
    const answer = new StreamedAnswer(request.model);
    const reader = new SseReader();
    const piece = new Piece();
    const events: SseEvent[] = [];
    const body = res.body[Symbol.asyncIterator]();
    let done = false;
    let finished = false;
    /** An event's chunk; undefined for [DONE] and what comes after it (read, and ignored, to the end of the body). */
    const chunkOf = (e: SseEvent): ChatCompletionChunk | undefined => {
      if (done || e.data.startsWith("[DONE]")) {
        done = true;
        return undefined;
      }
      if (e.event?.startsWith("thread.")) return undefined;
      const data = JSON.parse(e.data) as ChatCompletionChunk & { error?: unknown };
      if (!data.error) return data;
      const message = apiErrorMessage(undefined, data.error, undefined);
      throw upstreamHttpError(options.name, { status: undefined, headers: res.headers, message }, data.error);
    };
    try {
      for (;;) {
        const next = await body.next();
        if (next.done) reader.end(events);
        else reader.push(next.value as Buffer, events);
        // The text of every event that came in one read goes on as one delta (its log probabilities as one
        // list), its reasoning likewise: it arrived at once, and each chunk is a hop through every stage
        // above, so one per read instead of one per token. A switch between reasoning and text ends a piece.
        try {
          for (const e of events) {
            const chunk = chunkOf(e);
            if (!chunk) continue;
            const text = answer.read(chunk);
            if (answer.reasoning) {
              if (piece.kind === "text") yield piece.take();
              piece.addReasoning(answer.reasoning);
            }
            if (text || answer.logprobs) {
              if (piece.kind === "reasoning") yield piece.take();
              piece.addText(text ?? "", answer.logprobs);
            }
            if (answer.toolCallsBegan()) {
              if (piece.kind) yield piece.take();
              yield PROGRESS;
            }
          }
        } catch (err) {
          // What came before an error event was answered: it goes out before the error does.
          if (piece.kind) yield piece.take();
          throw err;
        }
        events.length = 0;
        if (piece.kind) yield piece.take();
        if (next.done) break;
      }
      finished = true;
    } catch (err) {
      // As through the SDK, a stream whose signal aborted ends quietly: whoever aborted it knows why.
      if (signal.aborted) return;
      throw err;
    } finally {
      // A reader that stopped early (a lost hedge, a caller gone) frees the connection now.
      if (!finished) res.body.destroy();
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
      const res = await post(urls.embeddings(request.model), embeddingParams(request, wire), signal);
      return readEmbeddings(options.name, request.inputs.length, request.model, await res.body.json());
    },
    translateError(error): GatewayError | undefined {
      // A connection that breaks while the body streams surfaces as undici's own error.
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
}

/**
 * A request that got no answer, worded as the SDK words it: a timeout of the HTTP client
 * (connect, headers) as "Request timed out.", a broken connection by its code.
 */
function connectionFailure(provider: string, error: unknown): GatewayError {
  const text = String(error) + (error instanceof Error && "cause" in error ? String(error.cause) : "");
  const detail = /timed? ?out/i.test(text) ? "Request timed out." : (networkErrorCode(error) ?? "Connection error.");
  return upstreamConnectionError(provider, detail, error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What one network read brought of one kind, reasoning or text (with its log probabilities), to go on as one chunk. */
class Piece {
  kind: "reasoning" | "text" | undefined;
  private text = "";
  private logprobs: TokenLogprob[] | undefined;

  addReasoning(text: string): void {
    this.kind = "reasoning";
    this.text += text;
  }

  addText(text: string, logprobs: TokenLogprob[] | undefined): void {
    this.kind = "text";
    this.text += text;
    if (logprobs) (this.logprobs ??= []).push(...logprobs);
  }

  /** The piece as a chunk; the piece is empty after. */
  take(): ProviderChunk {
    const chunk: ProviderChunk =
      this.kind === "reasoning"
        ? { type: "reasoning", text: this.text }
        : this.logprobs
          ? { type: "delta", text: this.text, logprobs: this.logprobs }
          : { type: "delta", text: this.text };
    this.kind = undefined;
    this.text = "";
    this.logprobs = undefined;
    return chunk;
  }
}
