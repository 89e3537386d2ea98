import { GatewayError, invalidRequest } from "../core/errors.js";
import type { EmbedInput } from "../core/embeddings.js";
import type { ProviderEmbedResult } from "./provider.js";

/** How many texts one upstream call takes, and how many such calls one embedding call runs at once. */
export interface BatchLimits {
  /** Texts per upstream call (1 for Titan, which embeds one text a call). */
  maxInputs: number;
  /** Characters per upstream call, all its texts together, where the provider bounds a call's tokens. */
  maxChars?: number;
  /** Upstream calls in flight at once for one embedding call. */
  concurrency: number;
}

/** One upstream call's answer: a vector per text of its batch, and the tokens it counted when it said. */
export interface BatchAnswer {
  vectors: Float32Array[];
  inputTokens?: number | undefined;
}

/** The inputs as texts, or the refusal naming `input` when they are token ids, which these providers cannot take. */
export function textsOf(inputs: readonly EmbedInput[], provider: string): string[] {
  if (inputs.some((i) => typeof i !== "string")) {
    throw invalidRequest("input", `token ids are not taken by ${provider}'s embedding models; send the texts`);
  }
  return inputs as string[];
}

/** The texts cut into consecutive batches within the limits (a single text longer than maxChars is a batch by itself). */
export function batchesOf(texts: readonly string[], limits: Pick<BatchLimits, "maxInputs" | "maxChars">): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const text of texts) {
    const full = current.length >= limits.maxInputs || (limits.maxChars !== undefined && chars + text.length > limits.maxChars);
    if (current.length > 0 && full) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(text);
    chars += text.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Embeds the texts in batches, at most `concurrency` upstream calls at once, and puts the vectors back
 * in the texts' order. The first failure aborts the calls still in flight and is thrown: the gateway
 * retries or falls back for the whole call, as for a single upstream call. Token counts are added up
 * only when every call reported one; otherwise the result has no usage and the gateway counts.
 */
export async function embedInBatches(
  texts: readonly string[],
  limits: BatchLimits,
  signal: AbortSignal,
  target: { provider: string; model: string },
  call: (batch: string[], signal: AbortSignal) => Promise<BatchAnswer>,
): Promise<ProviderEmbedResult> {
  const { provider, model } = target;
  const batches = batchesOf(texts, limits);
  const answers: BatchAnswer[] = new Array(batches.length);
  const inner = new AbortController();
  const stop = () => inner.abort(signal.reason);
  signal.addEventListener("abort", stop, { once: true });
  if (signal.aborted) stop();
  let next = 0;
  const worker = async () => {
    while (next < batches.length && !inner.signal.aborted) {
      const i = next++;
      const batch = batches[i]!;
      const answer = await call(batch, inner.signal);
      if (answer.vectors.length !== batch.length) {
        throw new GatewayError(
          "UPSTREAM_UNAVAILABLE",
          `${provider}: the embeddings answer has ${answer.vectors.length} vectors for ${batch.length} inputs`,
          {
            metadata: { provider },
          },
        );
      }
      answers[i] = answer;
    }
  };
  try {
    const workers = Array.from({ length: Math.min(limits.concurrency, batches.length) }, () =>
      worker().catch((err: unknown) => {
        inner.abort(err);
        throw err;
      }),
    );
    // The first failure, not a later "aborted" of the calls it stopped.
    await Promise.all(workers);
  } finally {
    signal.removeEventListener("abort", stop);
  }
  // Stopped between two calls, no call failed: the caller's cancel, never an answer short of vectors.
  if (inner.signal.aborted) throw signal.reason ?? new DOMException("This operation was aborted", "AbortError");
  const vectors = answers.flatMap((a) => a.vectors);
  const counted = answers.every((a) => a.inputTokens !== undefined);
  const tokens = answers.reduce((sum, a) => sum + (a.inputTokens ?? 0), 0);
  const result: ProviderEmbedResult = { vectors, model };
  if (counted && tokens > 0) result.usage = { inputTokens: tokens };
  return result;
}
