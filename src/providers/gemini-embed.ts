import type { EmbedContentConfig, EmbedContentResponse, GoogleGenAI } from "@google/genai";
import { GEMINI_TASK_TYPE } from "./embed-tasks.js";
import { type BatchAnswer, type BatchLimits, embedInBatches, textsOf } from "./embed-batches.js";
import type { ProviderEmbedRequest, ProviderEmbedResult } from "./provider.js";

/*
 * An embedding call through @google/genai's models.embedContent. The SDK chooses the wire by platform
 * and model: on the Gemini API, batchEmbedContents (one request per text, up to 100 in a call); on
 * Vertex AI, predict (instances, a task_type each) for the text-embedding models and gemini-embedding-001,
 * or embedContent (one text a call) for the newer Gemini embedding models.
 */

/** Upstream calls in flight at once for one embedding call cut into several. */
const CONCURRENCY = 4;

/**
 * How many texts one call of this model takes. The Gemini API's batchEmbedContents takes 100 requests.
 * On Vertex AI, gemini-embedding-001 takes one instance a predict call, and the models the SDK sends
 * to embedContent (the same test as the SDK's: "gemini" in the name, or a MaaS model) one content a
 * call; the text-embedding models take 250 instances and 20,000 tokens a call, which 60,000 characters
 * stays under for any text of three characters a token or more.
 */
export function geminiBatchLimits(model: string, vertex: boolean): BatchLimits {
  // The SDK sends gemini-embedding-2's texts as the parts of one content (a single vector): one text a call.
  if (!vertex) return { maxInputs: model.includes("gemini-embedding-2") ? 1 : 100, concurrency: CONCURRENCY };
  if (model.includes("gemini") || model.includes("maas")) return { maxInputs: 1, concurrency: CONCURRENCY };
  return { maxInputs: 250, maxChars: 60_000, concurrency: CONCURRENCY };
}

/** The SDK's config for the request: task, size, and on Vertex no silent truncation. */
export function embedConfig(request: ProviderEmbedRequest, vertex: boolean): EmbedContentConfig {
  const config: EmbedContentConfig = {};
  if (request.task) config.taskType = GEMINI_TASK_TYPE[request.task];
  if (request.dimensions !== undefined) config.outputDimensionality = request.dimensions;
  // Vertex cuts a text longer than the model takes unless told not to: an error is better than a vector of part of it.
  if (vertex) config.autoTruncate = false;
  return config;
}

/**
 * One batch's vectors and tokens. Vertex AI counts each text's tokens (statistics.token_count); the
 * Gemini API counts none, and the result then has no usage: the gateway counts the texts itself and
 * marks the count as its estimate.
 */
export function readGeminiEmbeddings(response: EmbedContentResponse): BatchAnswer {
  const embeddings = response.embeddings ?? [];
  const vectors = embeddings.map((e) => Float32Array.from(e.values ?? []));
  const counts = embeddings.map((e) => e.statistics?.tokenCount);
  const perText = counts.length > 0 && counts.every((c) => typeof c === "number");
  const whole = response.usageMetadata?.promptTokenCount;
  const inputTokens = perText ? counts.reduce<number>((s, c) => s + (c ?? 0), 0) : whole;
  return { vectors, inputTokens };
}

/** The embedding call, in batches of what the model takes per call. */
export function geminiEmbed(
  client: GoogleGenAI,
  target: { provider: string; vertex: boolean },
  request: ProviderEmbedRequest,
  signal: AbortSignal,
): Promise<ProviderEmbedResult> {
  const texts = textsOf(request.inputs, target.vertex ? "Vertex AI" : "the Gemini API");
  const config = embedConfig(request, target.vertex);
  const limits = geminiBatchLimits(request.model, target.vertex);
  return embedInBatches(texts, limits, signal, { provider: target.provider, model: request.model }, async (batch, s) =>
    readGeminiEmbeddings(
      await client.models.embedContent({ model: request.model, contents: batch, config: { ...config, abortSignal: s } }),
    ),
  );
}
