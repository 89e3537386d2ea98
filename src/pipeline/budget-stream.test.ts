import { describe, expect, it } from "vitest";
import { manualClock } from "../../test/support/manual-clock.js";
import type { CallContext } from "../core/call.js";
import type { Deployment, ModelEntry } from "../core/catalog.js";
import { isGatewayError, type GatewayError } from "../core/errors.js";
import { countTextTokens } from "../core/tokens.js";
import type { CacheStatus, ChatResult, ChatStreamEvent } from "../core/types.js";
import { budgetStream, cutResultOf } from "./budget-stream.js";
import type { BudgetCap, Round, RoundHandler } from "./stage.js";

const deployment = (provider: string, input: number, output: number): Deployment => ({
  id: `${provider}/m`,
  provider,
  providerKind: "openai",
  upstreamModel: `${provider}-m`,
  weight: 1,
  priority: 0,
  inputPricePerMillion: input,
  outputPricePerMillion: output,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
});

// Output at $1,000 per million tokens, so that a few words cost cents; the prompt is free unless a test prices it.
const modelWith = (deployments: Deployment[]): ModelEntry => ({
  name: "m",
  aliases: [],
  deployments,
  provider: deployments[0]!.provider,
  providerKind: "openai",
  upstreamModel: "m",
  contextWindow: 100_000,
  maxOutputTokens: 500,
  inputPricePerMillion: 0,
  outputPricePerMillion: 1000,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  capabilities: { streaming: true, tools: false, vision: false, jsonMode: false, documents: false, audio: false, reasoning: false },
  tokenizer: "o200k_base",
  hedgeAfterMs: undefined,
});
const model = modelWith([deployment("cheap", 0, 1000), deployment("dear", 0, 4000)]);

const PIECE = " hello world again and";
const tokensPerPiece = await countTextTokens(PIECE, "o200k_base");
const perToken = 1000 / 1e6;
const perPiece = tokensPerPiece * perToken;

const callOf = (): CallContext => ({ signal: new AbortController().signal, requestId: "r", receivedAt: 0 });

const roundOf = (over: { maxCostUsd?: number; budgetCap?: BudgetCap; buffered?: boolean; call?: CallContext } = {}): Round => ({
  request: {
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    user: "",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
    stop: [],
    ...(over.maxCostUsd === undefined ? {} : { maxCostUsd: over.maxCostUsd }),
  },
  call: over.call ?? callOf(),
  buffered: over.buffered ?? false,
  model,
  upstream: { messages: [], maxTokens: 500, stop: [] },
  promptTokens: 10,
  budgetCap: over.budgetCap,
});

const result = (costUsd: number, text: string): ChatResult => ({
  id: "r",
  message: { role: "assistant", content: text },
  finishReason: "stop",
  usage: { inputTokens: 1, outputTokens: 1, estimated: false },
  costUsd,
  provider: "cheap",
  model: "cheap-m",
  cacheStatus: "miss",
  latencyMs: 1,
  gatewayOverheadMs: 1,
  attempts: [],
});

/** An upstream writing `pieces` deltas, recording how far it was read and whether it was closed. */
function upstream(pieces: number, opts: { provider?: string; status?: CacheStatus; cost?: number } = {}) {
  const seen = { rounds: [] as Round[], pulled: 0, closed: false };
  const handler: RoundHandler = async function* (round) {
    seen.rounds.push(round);
    try {
      yield { type: "cache", status: opts.status ?? "miss" };
      yield { type: "answering", provider: opts.provider ?? "cheap" };
      for (let i = 0; i < pieces; i++) {
        seen.pulled++;
        yield { type: "delta", text: PIECE };
      }
      yield { type: "done", result: result(opts.cost ?? pieces * perPiece, PIECE.repeat(pieces)) };
    } finally {
      seen.closed = true;
    }
  };
  return { handler, seen };
}

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<{ text: string; done: boolean; error?: GatewayError }> {
  let text = "";
  let done = false;
  try {
    for await (const e of events) {
      if (e.type === "delta") text += e.text;
      if (e.type === "done") done = true;
    }
  } catch (err) {
    if (!isGatewayError(err)) throw err;
    return { text, done, error: err };
  }
  return { text, done };
}

describe("budgetStream", () => {
  const stage = () => budgetStream({ clock: manualClock() });

  it("stops a stream at its max_cost_usd: of the piece that would pass it, only the tokens that fit, then the upstream is closed", async () => {
    expect(tokensPerPiece).toBe(4);
    const { handler, seen } = upstream(20);
    // Three pieces and two tokens: " hello world" of the fourth.
    const out = await drain(stage()(handler)(roundOf({ maxCostUsd: 14 * perToken })));
    expect(out.text).toBe(`${PIECE.repeat(3)} hello world`);
    expect(out.done).toBe(false);
    expect(seen.pulled).toBe(4);
    expect(seen.closed).toBe(true);
    expect(out.error?.reason).toBe("BUDGET_EXCEEDED");
    expect(out.error?.retryAfterMs).toBeUndefined();
    expect(out.error?.metadata).toMatchObject({ limit: "max_cost_usd", delivered_chars: String(out.text.length), output_tokens: "14" });
    expect(Number(out.error?.metadata["spent_usd"])).toBeCloseTo(14 * perToken, 9);
    // What the usage stage records: the delivered text, its counted tokens, at the answering deployment's prices.
    const cut = cutResultOf(out.error);
    expect(cut).toMatchObject({ message: { content: out.text }, provider: "cheap", model: "cheap-m", finishReason: "length" });
    expect(cut?.usage).toMatchObject({ outputTokens: 14, estimated: true });
  });

  it("stops right after a piece that spends the cap exactly, without reading another", async () => {
    const { handler, seen } = upstream(20);
    const out = await drain(stage()(handler)(roundOf({ maxCostUsd: 2 * perPiece })));
    expect(out.text).toBe(PIECE.repeat(2));
    expect(seen.pulled).toBe(2);
    expect(Number(out.error?.metadata["spent_usd"])).toBeCloseTo(2 * perPiece, 9);
  });

  it("prices the output at the deployment that answers", async () => {
    const { handler } = upstream(20, { provider: "dear" });
    const out = await drain(stage()(handler)(roundOf({ maxCostUsd: 3.5 * perPiece })));
    // Four times the price: 3.5 pieces at the cheap price buy 3.5 tokens at the dear one, so three.
    expect(out.text).toBe(" hello world again");
    expect(cutResultOf(out.error)?.costUsd).toBeCloseTo(12 * perToken, 9);
  });

  it("lets an answer under its cap through whole, billed on the provider's usage", async () => {
    const { handler } = upstream(3, { cost: 0.001 });
    const out = await drain(stage()(handler)(roundOf({ maxCostUsd: 10 * perPiece })));
    expect(out).toEqual({ text: PIECE.repeat(3), done: true });
  });

  it("refuses up front, with no upstream call, a call whose prompt alone costs more than its cap", async () => {
    const pricey = modelWith([deployment("a", 1_000_000, 1), deployment("b", 2_000_000, 1)]);
    const { handler, seen } = upstream(3);
    const out = await drain(stage()(handler)({ ...roundOf({ maxCostUsd: 0.5 }), model: pricey }));
    expect(seen.rounds).toHaveLength(0);
    expect(out.error?.message).toMatch(/max_cost_usd: .*refused: its prompt alone costs \$\d+\.\d+/);
  });

  it("serves a caller that collects from a stream below, so that a unary call stops at its cap too", async () => {
    const { handler, seen } = upstream(20);
    const out = await drain(stage()(handler)(roundOf({ maxCostUsd: 1.5 * perPiece, buffered: true })));
    expect(seen.rounds[0]?.buffered).toBe(false);
    expect(seen.pulled).toBe(2);
    expect(out.text).toBe(`${PIECE} hello world`);
    expect(out.error?.reason).toBe("BUDGET_EXCEEDED");
  });

  it("does not count an answer that costs this caller nothing (a cache hit, a shared run)", async () => {
    const { handler } = upstream(20, { status: "hit_exact", cost: 0 });
    const out = await drain(stage()(handler)(roundOf({ maxCostUsd: perPiece / 2 })));
    expect(out.done).toBe(true);
  });

  it("counts the rounds of a tool loop together against the request's cap", async () => {
    const s = stage();
    const call = callOf();
    const first = upstream(2);
    expect((await drain(s(first.handler)(roundOf({ maxCostUsd: 3.5 * perPiece, call })))).done).toBe(true);
    const second = upstream(20);
    const out = await drain(s(second.handler)(roundOf({ maxCostUsd: 3.5 * perPiece, call })));
    // Two pieces were spent in the first round: one and a half are left for the second.
    expect(out.text).toBe(`${PIECE} hello world`);
    expect(Number(out.error?.metadata["call_spent_usd"])).toBeCloseTo(3.5 * perPiece, 9);
    expect(out.error?.message).toContain(`cap of $${(3.5 * perPiece).toFixed(6)}`);
  });

  it("stops at a budget level's reservation, naming the level and when it resets", async () => {
    const budgetCap: BudgetCap = { usd: 2.5 * perPiece, level: "key", id: "k1", period: "daily", capUsd: 1, retryAfterMs: 3_600_000 };
    const { handler } = upstream(20);
    const out = await drain(stage()(handler)(roundOf({ budgetCap, maxCostUsd: 100 })));
    expect(out.text).toBe(`${PIECE.repeat(2)} hello world`);
    expect(out.error).toMatchObject({ reason: "BUDGET_EXCEEDED", retryAfterMs: 3_600_000 });
    expect(out.error?.metadata).toMatchObject({ level: "key", period: "daily", budget_usd: "1.000000" });
    expect(out.error?.message).toMatch(/^key "k1" had \$\d\.\d{6} left of its daily budget of \$1\.000000; the answer stopped after/);
  });

  it("passes a round with no cap straight through", async () => {
    const { handler, seen } = upstream(3);
    const out = await drain(stage()(handler)(roundOf({ buffered: true })));
    expect(out.done).toBe(true);
    expect(seen.rounds[0]?.buffered).toBe(true);
  });
});
