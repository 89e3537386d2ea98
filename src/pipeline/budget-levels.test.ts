import { describe, expect, it } from "vitest";
import { manualClock } from "../../test/support/manual-clock.js";
import type { CallContext, CallKey, Tenant } from "../core/call.js";
import type { ModelEntry } from "../core/catalog.js";
import type { ChatStreamEvent } from "../core/types.js";
import { createBudgetAlerts } from "../usage/budget-alerts.js";
import { createMemoryUsageStore } from "../usage/memory-store.js";
import type { BudgetCrossing } from "../usage/store.js";
import { budget, levelsOf } from "./budget.js";
import type { Round } from "./stage.js";

const tenant: Tenant = {
  name: "acme",
  admin: false,
  allowedModels: undefined,
  limits: undefined,
  budget: { monthlyUsd: 100 },
  projects: new Map([
    ["search", { dailyUsd: 10 }],
    ["free", undefined],
  ]),
  userBudget: { dailyUsd: 1 },
};
const callOf = (t: Tenant | undefined, key?: CallKey): CallContext => ({
  signal: new AbortController().signal,
  requestId: "r",
  receivedAt: 0,
  tenant: t,
  key,
});

describe("levelsOf", () => {
  it("lists the capped levels outermost first: tenant, the key's project, the key, the end user", () => {
    const levels = levelsOf(callOf(tenant, { id: "k1", project: "search", budget: { dailyUsd: 5, monthlyUsd: 50 } }), "ann");
    expect(levels).toEqual([
      { level: "tenant", id: "acme", caps: { dailyMicros: undefined, monthlyMicros: 100_000_000 } },
      { level: "project", id: "search", caps: { dailyMicros: 10_000_000, monthlyMicros: undefined } },
      { level: "key", id: "k1", caps: { dailyMicros: 5_000_000, monthlyMicros: 50_000_000 } },
      { level: "user", id: "ann", caps: { dailyMicros: 1_000_000, monthlyMicros: undefined } },
    ]);
  });

  it.each([
    ["no tenant (an open gateway)", callOf(undefined), "ann", []],
    ["no key: the tenant and user", callOf(tenant), "ann", ["tenant", "user"]],
    ["no user", callOf(tenant, { id: "k1" }), "", ["tenant"]],
    ["a key of an uncapped project", callOf(tenant, { id: "k1", project: "free" }), "", ["tenant"]],
    ["a runtime key naming a project the tenant does not declare", callOf(tenant, { id: "k1", project: "other" }), "", ["tenant"]],
    [
      "an uncapped tenant, a capped key",
      callOf({ ...tenant, budget: undefined, userBudget: undefined }, { id: "k", budget: { dailyUsd: 1 } }),
      "u",
      ["key"],
    ],
  ] as const)("%s", (_name, call, user, expected) => {
    expect(levelsOf(call, user).map((l) => l.level)).toEqual(expected);
  });
});

describe("budget stage over the memory store", () => {
  // $1 a prompt token, nothing for output: a round of 0.4 prompt tokens reserves and costs $0.40.
  const prices = { inputPricePerMillion: 1e6, outputPricePerMillion: 0, cachedInputPricePerMillion: 0 };
  const model: ModelEntry = {
    name: "m",
    aliases: [],
    deployments: [
      {
        id: "p/m",
        provider: "p",
        providerKind: "openai",
        upstreamModel: "m",
        weight: 1,
        priority: 0,
        ...prices,
        cacheWritePricePerMillion: 0,
        cacheWrite1hPricePerMillion: 0,
      },
    ],
    provider: "p",
    providerKind: "openai",
    upstreamModel: "m",
    contextWindow: 1000,
    maxOutputTokens: 10,
    ...prices,
    cacheWritePricePerMillion: 0,
    cacheWrite1hPricePerMillion: 0,
    capabilities: { streaming: true, tools: false, vision: false, jsonMode: false, documents: false, audio: false, reasoning: false },
    tokenizer: "estimate",
    hedgeAfterMs: undefined,
  };
  const round = (user: string, key?: CallKey): Round => ({
    request: { model: "m", messages: [], user, metadata: {}, routing: { preferredProviders: [], excludedProviders: [] }, stop: [] },
    call: callOf(tenant, key),
    buffered: true,
    model,
    upstream: { messages: [], maxTokens: 10, stop: [] },
    promptTokens: 0.4,
  });
  const answer = (costUsd: number) =>
    async function* (): AsyncGenerator<ChatStreamEvent> {
      yield {
        type: "done",
        result: {
          id: "r",
          message: { role: "assistant", content: "hi" },
          finishReason: "stop",
          usage: { inputTokens: 1, outputTokens: 1, estimated: false },
          costUsd,
          provider: "p",
          model: "m",
          cacheStatus: "miss",
          latencyMs: 1,
          gatewayOverheadMs: 1,
          attempts: [],
        },
      };
    };

  it("refuses at the end user's cap, says so, and reports the user's crossings once", async () => {
    const usage = createMemoryUsageStore();
    const reported: BudgetCrossing[][] = [];
    const alerts = {
      ...createBudgetAlerts({ clock: manualClock() }),
      report: (_t: string, c: readonly BudgetCrossing[]) => void reported.push([...c]),
    };
    const stage = budget({ usage, clock: manualClock(Date.UTC(2026, 10, 29)), alerts })(answer(0.4));
    const drain = async (r: Round) => {
      for await (const _ of stage(r));
    };
    await drain(round("ann"));
    await drain(round("ann"));
    await expect(drain(round("ann"))).rejects.toMatchObject({
      reason: "BUDGET_EXCEEDED",
      message: expect.stringContaining('user "ann" of tenant "acme" has reached its daily budget of $1.00'),
      metadata: { level: "user", period: "daily", spent_usd: "0.800000", budget_usd: "1.000000" },
    });
    // Another user is still admitted.
    await drain(round("bob"));
    // Settling runs beside the answer: let it finish.
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.flat().map((c) => `${c.level} ${c.id} ${c.threshold}`)).toEqual(["user ann 50", "user ann 80"]);
  });
});
