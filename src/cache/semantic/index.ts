/** A cached query the semantic index matched. */
export interface SemanticMatch {
  /** The exact-cache key of the matched query's answer. */
  key: string;
  query: string;
  similarity: number;
  /** Wall-clock milliseconds after which the entry is gone. */
  expiresAt?: number;
}

/**
 * Finds a cached query that means the same as a new one, within one tenant
 * and scope (model, system prompt, earlier turns, parameters). A match needs
 * the similarity threshold and the near-miss guard both.
 */
export interface SemanticIndex {
  /** `context`: the scope's system prompt and earlier turns, which the guard may read a pronoun against. */
  find(
    tenant: string,
    scope: string,
    query: string,
    context?: readonly { role: string; content: string }[],
  ): Promise<SemanticMatch | undefined>;
  add(tenant: string, scope: string, query: string, key: string, ttlMs: number): Promise<void>;
  /** Drops one entry whose answer is gone. */
  forget(tenant: string, scope: string, key: string): void;
  clear(tenant?: string): Promise<void>;
  size(tenant?: string): number;
  /** Loads models at start-up rather than on the first request. */
  warm(): Promise<void>;
  close(): Promise<void>;
}
