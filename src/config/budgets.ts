import { z } from "zod";

/** Daily and monthly caps in USD, as tenants, projects, keys and users have them. */
export const budgetCapsSchema = z
  .object({ dailyUsd: z.number().positive().optional(), monthlyUsd: z.number().positive().optional() })
  .strict();

/** The budgets section: where crossings of 50, 80 and 100 % of a cap are reported beyond the log and metrics. */
export const budgetsSchema = z
  .object({
    alerts: z
      .object({
        /** POSTed a JSON body per crossing; retried with backoff, never in a call's way. */
        webhook: z
          .object({
            url: z.url(),
            /** Header values: text, or { env: NAME } read at start-up. */
            headers: z.record(z.string(), z.union([z.string(), z.object({ env: z.string().min(1) }).strict()])).default({}),
            /** Tries per crossing (the first and the retries). */
            attempts: z.number().int().min(1).max(10).default(4),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type BudgetsConfig = z.infer<typeof budgetsSchema>;
