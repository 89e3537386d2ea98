import type { CallContext } from "../../core/call.js";
import type { ModelEntry } from "../../core/catalog.js";
import type { EmbedRequest, EmbedResult } from "../../core/embeddings.js";

/**
 * The embedding pipeline's shape: the chat pipeline's (a stage takes the handler after it and
 * returns a handler, settling what it reserved in its own `finally`), for a call that answers
 * once, with vectors, rather than as a stream.
 */

/** One embedding call, admitted: its model and its input tokens. */
export interface EmbedRound {
  request: EmbedRequest;
  call: CallContext;
  model: ModelEntry;
  /** The inputs' tokens in the model's tokenizer, counted once, when a stage first asks. */
  inputTokens(): Promise<number>;
}

export type EmbedHandler = (round: EmbedRound) => Promise<EmbedResult>;
export type EmbedStage = (next: EmbedHandler) => EmbedHandler;

/** Tokens a finished call used: none when it was served from the cache. */
export const embedTokensUsed = (r: EmbedResult): number => (r.savedCostUsd !== undefined ? 0 : r.usage.inputTokens);
