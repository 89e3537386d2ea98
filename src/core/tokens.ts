import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage } from "./types.js";

/** A tokenizer the gateway can count with; "estimate" counts with o200k_base and says so. */
export type TokenizerName = "o200k_base" | "cl100k_base" | "estimate";

/** A token count and how much to trust it. */
export interface TokenCount {
  tokens: number;
  estimated: boolean;
  tokenizer: string;
}

/**
 * Picks the tokenizer for an upstream model name when the catalogue does not
 * name one: OpenAI's current families use o200k_base, GPT-4 and GPT-3.5 use
 * cl100k_base; every other model (Claude, Llama, Mistral...) gets an estimate,
 * because no exact offline tokenizer exists for it.
 */
export function tokenizerFor(upstreamModel: string): TokenizerName {
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(upstreamModel)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5)/.test(upstreamModel)) return "cl100k_base";
  return "estimate";
}

/** Counts the tokens of a piece of text. */
export function countTextTokens(text: string, tokenizer: TokenizerName): number {
  if (text.length === 0) return 0;
  return tokenizer === "cl100k_base" ? countCl100k(text) : countO200k(text);
}

// OpenAI's chat format wraps each message in a few special tokens and primes the reply
// with three more; the same framing is a fair estimate for other chat models.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;

/** Counts the prompt tokens of a conversation as a chat model would see it. */
export function countMessageTokens(messages: readonly ChatMessage[], tokenizer: TokenizerName): TokenCount {
  let tokens = REPLY_PRIMING_TOKENS;
  for (const m of messages) {
    tokens += TOKENS_PER_MESSAGE + countTextTokens(m.content, tokenizer);
    if (m.name) tokens += TOKENS_PER_NAME + countTextTokens(m.name, tokenizer);
    for (const call of m.toolCalls ?? []) {
      tokens += countTextTokens(call.name, tokenizer) + countTextTokens(call.argumentsJson, tokenizer);
    }
  }
  const estimated = tokenizer === "estimate";
  return { tokens, estimated, tokenizer: estimated ? "estimate:o200k_base" : tokenizer };
}

/** About four characters a token: free on the hot path, good enough for prices and limits. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4);
}
