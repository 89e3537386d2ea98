import { fakeTokens, fakeVectors } from "./fake-vectors.js";

/*
 * Bedrock's InvokeModel for the embedding models, each family's body as Bedrock documents it: Titan Text
 * Embeddings ({ inputText, dimensions, normalize } → { embedding, inputTextTokenCount }, sizes 256, 512
 * and 1024 on v2) and Cohere Embed ({ texts, input_type, truncate, embedding_types, output_dimension } →
 * { id, texts, embeddings, response_type }, up to 96 texts, input_type required). Every answer counts
 * its input tokens in x-amzn-bedrock-input-token-count, as Bedrock does.
 */

/** The model ids whose InvokeModel calls are answered here (Claude's, in fake-anthropic-cloud.ts). */
export const EMBEDDING_MODEL = /amazon\.titan-embed|cohere\.embed/;

/** An answer, or a refusal as the exception's name (ValidationException) and message. */
export type InvokeAnswer = { body: unknown; tokens: number } | { exception: string; message: string };

const refuse = (message: string): InvokeAnswer => ({ exception: "ValidationException", message });

async function titan(modelId: string, body: Record<string, unknown>): Promise<InvokeAnswer> {
  const text = body["inputText"];
  if (typeof text !== "string" || text.length === 0) return refuse("Malformed input request: #: required key [inputText] not found");
  const v2 = modelId.includes("titan-embed-text-v2");
  const extra = Object.keys(body).filter((k) => k !== "inputText" && !(v2 && ["dimensions", "normalize", "embeddingTypes"].includes(k)));
  if (extra.length > 0) return refuse(`Malformed input request: extraneous key [${extra[0]}] is not permitted`);
  const size = body["dimensions"] ?? 1024;
  if (![256, 512, 1024].includes(size as number)) return refuse("Malformed input request: #/dimensions: 256, 512 or 1024");
  const [embedding] = await fakeVectors([text], size as number);
  const tokens = fakeTokens(text);
  return { body: { embedding, inputTextTokenCount: tokens, embeddingsByType: { float: embedding } }, tokens };
}

const INPUT_TYPES = ["search_document", "search_query", "classification", "clustering"];

async function cohere(modelId: string, body: Record<string, unknown>): Promise<InvokeAnswer> {
  const texts = body["texts"];
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === "string" && t.length > 0)) {
    return refuse("Malformed input request: #/texts: expected a non-empty array of strings");
  }
  if (texts.length > 96) return refuse(`Malformed input request: #/texts: expected maximum item count: 96, found: ${texts.length}`);
  if (!INPUT_TYPES.includes(body["input_type"] as string)) return refuse("Malformed input request: #/input_type: required");
  const v4 = modelId.includes("embed-v4");
  if (body["output_dimension"] !== undefined && !v4) return refuse("Malformed input request: extraneous key [output_dimension]");
  const size = (body["output_dimension"] as number | undefined) ?? (v4 ? 1536 : 1024);
  const vectors = await fakeVectors(texts as string[], size);
  const typed = Array.isArray(body["embedding_types"]);
  const tokens = (texts as string[]).reduce((n, t) => n + fakeTokens(t), 0);
  const answer = typed
    ? { id: "fake-embed", texts, embeddings: { float: vectors }, response_type: "embeddings_by_type" }
    : { id: "fake-embed", texts, embeddings: vectors, response_type: "embeddings_floats" };
  return { body: answer, tokens };
}

/** The answer to an InvokeModel call of an embedding model. */
export function answerInvoke(modelId: string, raw: Buffer): Promise<InvokeAnswer> {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw.toString()) as Record<string, unknown>;
  } catch {
    return Promise.resolve(refuse("Malformed input request: not JSON"));
  }
  if (modelId.includes("amazon.titan-embed")) return titan(modelId, body);
  if (modelId.includes("cohere.embed")) return cohere(modelId, body);
  return Promise.resolve(refuse(`The provided model identifier is invalid: ${modelId}`));
}
