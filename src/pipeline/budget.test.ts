import { describe, expect, it } from "vitest";
import { manualClock } from "../../test/support/manual-clock.js";
import type { CallContext, Tenant } from "../core/call.js";
import type { Deployment, ModelEntry } from "../core/catalog.js";
import { GatewayError } from "../core/errors.js";
import type { ChatResult, ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import type { BudgetAdmission, BudgetLevel, UsageStore } from "../usage/store.js";
import { budget } from "./budget.js";
import type { Round, RoundHandler } from "./stage.js";

const deployment = (provider: string, input: number, output: number): Deployment => ({
  id: `${provider}/m`,
  provider,
  providerKind: "openai",
  upstreamModel: "m",
  weight: 1,
  priority: 0,
  inputPricePerMillion: input,
  outputPricePerMillion: output,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
});

const model: ModelEntry = {
  name: "m",
  aliases: [],
  // The dearest deployment sets the reservation: 1000 prompt tokens at $2/M and 500 output at $10/M = $0.007.
  deployments: [deployment("cheap", 1, 2), deployment("dear", 2, 10)],
  provider: "cheap",
  providerKind: "openai",
  upstreamModel: "m",
  contextWindow: 100_000,
  maxOutputTokens: 500,
  inputPricePerMillion: 1,
  outputPricePerMillion: 2,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  capabilities: { streaming: true, tools: false, vision: false, jsonMode: false, documents: false, audio: false, reasoning: false },
  tokenizer: "estimate",
  hedgeAfterMs: undefined,
};

const tenant = (b: Tenant["budget"]): Tenant => ({ name: "acme", admin: false, allowedModels: undefined, limits: undefined, budget: b });

const roundOf = (t?: Tenant): Round => {
  const call: CallContext = { signal: new AbortController().signal, requestId: "r", receivedAt: 0, tenant: t };
  return {
    request: {
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      user: "",
      metadata: {},
      routing: { preferredProviders: [], excludedProviders: [] },
      stop: [],
    },
    call,
    buffered: false,
    model,
    upstream: { messages: [], maxTokens: 500, stop: [] },
    promptTokens: 1000,
  };
};

const result = (costUsd: number): ChatResult => ({
  id: "r",
  message: { role: "assistant", content: "hi" },
  finishReason: "stop",
  usage: { inputTokens: 1, outputTokens: 1, estimated: false },
  costUsd,
  provider: "cheap",
  model: "m",
  cacheStatus: "miss",
  latencyMs: 1,
  gatewayOverheadMs: 1,
  attempts: [],
});

type Reserve = { tenant: string; day: string; month: string; micros: number; levels: readonly BudgetLevel[] };

/** A usage store whose reserve answers as scripted, recording reservations and settlements. */
function fakeStore(answer: "admit" | "throw" | "settle-fails" | Extract<BudgetAdmission, { admitted: false }>) {
  const reserves: Reserve[] = [];
  const settled: number[] = [];
  const store: UsageStore = {
    kind: "memory",
    add: async () => {},
    query: async () => [],
    spent: async () => ({ dayMicros: 0, monthMicros: 0 }),
    close: async () => {},
    async reserve(tenant, day, month, micros, levels) {
      reserves.push({ tenant, day, month, micros, levels });
      if (answer === "throw") throw new Error("redis down");
      if (typeof answer === "object") return answer;
      return {
        admitted: true,
        reservedMicros: micros,
        settle: async (n) => {
          settled.push(n);
          if (answer === "settle-fails") throw new Error("settle failed");
          return [];
        },
      };
    },
  };
  return { store, reserves, settled };
}

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const inner = (events: ChatStreamEvent[], error?: GatewayError): RoundHandler =>
  async function* () {
    yield* events;
    if (error) throw error;
  };

// 2026-02-10 18:00 UTC: six hours to the next day, 18 days and six hours to March.
const NOW = Date.UTC(2026, 1, 10, 18, 0, 0);
const HOUR = 3_600_000;

describe("budget", () => {
  it("passes through when the tenant has no caps", () => {
    const { store, reserves } = fakeStore("admit");
    const stage = budget({ usage: store, clock: manualClock(NOW) });
    const stream = inner([])(roundOf());
    expect(stage(() => stream)(roundOf())).toBe(stream);
    expect(stage(() => stream)(roundOf(tenant(undefined)))).toBe(stream);
    expect(stage(() => stream)(roundOf(tenant({})))).toBe(stream);
    expect(reserves).toHaveLength(0);
  });

  it("reserves the most the round can cost at the dearest deployment, against the caps in micro-USD", async () => {
    const { store, reserves } = fakeStore("admit");
    await drain(budget({ usage: store, clock: manualClock(NOW) })(inner([]))(roundOf(tenant({ dailyUsd: 5, monthlyUsd: 100 }))));
    expect(reserves).toEqual([
      {
        tenant: "acme",
        day: "2026-02-10",
        month: "2026-02",
        micros: 7000,
        levels: [{ level: "tenant", id: "acme", caps: { dailyMicros: 5_000_000, monthlyMicros: 100_000_000 } }],
      },
    ]);
  });

  it.each([
    ["daily", 6 * HOUR],
    ["monthly", 18 * 24 * HOUR + 6 * HOUR],
  ] as const)("refuses with BUDGET_EXCEEDED when the %s cap would be passed, retrying at the next UTC period", async (period, wait) => {
    const { store } = fakeStore({ admitted: false, level: "tenant", id: "acme", period, spentMicros: 4_999_000, capMicros: 5_000_000 });
    const refused: string[] = [];
    let called = false;
    const next: RoundHandler = (round) => {
      called = true;
      return inner([])(round);
    };
    const stage = budget({ usage: store, clock: manualClock(NOW), onRefused: (l) => refused.push(l) })(next);
    const err = await drain(stage(roundOf(tenant({ dailyUsd: 5 })))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({
      reason: "BUDGET_EXCEEDED",
      retryAfterMs: wait,
      metadata: { level: "tenant", period, spent_usd: "4.999000", budget_usd: "5.000000" },
    });
    expect(refused).toEqual([`budget_${period}`]);
    expect(called).toBe(false);
  });

  it("refuses with LIMITER_UNAVAILABLE when the store cannot answer", async () => {
    const { store } = fakeStore("throw");
    const err = await drain(budget({ usage: store, clock: manualClock(NOW) })(inner([]))(roundOf(tenant({ monthlyUsd: 1 })))).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ reason: "LIMITER_UNAVAILABLE", retryAfterMs: 1000 });
    expect((err as Error).cause).toEqual(new Error("redis down"));
  });

  const run = (store: UsageStore, events: ChatStreamEvent[], error?: GatewayError, logger?: Logger) =>
    drain(budget({ usage: store, clock: manualClock(NOW), logger })(inner(events, error))(roundOf(tenant({ dailyUsd: 5 }))));

  it("settles to the done cost in micro-USD", async () => {
    const { store, settled } = fakeStore("admit");
    const events: ChatStreamEvent[] = [
      { type: "delta", text: "hi" },
      { type: "done", result: result(0.0123456) },
    ];
    expect(await run(store, events)).toEqual(events);
    expect(settled).toEqual([12_346]);
  });

  it("settles to 0 when the round failed before any text", async () => {
    const { store, settled } = fakeStore("admit");
    await expect(run(store, [{ type: "cache", status: "miss" }], new GatewayError("UPSTREAM_UNAVAILABLE", "down"))).rejects.toThrow("down");
    expect(settled).toEqual([0]);
  });

  it("settles a failed round to what its unusable answers cost, when it says", async () => {
    const { store, settled } = fakeStore("admit");
    const error = new GatewayError("INVALID_OUTPUT", "no answer conformed", { metadata: { spent_usd: "0.002500000" } });
    await expect(run(store, [{ type: "delta", text: "{" }], error)).rejects.toThrow("no answer conformed");
    expect(settled).toEqual([2_500]);
  });

  it("counts streamed reasoning as delivered: a round cut after it keeps its reservation", async () => {
    const { store, settled } = fakeStore("admit");
    await expect(run(store, [{ type: "reasoning", text: "hmm" }], new GatewayError("STREAM_INTERRUPTED", "cut"))).rejects.toThrow("cut");
    expect(settled).toEqual([7000]);
  });

  it("settles a round cut after text to its own reservation: the reservation stands", async () => {
    const { store, settled } = fakeStore("admit");
    await expect(run(store, [{ type: "delta", text: "par" }], new GatewayError("STREAM_INTERRUPTED", "cut"))).rejects.toThrow("cut");
    expect(settled).toEqual([7000]);
  });

  it("logs a settle that fails instead of failing the answer", async () => {
    const { store, settled } = fakeStore("settle-fails");
    let warned!: (message: string) => void;
    const warning = new Promise<string>((resolve) => (warned = resolve));
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warned(m), error() {} };
    const events: ChatStreamEvent[] = [{ type: "done", result: result(0.5) }];
    expect(await run(store, events, undefined, logger)).toEqual(events);
    expect(settled).toEqual([500_000]);
    expect(await warning).toContain("budget not settled");
  });
});
