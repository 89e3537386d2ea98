import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { GatewayError, invalidRequest } from "../core/errors.js";
import { COHERE_INPUT_TYPE } from "./embed-tasks.js";
import { type BatchAnswer, type BatchLimits, embedInBatches, textsOf } from "./embed-batches.js";
import type { ProviderEmbedRequest, ProviderEmbedResult } from "./provider.js";

/*
 * Embeddings on Bedrock through InvokeModel, whose body is each model family's own: Amazon Titan Text
 * Embeddings (one text a call: { inputText, dimensions, normalize }) and Cohere Embed ({ texts,
 * input_type, ... }, up to 96 texts a call). Bedrock counts a call's input tokens in the
 * x-amzn-bedrock-input-token-count header, for every model; Titan says it in its body as well.
 */

type Sdk = typeof import("@aws-sdk/client-bedrock-runtime");

/**
 * Titan calls in flight at once for one embedding call: Titan embeds one text a call, so a call of
 * many texts is many calls. Four keeps one caller's burst well under Bedrock's default Titan quota
 * (thousands of requests a minute) while a call of 100 texts takes about 25 round trips, not 100.
 */
const TITAN_CONCURRENCY = 4;
const COHERE_LIMITS: BatchLimits = { maxInputs: 96, concurrency: 4 };

/** Sizes each model can cut its vectors to (the model's own included). */
const TITAN_V2_SIZES = [256, 512, 1024];
const COHERE_V4_SIZES = [256, 512, 1024, 1536];

type Family = "titan-v2" | "titan" | "cohere-v4" | "cohere";

/** The model family by its id; inference profiles (us.cohere.embed-v4:0) and ARNs name it too. */
function familyOf(model: string): Family {
  if (model.includes("amazon.titan-embed-text-v2")) return "titan-v2";
  if (model.includes("amazon.titan-embed-text") || model.includes("amazon.titan-embed-g1-text")) return "titan";
  if (model.includes("cohere.embed-v4")) return "cohere-v4";
  if (model.includes("cohere.embed-")) return "cohere";
  throw invalidRequest("model", `${model}: Bedrock embeddings are carried for Titan Text Embeddings and Cohere Embed models`);
}

function checkSize(dimensions: number | undefined, sizes: readonly number[] | undefined, model: string): void {
  if (dimensions === undefined) return;
  if (!sizes) throw invalidRequest("dimensions", `${model} gives vectors of one size; leave dimensions out`);
  if (!sizes.includes(dimensions)) throw invalidRequest("dimensions", `${model} takes ${sizes.join(", ")}, got ${dimensions}`);
}

/** The InvokeModel body for one batch, or the refusal naming the field the model cannot take. */
export function invokeBody(request: ProviderEmbedRequest, family: Family, batch: readonly string[]): Record<string, unknown> {
  if (family === "titan-v2" || family === "titan") {
    if (request.task) throw invalidRequest("task", `${request.model} has no task type; remove the catalogue model's task`);
    checkSize(request.dimensions, family === "titan-v2" ? TITAN_V2_SIZES : undefined, request.model);
    if (family === "titan") return { inputText: batch[0] };
    // normalize: unit vectors, as OpenAI's are (Titan's default too, said so that it never depends on it).
    return { inputText: batch[0], normalize: true, ...(request.dimensions ? { dimensions: request.dimensions } : {}) };
  }
  if (!request.task) throw invalidRequest("task", `${request.model} needs an input_type: set the catalogue model's task`);
  const inputType = COHERE_INPUT_TYPE[request.task];
  if (!inputType) throw invalidRequest("task", `${request.model} has no input_type for ${request.task}`);
  checkSize(request.dimensions, family === "cohere-v4" ? COHERE_V4_SIZES : undefined, request.model);
  // truncate NONE: a text longer than the model takes is refused, not embedded in part.
  const body: Record<string, unknown> = { texts: batch, input_type: inputType, truncate: "NONE", embedding_types: ["float"] };
  if (request.dimensions !== undefined) body["output_dimension"] = request.dimensions;
  return body;
}

/** The vectors of an answer: Titan's embedding, or Cohere's embeddings (by type, or floats as v3 gives them untyped). */
export function readInvokeAnswer(provider: string, family: Family, body: unknown): Float32Array[] {
  const bad = () =>
    new GatewayError("UPSTREAM_UNAVAILABLE", `${provider}: the embeddings answer has no vectors`, { metadata: { provider } });
  const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number");
  const answer = body as { embedding?: unknown; embeddings?: unknown } | null;
  if (family === "titan-v2" || family === "titan") {
    if (!numbers(answer?.embedding)) throw bad();
    return [Float32Array.from(answer.embedding)];
  }
  const raw = answer?.embeddings;
  const list = Array.isArray(raw) ? raw : (raw as { float?: unknown } | undefined)?.float;
  if (!Array.isArray(list) || !list.every(numbers)) throw bad();
  return list.map((v) => Float32Array.from(v));
}

/** Bedrock's token count for one call: its header, else Titan's inputTextTokenCount. */
function tokensOf(headers: Record<string, string> | undefined, body: unknown): number | undefined {
  const header = Number(headers?.["x-amzn-bedrock-input-token-count"]);
  if (Number.isFinite(header) && header > 0) return header;
  const titan = (body as { inputTextTokenCount?: unknown } | null)?.inputTextTokenCount;
  return typeof titan === "number" && titan > 0 ? titan : undefined;
}

/** One InvokeModel call; the raw response's headers are read by a middleware of this command only. */
async function invoke(sdk: Sdk, client: BedrockRuntimeClient, modelId: string, body: object, signal: AbortSignal) {
  const command = new sdk.InvokeModelCommand({
    modelId,
    body: JSON.stringify(body),
    contentType: "application/json",
    accept: "application/json",
  });
  let headers: Record<string, string> | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      headers = (result.response as { headers?: Record<string, string> }).headers;
      return result;
    },
    { step: "initialize", name: "llmGatewayTokenCount" },
  );
  const output = await client.send(command, { abortSignal: signal });
  const parsed: unknown = JSON.parse(output.body.transformToString());
  return { parsed, headers };
}

/** The embedding call: Titan one text a call, Cohere in batches of 96; the first failure fails the call. */
export function bedrockEmbed(
  ready: { module: Sdk; client: BedrockRuntimeClient },
  provider: string,
  request: ProviderEmbedRequest,
  signal: AbortSignal,
): Promise<ProviderEmbedResult> {
  const texts = textsOf(request.inputs, "Bedrock");
  const family = familyOf(request.model);
  const titan = family === "titan-v2" || family === "titan";
  // Refused before any call, by the first batch's body: every batch's is alike.
  invokeBody(request, family, texts.slice(0, 1));
  const limits = titan ? { maxInputs: 1, concurrency: TITAN_CONCURRENCY } : COHERE_LIMITS;
  return embedInBatches(texts, limits, signal, { provider, model: request.model }, async (batch, s): Promise<BatchAnswer> => {
    const { parsed, headers } = await invoke(ready.module, ready.client, request.model, invokeBody(request, family, batch), s);
    return { vectors: readInvokeAnswer(provider, family, parsed), inputTokens: tokensOf(headers, parsed) };
  });
}
