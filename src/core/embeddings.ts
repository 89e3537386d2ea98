import type { ModelEntry } from "./catalog.js";
import { invalidRequest } from "./errors.js";
import type { AttemptRecord, CacheOptions, CacheStatus, RoutingHints } from "./types.js";

/** One thing to embed: a text, or a text already tokenized in the model's own tokenizer. */
export type EmbedInput = string | readonly number[];

/** A call for vectors, whatever face it came through. */
export interface EmbedRequest {
  /** Catalogue name or alias of an embedding model; empty means the default model. */
  model: string;
  inputs: readonly EmbedInput[];
  /** Shorter vectors than the model's own (OpenAI text-embedding-3); absent means the model's. */
  dimensions?: number;
  user: string;
  metadata: Record<string, string>;
  routing: RoutingHints;
  cache?: CacheOptions;
}

/** What an embedding call used: input tokens only. */
export interface EmbedUsage {
  inputTokens: number;
  /** The provider reported no count: the gateway counted them. */
  estimated: boolean;
}

/** The vectors of a call, one per input in the inputs' order, and what they cost. */
export interface EmbedResult {
  id: string;
  vectors: Float32Array[];
  /** The model that answered, as the provider named it. */
  model: string;
  usage: EmbedUsage;
  costUsd: number;
  provider: string;
  cacheStatus: CacheStatus;
  attempts: AttemptRecord[];
  latencyMs: number;
  /** Set only for vectors served from the cache: what the original call cost. */
  savedCostUsd?: number;
}

/** OpenAI's own bound on inputs per call. */
export const MAX_EMBED_INPUTS = 2048;
/** Characters of text in one call, all inputs together: a bound on what is counted and hashed. */
export const MAX_EMBED_CHARS = 4 * 1024 * 1024;
/** Token ids in one call, all inputs together. */
export const MAX_EMBED_TOKEN_IDS = 1024 * 1024;
/** The largest vector a request may ask for when the catalogue does not say the model's size. */
export const MAX_EMBED_DIMENSIONS = 65_536;
// The token ids of the tokenizers the gateway knows stay below this; a larger id is no token of any.
const MAX_TOKEN_ID = 2 ** 32 - 1;

const MAX_METADATA_ENTRIES = 16;
const MAX_USER_LENGTH = 256;

/**
 * Checks an embedding call against the contract and its model, naming the field (OpenAI's `input`)
 * at fault. Texts and token ids are not mixed in one call: OpenAI's API takes one kind per call.
 */
export function validateEmbedRequest(request: EmbedRequest, model: ModelEntry): void {
  const { inputs } = request;
  if (inputs.length === 0) throw invalidRequest("input", "at least one input is required");
  if (inputs.length > MAX_EMBED_INPUTS) throw invalidRequest("input", `at most ${MAX_EMBED_INPUTS} inputs per call, got ${inputs.length}`);
  const texts = typeof inputs[0] === "string";
  let chars = 0;
  let ids = 0;
  inputs.forEach((input, i) => {
    if ((typeof input === "string") !== texts) {
      throw invalidRequest(`input[${i}]`, "texts and token ids cannot be mixed in one call; send them in separate calls");
    }
    if (typeof input === "string") {
      if (input.length === 0) throw invalidRequest(`input[${i}]`, "must not be empty");
      chars += input.length;
      return;
    }
    const tokens = input as readonly number[];
    if (tokens.length === 0) throw invalidRequest(`input[${i}]`, "must not be empty");
    ids += tokens.length;
    if (ids > MAX_EMBED_TOKEN_IDS) throw invalidRequest("input", `at most ${MAX_EMBED_TOKEN_IDS} token ids per call`);
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t > MAX_TOKEN_ID) throw invalidRequest(`input[${i}]`, "token ids are integers from 0 to 2^32-1");
    }
  });
  if (chars > MAX_EMBED_CHARS) throw invalidRequest("input", `at most ${MAX_EMBED_CHARS} characters of text per call, got ${chars}`);
  const { dimensions } = request;
  if (dimensions !== undefined) {
    const most = model.embeddingDimensions ?? MAX_EMBED_DIMENSIONS;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > most) {
      const whose = model.embeddingDimensions === undefined ? "" : ` (model "${model.name}" gives vectors of ${most})`;
      throw invalidRequest("dimensions", `must be an integer from 1 to ${most}${whose}, got ${dimensions}`);
    }
  }
  const meta = Object.entries(request.metadata);
  if (meta.length > MAX_METADATA_ENTRIES) throw invalidRequest("metadata", `at most ${MAX_METADATA_ENTRIES} entries`);
  for (const [k, v] of meta) {
    if (k.length === 0 || k.length > 64) throw invalidRequest("metadata", "keys must have 1 to 64 characters");
    if (v.length > 512) throw invalidRequest(`metadata.${k}`, "values must have at most 512 characters");
  }
  if (request.user.length > MAX_USER_LENGTH) throw invalidRequest("user", `at most ${MAX_USER_LENGTH} characters`);
}

/** A vector as OpenAI's base64 encoding_format sends it: its float32 values, little-endian. */
export function vectorToBase64(v: Float32Array): string {
  if (LITTLE_ENDIAN) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  const out = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) out.writeFloatLE(v[i]!, i * 4);
  return out.toString("base64");
}

/** The vector of a base64 embedding (little-endian float32 values). */
export function vectorFromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Float32Array(Math.floor(bytes.length / 4));
  // On a little-endian machine the bytes are the vector as they are: one copy, into an aligned buffer.
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4));
  else for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
