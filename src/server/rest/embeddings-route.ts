import type * as http from "node:http";
import { z } from "zod";
import type { Clock } from "../../core/clock.js";
import { type EmbedInput, type EmbedRequest, type EmbedResult, vectorToBase64 } from "../../core/embeddings.js";
import { invalidRequest } from "../../core/errors.js";
import type { Gateway } from "../../pipeline/pipeline.js";
import { writable } from "./openai-sse.js";
import { readJsonBody } from "./read-body.js";
import { refusal } from "./refusal.js";
import type { RestRoute } from "./route.js";

export interface EmbeddingsRouteOptions {
  gateway: Gateway;
  clock: Clock;
  maxBodyBytes: number;
}

/**
 * OpenAI's embeddings request, every field accounted for: `input`, `model`, `dimensions` and `user`
 * are honoured; `encoding_format` chooses how the vectors are written (float: JSON numbers; base64:
 * little-endian float32, what the openai SDK asks for by default). Any other field is refused by name.
 */
const body = z.strictObject({
  model: z.string(),
  // Checked by inputsOf, which names the element at fault and costs less than a schema per number.
  input: z.unknown(),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().nullish(),
  user: z.string().nullish(),
});

/** `input` as OpenAI takes it: a string, an array of strings, an array of token ids, or an array of those. */
export function inputsOf(input: unknown): EmbedInput[] {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input))
    throw invalidRequest("input", "must be a string, an array of strings, or token ids (an array of integers, or of arrays of them)");
  if (input.length === 0) throw invalidRequest("input", "at least one input is required");
  if (typeof input[0] === "number") return [tokenIds(input, "input")];
  return input.map((item: unknown, i) => {
    if (typeof item === "string") return item;
    if (Array.isArray(item)) return tokenIds(item, `input[${i}]`);
    throw invalidRequest(`input[${i}]`, "must be a string or an array of token ids");
  });
}

function tokenIds(items: unknown[], field: string): number[] {
  for (const t of items) if (typeof t !== "number" || !Number.isInteger(t)) throw invalidRequest(field, "token ids are integers");
  return items as number[];
}

/** The request in the core's terms, and how the vectors are to be written. */
export function fromOpenAiEmbeddings(raw: Record<string, unknown>): { request: EmbedRequest; base64: boolean } {
  if (raw["input"] === undefined) throw invalidRequest("input", "required");
  const parsed = body.safeParse(raw);
  if (!parsed.success) throw refusal(parsed.error.issues);
  const b = parsed.data;
  const request: EmbedRequest = {
    model: b.model,
    inputs: inputsOf(b.input),
    user: b.user ?? "",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
  };
  if (b.dimensions != null) request.dimensions = b.dimensions;
  return { request, base64: b.encoding_format === "base64" };
}

/** OpenAI's embeddings response, with what the gateway adds beside it (clients ignore fields they do not know). */
export function embeddingsBody(result: EmbedResult, base64: boolean) {
  return {
    object: "list",
    data: result.vectors.map((v, index) => ({ object: "embedding", index, embedding: base64 ? vectorToBase64(v) : Array.from(v) })),
    model: result.model,
    usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.inputTokens },
    llm_gateway: {
      provider: result.provider,
      cost_usd: result.costUsd,
      cache_status: result.cacheStatus,
      latency_ms: result.latencyMs,
      // The provider counted no tokens (the Gemini API does not): prompt_tokens is the gateway's own count.
      ...(result.usage.estimated ? { usage_estimated: true } : {}),
    },
  };
}

// About this much of the body is written at once.
const CHUNK_CHARS = 64 * 1024;
// Writing yields to the event loop after this much work, so that no caller's answer holds up the others.
const SLICE_MS = 4;

/**
 * Writes embeddingsBody as JSON, a few vectors at a time, waiting while the reader is behind. The
 * answer to a small body can be huge (2,048 one-word inputs of 3,072 floats are 120 MB of JSON):
 * made in one piece it would hold the event loop for a second and sit in memory whole, however
 * slowly the caller reads it. A reader that has gone stops the writing.
 */
export async function writeEmbeddings(res: http.ServerResponse, result: EmbedResult, base64: boolean): Promise<void> {
  // The fields after data, in embeddingsBody's order, so that the bytes are JSON.stringify's.
  const { object: _object, data: _data, ...tail } = embeddingsBody({ ...result, vectors: [] }, base64);
  let pending = '{"object":"list","data":[';
  let sliceStart = performance.now();
  for (const [index, v] of result.vectors.entries()) {
    const embedding = base64 ? vectorToBase64(v) : Array.from(v);
    pending += `${index ? "," : ""}${JSON.stringify({ object: "embedding", index, embedding })}`;
    if (pending.length < CHUNK_CHARS) continue;
    if (res.destroyed || res.writableEnded) return;
    const full = !res.write(pending);
    pending = "";
    if (full) {
      await writable(res);
      sliceStart = performance.now();
    } else if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  if (res.destroyed || res.writableEnded) return;
  // The rest of the object, as JSON.stringify writes it after data.
  res.end(`${pending}],${JSON.stringify(tail).slice(1)}`);
}

/** POST /v1/embeddings, with OpenAI's error shape and statuses. */
export function embeddingsRoute(options: EmbeddingsRouteOptions): RestRoute {
  const { gateway } = options;
  return {
    name: "embeddings",
    template: () => "/v1/embeddings",
    matches: (path) => path === "/v1/embeddings",
    methods: ["POST"],
    async serve({ req, res, call }) {
      const { request, base64 } = fromOpenAiEmbeddings(await readJsonBody(req, options.maxBodyBytes));
      const result = await gateway.embed(request, call);
      res.writeHead(200, { "content-type": "application/json", "x-cache-status": result.cacheStatus, "x-llm-provider": result.provider });
      await writeEmbeddings(res, result, base64);
    },
  };
}
