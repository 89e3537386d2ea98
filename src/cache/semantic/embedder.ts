/** Turns texts into unit-length vectors whose dot product is their cosine similarity. */
export interface Embedder {
  /** Names the model, so that vectors from different embedders are never compared. */
  readonly name: string;
  readonly dims: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * Nothing to load before the first query (the gateway's own models): warming it up would only
   * spend an upstream call at start-up, and a provider down then would hold the start.
   */
  readonly nothingToWarm?: boolean;
  /** Frees what the embedder holds (a worker thread); it embeds nothing after. */
  close?(): Promise<void>;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

export function dot(a: Float32Array, b: Float32Array, offset = 0): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[offset + i]!;
  return s;
}
