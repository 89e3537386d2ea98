import { normalise, type Embedder } from "./embedder.js";

const STOP = new Set(
  "a an the is are was were be been of in on at to for by with and or what which who whom how do does did i me my you your it its this that please can could would should tell".split(
    " ",
  ),
);

/** FNV-1a, 32 bits: a fast, stable hash for feature hashing. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Folds "capitals" to "capital", "running" to "runn": crude, but the same for both sides. */
function stem(w: string): string {
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && w.endsWith("ing")) return w.slice(0, -3);
  if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) return w.slice(0, -1);
  return w;
}

/**
 * The cheap embedder: hashed content words, word pairs and character
 * trigrams in a fixed number of dimensions. No model, microseconds per text,
 * and it sees word overlap rather than meaning: paraphrases that share few
 * words score low, so it finds fewer hits, not wrong ones.
 */
export function createLexicalEmbedder(dims = 512): Embedder {
  const add = (v: Float32Array, feature: string, weight: number) => {
    const h = fnv1a(feature);
    // The hash's top bit picks a sign, so that collisions cancel rather than pile up.
    v[h % dims]! += h & 0x80000000 ? -weight : weight;
  };
  const one = (text: string): Float32Array => {
    const v = new Float32Array(dims);
    const words =
      text
        .toLowerCase()
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .match(/[\p{L}\p{N}]+/gu) ?? [];
    const content = words.filter((w) => !STOP.has(w)).map(stem);
    for (const w of content) {
      add(v, `w:${w}`, 1);
      const padded = `^${w}$`;
      for (let i = 0; i + 3 <= padded.length; i++) add(v, `c:${padded.slice(i, i + 3)}`, 0.25);
    }
    for (let i = 0; i + 1 < content.length; i++) add(v, `b:${content[i]} ${content[i + 1]}`, 0.5);
    return normalise(v);
  };
  return {
    name: `lexical-${dims}`,
    dims,
    embed: async (texts) => texts.map(one),
  };
}
