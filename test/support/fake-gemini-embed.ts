import { fakeTokens, fakeVectors } from "./fake-vectors.js";

/*
 * Embeddings as Google answers them: the Gemini API's batchEmbedContents ({ requests: [{ model, content,
 * taskType, outputDimensionality }] } → { embeddings: [{ values }] }, no token counts), Vertex AI's predict
 * ({ instances: [{ content, task_type }], parameters } → { predictions: [{ embeddings: { values, statistics } }] },
 * one instance a call for gemini-embedding-001) and Vertex's embedContent for the newer Gemini models.
 */

/** The size of a vector when the request names none, as the model gives it: 3072 for Gemini's, 768 for text-embedding-005. */
const defaultSize = (model: string) => (model.startsWith("gemini-embedding") ? 3072 : 768);

type Answer = { status: number; body: unknown };
const invalid = (message: string): Answer => ({
  status: 400,
  body: { error: { code: 400, message, status: "INVALID_ARGUMENT", details: [] } },
});

const textOf = (content: unknown): string | undefined => {
  const parts = (content as { parts?: { text?: unknown }[] } | undefined)?.parts;
  const text = parts?.map((p) => p.text).join("");
  return typeof text === "string" && text.length > 0 ? text : undefined;
};

const sizeOf = (n: unknown): number | undefined => (typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined);

async function batchEmbed(model: string, body: Record<string, unknown>): Promise<Answer> {
  const requests = Array.isArray(body["requests"]) ? (body["requests"] as Record<string, unknown>[]) : [];
  if (requests.length === 0 || requests.length > 100) return invalid("* BatchEmbedContentsRequest.requests: between 1 and 100");
  const texts: string[] = [];
  for (const [i, r] of requests.entries()) {
    if (r["model"] !== `models/${model}`) return invalid(`requests[${i}].model: must be the model of the path, models/${model}`);
    const text = textOf(r["content"]);
    if (text === undefined) return invalid(`requests[${i}].content: no text`);
    texts.push(text);
  }
  const size = sizeOf(requests[0]?.["outputDimensionality"]) ?? defaultSize(model);
  return { status: 200, body: { embeddings: (await fakeVectors(texts, size)).map((values) => ({ values })) } };
}

async function predict(model: string, body: Record<string, unknown>): Promise<Answer> {
  const instances = Array.isArray(body["instances"]) ? (body["instances"] as Record<string, unknown>[]) : [];
  if (instances.length === 0) return invalid("instances: required");
  if (model.startsWith("gemini-embedding-001") && instances.length > 1) {
    return invalid(`Unable to submit request because ${model} supports only 1 instance per request`);
  }
  if (instances.length > 250) return invalid("instances: at most 250");
  const texts = instances.map((i) => i["content"]);
  if (!texts.every((t): t is string => typeof t === "string" && t.length > 0)) return invalid("instances[].content: a text");
  const parameters = (body["parameters"] ?? {}) as Record<string, unknown>;
  const size = sizeOf(parameters["outputDimensionality"]) ?? defaultSize(model);
  const vectors = await fakeVectors(texts, size);
  const predictions = vectors.map((values, i) => ({
    embeddings: { values, statistics: { token_count: fakeTokens(texts[i]!), truncated: false } },
  }));
  const chars = texts.reduce((n, t) => n + t.replace(/\s/g, "").length, 0);
  return { status: 200, body: { predictions, metadata: { billableCharacterCount: chars } } };
}

async function embedContent(model: string, body: Record<string, unknown>): Promise<Answer> {
  const text = textOf(body["content"]);
  if (text === undefined) return invalid("content: no text");
  const config = (body["embedContentConfig"] ?? {}) as Record<string, unknown>;
  const [values] = await fakeVectors([text], sizeOf(config["outputDimensionality"]) ?? defaultSize(model));
  return { status: 200, body: { embedding: { values }, usageMetadata: { promptTokenCount: fakeTokens(text) } } };
}

/** The answer to one of Google's embedding calls, by the method in its path. */
export function answerGoogleEmbed(method: string, model: string, body: Record<string, unknown>): Promise<Answer> {
  if (method === "batchEmbedContents") return batchEmbed(model, body);
  if (method === "predict") return predict(model, body);
  return embedContent(model, body);
}
