import { z } from "zod";

/**
 * models[i].continueStreams: when a deployment fails after a stream's first text, continue the answer on
 * another deployment (or the same, retried) instead of ending with STREAM_INTERRUPTED. On by default;
 * off for a model whose answers must come from one generation whole (docs/resilience.md
 * "Continuing a cut stream").
 */
export const continueStreamsSchema = z.boolean().default(true);
