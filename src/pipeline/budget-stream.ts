import type { CallContext } from "../core/call.js";
import { costOf, type Deployment, type ModelEntry } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { GatewayError } from "../core/errors.js";
import { countMessageTokens, countTextTokens, leadingTokens } from "../core/tokens.js";
import type { CacheStatus, ChatResult, ChatStreamEvent } from "../core/types.js";
import type { BudgetCap, Round, RoundStage } from "./stage.js";

/** What a stream is held to: the request's own max_cost_usd (less what its earlier rounds spent), or a budget's reservation. */
type Cap = { usd: number; request: true } | { usd: number; request: false; budget: BudgetCap };

/** Answers that cost this caller nothing: a cached answer, or another caller's run shared. */
const FREE: ReadonlySet<CacheStatus> = new Set(["hit_exact", "hit_semantic", "coalesced"]);

const usdText = (usd: number) => `$${usd.toFixed(6)}`;

/** What a round cut at its cap had cost and delivered, for the usage stage to record (see cutResultOf). */
const cutResults = new WeakMap<GatewayError, ChatResult>();

/** The partial result of a round that the cost cap cut: what was delivered and what it cost. */
export function cutResultOf(err: unknown): ChatResult | undefined {
  return err instanceof GatewayError ? cutResults.get(err) : undefined;
}

/**
 * Holds a round to what it may spend while its tokens arrive: the request's
 * max_cost_usd (over every round of a tool loop), and the budget stage's
 * reservation when that was held to what a level has left (round.budgetCap).
 * A call whose prompt alone passes the cap is refused before any upstream
 * call. Then the running cost (the prompt, counted once, and the output
 * counted delta by delta with the model's tokenizer, at the prices of the
 * deployment answering) is checked on each piece of text: of a piece that
 * would pass the cap only the tokens that fit are delivered; once no other
 * token fits the upstream is closed and the round ends with BUDGET_EXCEEDED
 * saying what was spent, which never passes the cap. A round that
 * finishes is billed on the provider's usage, as always.
 *
 * A caller that collects the answer is served from a stream below this stage,
 * so that a unary call stops at its cap too instead of paying for a whole
 * answer; a model that cannot stream is held only by the check up front.
 */
export function budgetStream(options: { clock: Clock }): RoundStage {
  const { clock } = options;
  /** What each call's earlier rounds (of a tool loop) spent. */
  const spentBefore = new WeakMap<CallContext, number>();

  return (next) => {
    async function* metered(round: Round, cap: Cap, earlier: number): AsyncGenerator<ChatStreamEvent> {
      const { model, call } = round;
      const promptTokens = (await countMessageTokens(round.request.messages, model.tokenizer)).tokens;
      const prompt = { inputTokens: promptTokens, outputTokens: 0 };
      const cheapest = Math.min(...model.deployments.map((d) => costOf(d, prompt)));
      if (cap.request && cheapest > cap.usd) {
        throw capError(
          cap,
          earlier,
          { spent: 0, chars: 0, promptTokens: 0, outputTokens: 0 },
          `its prompt alone costs ${usdText(cheapest)}`,
        );
      }
      const streamed = !round.upstream.unary;
      const events = next(streamed && round.buffered ? { ...round, buffered: false } : round);
      let answering: Deployment | undefined;
      let free = false;
      let outputTokens = 0;
      let text = "";
      let reasoning = "";
      for await (const e of events) {
        if (e.type === "cache") free = FREE.has(e.status);
        else if (e.type === "answering") answering = deploymentOf(model, e.provider);
        else if (e.type === "done") spentBefore.set(call, earlier + e.result.costUsd);
        if ((e.type !== "delta" && e.type !== "reasoning") || free || !streamed) {
          yield e;
          continue;
        }
        // Before a deployment says it answers (never, on the pipeline's own streams), the dearest's prices.
        const costAt = (output: number) => {
          const used = { inputTokens: promptTokens, outputTokens: output };
          return answering ? costOf(answering, used) : Math.max(...model.deployments.map((d) => costOf(d, used)));
        };
        const tokens = await countTextTokens(e.text, model.tokenizer);
        let piece: Extract<ChatStreamEvent, { type: "delta" | "reasoning" }> = e;
        if (costAt(outputTokens + tokens) > cap.usd) {
          // The piece would pass the cap: only the tokens that fit go out (they were generated either way,
          // but what is billed is what was delivered, and that stays within the cap).
          const perToken = costAt(outputTokens + 1) - costAt(outputTokens);
          const fit = perToken > 0 ? Math.floor((cap.usd - costAt(outputTokens)) / perToken + 1e-9) : 0;
          piece = { type: e.type, text: await leadingTokens(e.text, Math.min(fit, tokens), model.tokenizer) };
        }
        outputTokens += piece === e ? tokens : await countTextTokens(piece.text, model.tokenizer);
        if (piece.type === "delta") text += piece.text;
        else reasoning += piece.text;
        if (piece.text) yield piece;
        const spent = costAt(outputTokens);
        // Room for another token: go on. Otherwise stop here; leaving the loop closes the upstream.
        if (piece === e && costAt(outputTokens + 1) <= cap.usd) continue;
        const error = capError(cap, earlier, { spent, chars: text.length, promptTokens, outputTokens });
        const latencyMs = clock.monotonic() - call.receivedAt;
        cutResults.set(error, {
          id: call.requestId,
          message: { role: "assistant", content: text, ...(reasoning ? { reasoning } : {}) },
          finishReason: "length",
          usage: { inputTokens: promptTokens, outputTokens, estimated: true },
          costUsd: spent,
          provider: answering?.provider ?? model.provider,
          model: answering?.upstreamModel ?? model.upstreamModel,
          cacheStatus: "miss",
          latencyMs,
          gatewayOverheadMs: 0,
          attempts: [],
        });
        spentBefore.set(call, earlier + spent);
        throw error;
      }
    }

    return (round) => {
      const earlier = spentBefore.get(round.call) ?? 0;
      const cap = capOf(round, earlier);
      return cap ? metered(round, cap, earlier) : next(round);
    };
  };
}

/** The tighter of the request's cap (what its earlier rounds left of it) and the budget's. */
function capOf(round: Round, earlier: number): Cap | undefined {
  const max = round.request.maxCostUsd;
  const own: Cap | undefined = max === undefined ? undefined : { usd: Math.max(0, max - earlier), request: true };
  const budget: Cap | undefined = round.budgetCap && { usd: round.budgetCap.usd, request: false, budget: round.budgetCap };
  if (!own || !budget) return own ?? budget;
  return budget.usd < own.usd ? budget : own;
}

/** The deployment a provider answers for; of several on one provider, the dearest (which errs on the side of the cap). */
function deploymentOf(model: ModelEntry, provider: string): Deployment | undefined {
  const unit = { inputTokens: 1, outputTokens: 1 };
  return model.deployments
    .filter((d) => d.provider === provider)
    .reduce<Deployment | undefined>((a, b) => (a && costOf(a, unit) >= costOf(b, unit) ? a : b), undefined);
}

/** BUDGET_EXCEEDED for a cap reached: the request's own (not worth retrying) or a budget level's (retry when it resets). */
function capError(
  cap: Cap,
  earlier: number,
  at: { spent: number; chars: number; promptTokens: number; outputTokens: number },
  why?: string,
): GatewayError {
  const total = earlier + at.spent;
  const metadata: Record<string, string> = {
    spent_usd: at.spent.toFixed(9),
    call_spent_usd: total.toFixed(9),
    delivered_chars: String(at.chars),
    input_tokens: String(at.promptTokens),
    output_tokens: String(at.outputTokens),
  };
  const stopped = why ? `refused: ${why}` : `stopped after ${at.chars} characters, having spent ${usdText(total)}`;
  if (cap.request) {
    const max = cap.usd + earlier;
    return new GatewayError("BUDGET_EXCEEDED", `max_cost_usd: the call reached its cap of ${usdText(max)}; ${stopped}`, {
      metadata: { ...metadata, limit: "max_cost_usd", max_cost_usd: String(max) },
    });
  }
  const b = cap.budget;
  return new GatewayError(
    "BUDGET_EXCEEDED",
    `${b.level} "${b.id}" had ${usdText(b.usd)} left of its ${b.period} budget of ${usdText(b.capUsd)}; the answer ${stopped}`,
    {
      metadata: { ...metadata, level: b.level, period: b.period, budget_usd: b.capUsd.toFixed(6) },
      retryAfterMs: b.retryAfterMs,
    },
  );
}
