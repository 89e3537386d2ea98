import { createLexicalEmbedder } from "../../src/cache/semantic/lexical.js";

const embedder = createLexicalEmbedder(256);

/**
 * Vectors of the given size for the platforms' embedding fakes, as fake-embeddings.ts makes OpenAI's:
 * stable, and closer for texts sharing words (the lexical embedder's 256 values, cut or padded with zeros).
 */
export async function fakeVectors(texts: readonly string[], size: number): Promise<number[][]> {
  return (await embedder.embed([...texts])).map((v) => {
    const out = new Float32Array(size);
    out.set(v.subarray(0, size));
    return Array.from(out);
  });
}

/** Tokens as the fakes count them: one per word. */
export const fakeTokens = (text: string): number => text.split(/\s+/).filter(Boolean).length;
