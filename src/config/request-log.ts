import { z } from "zod";

/**
 * requestLog: every completion's and embedding's metadata, kept for AdminService.ListRequests
 * (docs/operations.md "Request log"). Prompts and answers go in only when log.prompts is on.
 */
export const requestLogSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** memory: a ring in this replica; redis: one stream shared by every replica (needs redis.url). */
    store: z.enum(["memory", "redis"]).default("memory"),
    retention: z
      .object({
        /** The most entries kept: older ones are evicted (and never returned). */
        maxEntries: z.number().int().positive().default(100_000),
        /** Entries older than this are evicted (and never returned). */
        maxAgeHours: z.number().positive().default(168),
      })
      .strict()
      .prefault({}),
    /** The memory ring's bound on the JSON size of what it holds, besides maxEntries. */
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),
    /** Entries waiting to be written; past this they are dropped and counted (llmgw_request_log_dropped_total). */
    maxPending: z.number().int().positive().default(10_000),
    /** With log.prompts on: the most characters of a call's prompt, and of its answer, kept with its entry. */
    maxContentChars: z.number().int().positive().default(8_192),
  })
  .strict()
  .prefault({});

export type RequestLogSettings = z.infer<typeof requestLogSchema>;
