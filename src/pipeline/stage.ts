import type { CallContext } from "../core/call.js";
import type { ModelEntry } from "../core/catalog.js";
import type { ChatRequest, ChatStreamEvent } from "../core/types.js";
import type { ProviderRequest } from "../providers/provider.js";
import type { ToolPlan } from "../tools/loop.js";
import type { BudgetLevelName, BudgetPeriod } from "../usage/store.js";

/**
 * The shape of the pipeline, in the manner of connect-es interceptors: a
 * stage takes the handler after it and returns a handler. A handler answers
 * with a stream of events (one "cache" event, text deltas, exactly one
 * "done"); a unary call is the same stream, collected at the edge. A stage
 * may answer by itself (a cache hit, a refusal) and settles whatever it
 * reserved in its own `finally`, so that stages settle in reverse order
 * whatever happened after them.
 */

/** What the caller asked, as the per-call stages (sessions, tools) see it. */
export interface Ask {
  request: ChatRequest;
  call: CallContext;
  /**
   * The caller collects the whole answer (a unary call): nothing reaches it
   * before the end, so an attempt may fail mid-way and another take over.
   */
  buffered: boolean;
  /** The request's tools, resolved once by the tool stage. */
  tools?: ToolPlan | undefined;
  /**
   * The answer's text a caller already has from a generation that stopped (its replica died): the
   * attempts continue it rather than start over (src/durable/, docs/resilience.md "Resuming a stream").
   */
  continueFrom?: string | undefined;
}

/** What a provider is sent, but for the model's name at that provider. */
export type UpstreamParams = Omit<ProviderRequest, "model">;

/** One model round, admitted: the model it resolved to and what the providers will be sent. */
export interface Round extends Ask {
  model: ModelEntry;
  upstream: UpstreamParams;
  /** The prompt's token estimate, made once. */
  promptTokens: number;
  /** Set by the budget stage when its reservation was held to what a level has left: the round stops there. */
  budgetCap?: BudgetCap | undefined;
}

/** The most a round may spend under a budget level nearly spent, and whose cap that is. */
export interface BudgetCap {
  /** What the round reserved, in USD: what the level had left. */
  usd: number;
  level: BudgetLevelName;
  id: string;
  period: BudgetPeriod;
  capUsd: number;
  /** Until the period resets. */
  retryAfterMs: number;
}

export type AskHandler = (ask: Ask) => AsyncIterable<ChatStreamEvent>;
export type RoundHandler = (round: Round) => AsyncIterable<ChatStreamEvent>;
export type AskStage = (next: AskHandler) => AskHandler;
export type RoundStage = (next: RoundHandler) => RoundHandler;

/** Composes stages, outermost first, around the innermost handler. */
export function compose<H>(stages: readonly ((next: H) => H)[], inner: H): H {
  return stages.reduceRight((next, stage) => stage(next), inner);
}
