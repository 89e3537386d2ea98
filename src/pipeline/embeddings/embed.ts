import type { EmbeddingCache } from "../../cache/embedding-cache.js";
import type { Flights } from "../../cache/flights.js";
import type { CallContext } from "../../core/call.js";
import type { Catalog, ModelEntry } from "../../core/catalog.js";
import type { Clock } from "../../core/clock.js";
import type { EmbedRequest, EmbedResult } from "../../core/embeddings.js";
import type { LimitSettings, RateLimiter } from "../../limits/limiter.js";
import type { Logger } from "../../log.js";
import type { UsageStore } from "../../usage/store.js";
import type { AttemptsDeps } from "../attempts/attempts.js";
import { compose } from "../stage.js";
import { embedAdmission, embedBudget, embedLimits } from "./admission.js";
import { createEmbedAttempts } from "./attempts.js";
import { embedCache } from "./cache.js";
import { embedUsage } from "./usage.js";
import type { BudgetAlerts } from "../../usage/budget-alerts.js";

/** What the embedding pipeline is built from: the completions' components, and the embedding cache. */
export interface EmbedPipelineOptions extends AttemptsDeps {
  catalog: Catalog;
  limiter: RateLimiter;
  limits: LimitSettings;
  usage: UsageStore;
  budgetAlerts?: BudgetAlerts | undefined;
  /** Absent: every call says its cache status is "disabled". */
  embeddingCache?: EmbeddingCache | undefined;
  /** Identical calls in flight at once share one upstream call; absent turns that off. */
  flights?: Flights | undefined;
  logger?: Logger | undefined;
  onEmbedded?: ((model: ModelEntry, result: EmbedResult, call: CallContext) => void) | undefined;
  onRefused?: ((limit: string) => void) | undefined;
  clock: Clock;
}

/**
 * An embedding call's path, outermost first, as a completion's: admission (an embedding model the
 * tenant may use, the request checked), rate limits (input tokens), budget, usage, the exact
 * cache, then the attempts against the providers.
 */
export function createEmbedPipeline(options: EmbedPipelineOptions): (request: EmbedRequest, call: CallContext) => Promise<EmbedResult> {
  const { clock } = options;
  const round = compose(
    [
      embedLimits({ limiter: options.limiter, limits: options.limits, onRefused: options.onRefused }),
      embedBudget({ usage: options.usage, clock, logger: options.logger, alerts: options.budgetAlerts, onRefused: options.onRefused }),
      embedUsage({ usage: options.usage, clock, logger: options.logger, onEmbedded: options.onEmbedded }),
      embedCache({ cache: options.embeddingCache, flights: options.flights, clock }),
    ],
    createEmbedAttempts(options),
  );
  return embedAdmission(options.catalog)(round);
}
