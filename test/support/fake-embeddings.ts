import { createLexicalEmbedder } from "../../src/cache/semantic/lexical.js";

const embedder = createLexicalEmbedder(256);

/**
 * The fake upstream's answer to POST /v1/embeddings, as OpenAI gives it: every input form OpenAI
 * takes (a string, strings, token ids, arrays of token ids), `dimensions` (the vector cut or padded
 * to that size), `encoding_format: "base64"` (little-endian float32), and usage counted honestly:
 * one token per word of a text, one per token id. Vectors a real model would not give, but stable,
 * and closer for texts sharing words; token ids are embedded as the text of their numbers.
 */
export async function fakeEmbeddings(body: Record<string, unknown>): Promise<{ status: number; body: object }> {
  const raw = body["input"];
  const list: unknown[] = Array.isArray(raw) ? (typeof raw[0] === "number" ? [raw] : raw) : [raw];
  const texts: string[] = [];
  let tokens = 0;
  for (const item of list) {
    if (typeof item === "string" && item.length > 0) {
      texts.push(item);
      tokens += item.split(/\s+/).filter(Boolean).length;
    } else if (Array.isArray(item) && item.length > 0 && item.every((t) => Number.isInteger(t))) {
      texts.push(item.join(" "));
      tokens += item.length;
    } else {
      return { status: 400, body: { error: { message: "'$.input' is invalid", type: "invalid_request_error", code: null } } };
    }
  }
  const dimensions = typeof body["dimensions"] === "number" ? body["dimensions"] : 256;
  const base64 = body["encoding_format"] === "base64";
  const vectors = (await embedder.embed(texts)).map((v) => {
    const out = new Float32Array(dimensions);
    out.set(v.subarray(0, dimensions));
    return out;
  });
  return {
    status: 200,
    body: {
      object: "list",
      model: String(body["model"] ?? "fake-embedding"),
      data: vectors.map((v, index) => ({
        object: "embedding",
        index,
        embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : Array.from(v),
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
