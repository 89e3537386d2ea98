import { z } from "zod";

/**
 * durable: resumable streams and idempotency keys (src/durable/, docs/resilience.md "Resuming a
 * stream" and "Idempotency keys"). Resumable streams are opt-in: with them on, a caller that goes away
 * no longer cancels its generation at once (it runs on for the grace period), and every stream's
 * events are written to the store. Idempotency keys are honoured whenever a call carries one.
 */
export const durableSchema = z
  .object({
    /** Where calls' journals and idempotency keys live: memory (one replica) or redis (any replica resumes; needs redis.url). */
    store: z.enum(["memory", "redis"]).default("memory"),
    /** Every stream carries a resume token and survives its caller's connection (and, on redis, its replica). */
    resumableStreams: z.boolean().default(false),
    /** A stream nobody reads is aborted upstream after this long. */
    graceMs: z.number().int().min(0).default(30_000),
    /** A replica's hold on a stream it generates; another replica takes over once it lapses unrenewed. */
    leaseMs: z.number().int().min(30).default(5_000),
    /**
     * Redis store: writes are at most this far apart; the events that come in between go in one write
     * (the first event of a stream is written at once). 0 writes each event as soon as the last write
     * is done. The memory store writes every event at once. Measured in docs/resilience.md.
     */
    flushMs: z.number().int().min(0).default(50),
    /** How long a stream's journal is kept after its last event, for late re-attachers. */
    retentionMs: z.number().int().min(1_000).default(600_000),
    /** How long an idempotency key, and the call it names, are kept. */
    idempotencyRetentionMs: z.number().int().min(1_000).default(86_400_000),
  })
  .strict()
  .prefault({});
