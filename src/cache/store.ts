import type { ChatResult } from "../core/types.js";

/**
 * An answer as the cache keeps it: enough to rebuild a response without the
 * upstream. `costUsd` is what the original call cost, so what a hit saves.
 */
export type CachedAnswer = Pick<
  ChatResult,
  "message" | "finishReason" | "usage" | "costUsd" | "provider" | "model" | "logprobs" | "stopSequence"
> & {
  /** Wall-clock milliseconds when it was stored. */
  storedAt: number;
};

/** The part of a result the cache keeps. */
export function cachedAnswerOf(result: ChatResult, storedAt: number): CachedAnswer {
  const { message, finishReason, usage, costUsd, provider, model, logprobs } = result;
  const answer: CachedAnswer = { message, finishReason, usage, costUsd, provider, model, storedAt };
  // Asked for, they are part of the answer (the cache key includes the request's logprobs).
  if (logprobs) answer.logprobs = logprobs;
  if (result.stopSequence) answer.stopSequence = result.stopSequence;
  return answer;
}

export interface CacheSize {
  entries: number;
  bytes: number;
}

/**
 * Where exact answers live, keyed by tenant and request hash. Memory is the
 * embedded default; Redis is what replicas share. Both pass the same contract
 * test (test/cache/store-contract.test.ts). A store may throw when its backend
 * is down: the cache above it turns that into a miss. What it holds is a completion's answer, or
 * (a store of its own) an embedding call's vectors.
 */
export interface CacheStore<V extends object = CachedAnswer> {
  readonly kind: "memory" | "redis";
  get(tenant: string, hash: string): Promise<V | undefined>;
  set(tenant: string, hash: string, answer: V, ttlMs: number): Promise<void>;
  /** Removes every entry, or one tenant's; returns how many went. */
  clear(tenant?: string): Promise<number>;
  /** Entries and payload bytes held, overall or for one tenant. */
  size(tenant?: string): Promise<CacheSize>;
  close(): Promise<void>;
}
