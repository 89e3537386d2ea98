import { costOf, type Deployment } from "../../core/catalog.js";
import { GatewayError } from "../../core/errors.js";
import type { ChatResult, Usage } from "../../core/types.js";
import type { ProviderUsage } from "../../providers/provider.js";

/**
 * What answers that were not passed on cost: an answer that did not conform to the response format
 * was generated, and paid for, all the same. A result that follows counts them in its usage and cost;
 * a call that fails says what it spent (metadata `spent_usd`), so that its budget settles to it.
 */
export class Wasted {
  private costUsd = 0;
  private readonly usage: Omit<Usage, "estimated"> = { inputTokens: 0, outputTokens: 0 };

  /** An answer not passed on: its reported usage, or an estimate (the prompt's, and 4 characters a token). */
  add(d: Deployment, reported: ProviderUsage | undefined, promptTokens: number, text: string): void {
    const usage = reported ?? { inputTokens: promptTokens, outputTokens: Math.ceil(text.length / 4) };
    this.costUsd += costOf(d, usage);
    this.usage.inputTokens += usage.inputTokens;
    this.usage.outputTokens += usage.outputTokens;
    for (const k of ["cachedInputTokens", "cacheWriteTokens", "cacheWrite1hTokens", "reasoningTokens"] as const) {
      if (usage[k]) this.usage[k] = (this.usage[k] ?? 0) + usage[k];
    }
  }

  /** The result with what was wasted before it added to its usage and cost. */
  charge(result: ChatResult): ChatResult {
    if (this.costUsd === 0 && this.usage.inputTokens === 0) return result;
    const usage: Usage = { ...result.usage };
    usage.inputTokens += this.usage.inputTokens;
    usage.outputTokens += this.usage.outputTokens;
    for (const k of ["cachedInputTokens", "cacheWriteTokens", "cacheWrite1hTokens", "reasoningTokens"] as const) {
      if (this.usage[k]) usage[k] = (usage[k] ?? 0) + this.usage[k];
    }
    return { ...result, usage, costUsd: result.costUsd + this.costUsd };
  }

  /** The call's error, saying what its answers cost. */
  tag(error: unknown): unknown {
    if (this.costUsd === 0 || !(error instanceof GatewayError)) return error;
    return new GatewayError(error.reason, error.message, {
      metadata: { ...error.metadata, spent_usd: this.costUsd.toFixed(9) },
      cause: error.cause ?? error,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    });
  }
}
