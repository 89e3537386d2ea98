import { z } from "zod";

/**
 * keys: API keys made at run time through KeyService (src/keys/). They belong to
 * configured tenants; keys in auth.tenants keep working beside them.
 */
export const keysSchema = z
  .object({
    /** memory (one replica; lost on restart) or redis (shared by replicas; needs redis.url). */
    store: z.enum(["memory", "redis"]).default("memory"),
    /**
     * How long a replica trusts a key it looked up before asking the store again. Changes made on any replica
     * reach the others at once over Redis pub/sub; this bound holds even when a change message is lost.
     */
    cacheMs: z.number().int().min(0).max(1_000).default(1_000),
    /** Keys a replica keeps looked up at most (the oldest are dropped first). */
    cacheEntries: z.number().int().positive().default(100_000),
    /** The longest grace period RotateKey grants the old secret. */
    maxGraceSeconds: z
      .number()
      .int()
      .min(0)
      .default(7 * 86_400),
  })
  .strict()
  .prefault({});

export type KeysConfig = z.infer<typeof keysSchema>;
