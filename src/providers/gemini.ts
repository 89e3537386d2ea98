import type { GoogleGenAI, GoogleGenAIOptions } from "@google/genai";
import { GatewayError } from "../core/errors.js";
import { createAnswerReader } from "./gemini-answer.js";
import { geminiEmbed } from "./gemini-embed.js";
import { generateParams } from "./gemini-request.js";
import type { Fetch } from "./http.js";
import type { Provider, ProviderChunk, ProviderRequest } from "./provider.js";
import { networkErrorCode, upstreamConnectionError, upstreamHttpError } from "./upstream-error.js";

/** Where a Google provider's calls go: the Gemini API with a key, or Vertex AI in a project and location. */
export type GeminiTarget =
  | { vertex: false; apiKey: string | undefined }
  | {
      vertex: true;
      /** The project and location, for Google credentials; unused in express mode (an API key). */
      project?: string | undefined;
      location: string;
      /** Vertex AI's express mode: an API key in place of Google credentials. */
      apiKey?: string | undefined;
      /** google-auth-library's options: a key file, or an auth client (tests give one with a fixed token). */
      googleAuthOptions?: GoogleGenAIOptions["googleAuthOptions"];
    };

/** Options of a Gemini API or Vertex AI provider. */
export interface GeminiProviderOptions {
  name: string;
  target: GeminiTarget;
  /** The provider's own pool as a fetch answering web Responses (createUpstreamFetch in src/providers/http.ts). */
  fetch: Fetch;
  baseUrl?: string | undefined;
  /**
   * The API version in the path. Unless set: v1beta on the Gemini API (the SDK would say v1, but Google's
   * own reference speaks v1beta, where every field sent here is), and the SDK's v1beta1 on Vertex.
   */
  apiVersion?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * A provider for Google's Gemini models through the official @google/genai SDK, on the Gemini API
 * (kind gemini) or Vertex AI (kind vertex): the same request body and answers on both, other paths
 * and credentials. The request's translation is in gemini-request.ts (what Gemini cannot take is
 * refused there, naming the field), answers are read in gemini-answer.ts.
 *
 * The SDK is imported when the provider is built, not when this file is, and its client is built
 * once with no retries and no timeout: the gateway retries and times calls itself.
 */
export function createGeminiProvider(options: GeminiProviderOptions): Provider {
  let client: GoogleGenAI | undefined;
  let apiError: (new (...args: never[]) => Error & { status: number }) | undefined;
  const t = options.target;
  const ready = import("@google/genai").then((sdk) => {
    apiError = sdk.ApiError;
    const httpOptions: NonNullable<GoogleGenAIOptions["httpOptions"]> = { headers: { ...options.headers }, fetch: options.fetch };
    if (options.baseUrl) httpOptions.baseUrl = options.baseUrl;
    const apiVersion = options.apiVersion ?? (t.vertex ? undefined : "v1beta");
    if (apiVersion) httpOptions.apiVersion = apiVersion;
    // vertexai always set: left out, the SDK would take it from GOOGLE_GENAI_USE_VERTEXAI.
    const o: GoogleGenAIOptions = { httpOptions, vertexai: t.vertex };
    if (t.apiKey !== undefined) o.apiKey = t.apiKey;
    // Express mode is a key without a project: with a project, the SDK would call the project's paths.
    if (t.vertex && !t.apiKey) Object.assign(o, { project: t.project, location: t.location });
    if (t.vertex && !t.apiKey && t.googleAuthOptions) o.googleAuthOptions = t.googleAuthOptions;
    client = new sdk.GoogleGenAI(o);
    return client;
  });
  // A module that cannot load fails every call (through `ready`), not the process.
  ready.catch(() => {});

  async function* stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<ProviderChunk> {
    const params = generateParams(request);
    params.config.abortSignal = signal;
    const c = client ?? (await ready);
    const reader = createAnswerReader(request.model);
    if (request.unary) {
      const response = await c.models.generateContent(params);
      yield { type: "started" };
      yield* reader.read(response);
    } else {
      const answers = await c.models.generateContentStream(params);
      yield { type: "started" };
      for await (const answer of answers) yield* reader.read(answer);
    }
    // Without a finish reason the stream was cut short: no "end", so the gateway reports it.
    const end = reader.end();
    if (end) yield end;
  }

  return {
    name: options.name,
    kind: t.vertex ? "vertex" : "gemini",
    stream,
    check(request) {
      generateParams(request);
    },
    async embed(request, signal) {
      const c = client ?? (await ready);
      return geminiEmbed(c, { provider: options.name, vertex: t.vertex }, request, signal);
    },
    translateError(error): GatewayError | undefined {
      if (apiError && error instanceof apiError) return googleHttpError(options.name, error.status, error.message, error);
      const code = networkErrorCode(error);
      return code ? upstreamConnectionError(options.name, code, error) : undefined;
    },
  };
}

/** Google's error body: { error: { code, message, status, details: [RetryInfo, ErrorInfo...] } }. */
interface GoogleErrorBody {
  error?: { message?: string; status?: string; details?: { "@type"?: string; retryDelay?: string; reason?: string }[] };
}

/**
 * A Google API error as the gateway's. The SDK puts the error body, as JSON, in the message. Google
 * says how long to wait in the body (RetryInfo's retryDelay, "38s"), not in a retry-after header; and
 * a wrong API key is a 400 whose ErrorInfo reason is API_KEY_INVALID: it is an auth failure all the same.
 */
export function googleHttpError(provider: string, status: number, message: string, cause: unknown): GatewayError {
  let body: GoogleErrorBody = {};
  try {
    body = JSON.parse(message) as GoogleErrorBody;
  } catch {
    // Not JSON: the message is the error's text as it came.
  }
  const details = body.error?.details ?? [];
  const delay = details.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"))?.retryDelay;
  const seconds = delay ? Number.parseFloat(delay) : Number.NaN;
  const headers: Record<string, string> = Number.isFinite(seconds) ? { "retry-after-ms": String(Math.round(seconds * 1000)) } : {};
  const text = body.error?.message ?? message;
  if (details.some((d) => d["@type"]?.endsWith("google.rpc.ErrorInfo") && d.reason === "API_KEY_INVALID")) {
    const metadata = { provider, upstream_status: String(status), upstream_code: "API_KEY_INVALID" };
    return new GatewayError("UPSTREAM_AUTH_FAILED", `${provider}: ${status} ${text}`, { metadata, cause });
  }
  return upstreamHttpError(provider, { status, headers, message: text, code: body.error?.status }, cause);
}
