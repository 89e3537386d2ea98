import { costOf, type Deployment } from "../../core/catalog.js";
import { GatewayError } from "../../core/errors.js";
import type { ChatResult, Usage } from "../../core/types.js";
import type { ProviderUsage } from "../../providers/provider.js";

/**
 * What answers that were not passed on, or not whole, cost: an answer that did not conform to the response
 * format was generated, and paid for, all the same, and so was a stream's text up to a cut that another
 * attempt continued. A result that follows counts them in its usage and cost;
 * a call that fails says what it spent (metadata `spent_usd`), so that its budget settles to it.
 */
export class Wasted {
  private costUsd = 0;
  /** Some of it was counted by the gateway, not reported by the provider. */
  private estimated = false;
  private readonly usage: Omit<Usage, "estimated"> = { inputTokens: 0, outputTokens: 0 };

  /** An answer not passed on: its reported usage, or an estimate (the prompt's, and 4 characters a token). */
  add(d: Deployment, reported: ProviderUsage | undefined, promptTokens: number, text: string): void {
    if (!reported) this.estimated = true;
    this.addUsage(d, reported ?? { inputTokens: promptTokens, outputTokens: Math.ceil(text.length / 4) });
  }

  /**
   * What an attempt cut mid-stream used, as the gateway counted it: no provider reports usage
   * before a stream's end, yet the tokens sent before the cut were generated and are billed.
   */
  addCounted(d: Deployment, usage: ProviderUsage): void {
    this.estimated = true;
    this.addUsage(d, usage);
  }

  private addUsage(d: Deployment, usage: ProviderUsage): void {
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
    const usage: Usage = { ...result.usage, estimated: result.usage.estimated || this.estimated };
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
