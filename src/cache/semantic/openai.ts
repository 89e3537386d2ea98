import type OpenAI from "openai";
import { normalise, type Embedder } from "./embedder.js";

/**
 * Embeddings from an OpenAI-compatible `/embeddings` endpoint through the
 * official SDK: OpenAI itself, or Ollama, vLLM and the like. The SDK loads
 * with the first embedding, so that configuring this embedder costs nothing
 * until a semantic lookup needs it.
 */
export function createOpenAiEmbedder(options: {
  baseURL?: string | undefined;
  apiKey: string;
  model: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): Embedder {
  let client: Promise<OpenAI> | undefined;
  const clientOf = (): Promise<OpenAI> =>
    (client ??= import("openai").then(
      ({ default: OpenAI }) =>
        new OpenAI({
          apiKey: options.apiKey,
          ...(options.baseURL ? { baseURL: options.baseURL } : {}),
          timeout: options.timeoutMs,
          maxRetries: 0,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
    ));
  let dims = 0;
  return {
    name: `openai:${options.model}`,
    get dims() {
      return dims;
    },
    async embed(texts) {
      if (texts.length === 0) return [];
      const res = await (await clientOf()).embeddings.create({ model: options.model, input: [...texts], encoding_format: "float" });
      const out = [...res.data].sort((a, b) => a.index - b.index).map((d) => normalise(Float32Array.from(d.embedding)));
      dims = out[0]?.length ?? dims;
      return out;
    },
  };
}
