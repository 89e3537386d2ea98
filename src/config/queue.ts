import { z } from "zod";

/**
 * queue: waiting instead of refusing (src/queue/). A call over its tenant's
 * rate limit, or finding every slot of a deployment's `maxConcurrent` taken,
 * waits its turn (weighted-fair across tenants) for as long as its deadline
 * allows, and is refused at once only when the wait would outlive it.
 */
export const queueSchema = z
  .object({
    /** Off: a call over a limit is refused at once with RATE_LIMITED and the retry delay. */
    enabled: z.boolean().default(true),
    /** The longest a call that set no deadline waits. */
    maxWaitMs: z.number().int().min(0).default(30_000),
    /** The most calls waiting in one line (one tenant's rate limit, one deployment's slots); past it, refused at once. */
    maxDepth: z.number().int().positive().default(1_000),
    /** Time a call still needs after its wait to be answered: it leaves the line at least this long before its deadline. */
    reserveMs: z.number().int().min(0).default(1_000),
    /** Each tenant's share while several wait (default 1): a tenant of weight 2 is served twice as often as one of weight 1. */
    weights: z.record(z.string(), z.number().positive()).default({}),
  })
  .strict()
  .prefault({});
