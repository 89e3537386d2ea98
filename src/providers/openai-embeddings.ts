import type { EmbeddingCreateParams } from "openai/resources/embeddings";
import { vectorFromBase64 } from "../core/embeddings.js";
import { GatewayError, invalidRequest } from "../core/errors.js";
import type { ProviderEmbedRequest, ProviderEmbedResult } from "./provider.js";

/*
 * OpenAI's embeddings wire format, shared by the provider that speaks it through the openai SDK and
 * the one that speaks it directly. Only types come from the openai package here.
 */

/**
 * The body of an embeddings call. OpenAI itself is asked for base64 (about a third of the bytes of
 * JSON numbers, and no number parsing); a compatible server for floats, OpenAI's default, which every
 * one of them gives (not all know base64). The encoding is always named: the SDK, when it is not,
 * asks for base64 whatever the server.
 */
export function embeddingParams(request: ProviderEmbedRequest, kind: "openai" | "openai-compatible"): EmbeddingCreateParams {
  const { inputs } = request;
  // OpenAI's models have no task: a catalogue model that sets one is refused, not sent without it.
  if (request.task) throw invalidRequest("task", `the model's task (${request.task}) is not taken by OpenAI's embeddings API`);
  const input = (typeof inputs[0] === "string" ? inputs : inputs.map((t) => [...(t as readonly number[])])) as string[] | number[][];
  const body: EmbeddingCreateParams = { model: request.model, input };
  body.encoding_format = kind === "openai" ? "base64" : "float";
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user) body.user = request.user;
  return body;
}

interface WireEmbedding {
  index?: unknown;
  embedding?: unknown;
}

/**
 * The vectors of an embeddings answer, in the inputs' order, whichever encoding the server chose.
 * An answer that does not have one vector per input is the provider's failure, never passed on.
 */
export function readEmbeddings(provider: string, wanted: number, fallbackModel: string, body: unknown): ProviderEmbedResult {
  const answer = body as { data?: unknown; model?: unknown; usage?: { prompt_tokens?: unknown } | null } | null;
  const data = Array.isArray(answer?.data) ? (answer.data as WireEmbedding[]) : undefined;
  const bad = (why: string) =>
    new GatewayError("UPSTREAM_UNAVAILABLE", `${provider}: the embeddings answer ${why}`, { metadata: { provider } });
  if (!data) throw bad("has no data");
  if (data.length !== wanted) throw bad(`has ${data.length} vectors for ${wanted} inputs`);
  const vectors: Float32Array[] = new Array(wanted);
  data.forEach((d, i) => {
    const index = typeof d.index === "number" ? d.index : i;
    if (!Number.isInteger(index) || index < 0 || index >= wanted || vectors[index]) throw bad("has a vector out of place");
    const e = d.embedding;
    if (typeof e === "string") vectors[index] = vectorFromBase64(e);
    else if (Array.isArray(e) && e.every((x) => typeof x === "number")) vectors[index] = Float32Array.from(e as number[]);
    // The SDK decodes base64 itself when the caller did not choose an encoding.
    else if (e instanceof Float32Array) vectors[index] = e;
    else throw bad("has a vector that is not numbers");
  });
  const out: ProviderEmbedResult = { vectors, model: typeof answer?.model === "string" && answer.model ? answer.model : fallbackModel };
  const tokens = answer?.usage?.prompt_tokens;
  // Every input has a token at least: a count of 0 (what some compatible servers put in usage) is no count, and
  // the gateway counts rather than bill the call as free.
  if (typeof tokens === "number" && Number.isFinite(tokens) && tokens > 0) out.usage = { inputTokens: tokens };
  return out;
}
