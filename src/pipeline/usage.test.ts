import { describe, expect, it } from "vitest";
import { cacheTestModel } from "../../test/support/cache-fixtures.js";
import { manualClock } from "../../test/support/manual-clock.js";
import type { CallContext, CallReport, Tenant } from "../core/call.js";
import type { ModelEntry } from "../core/catalog.js";
import type { ChatRequest, ChatResult, ChatStreamEvent } from "../core/types.js";
import type { Logger } from "../log.js";
import type { UsageEntry, UsageStore } from "../usage/store.js";
import type { Round, RoundHandler } from "./stage.js";
import { usage } from "./usage.js";

const model = cacheTestModel;

const acme: Tenant = { name: "acme", admin: false, allowedModels: undefined, limits: undefined, budget: undefined };

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "hi" }],
  user: "bob",
  metadata: {},
  routing: { preferredProviders: [], excludedProviders: [] },
  stop: [],
  ...over,
});

const callOf = (report?: CallReport): CallContext => ({
  signal: new AbortController().signal,
  requestId: "r",
  receivedAt: 0,
  tenant: acme,
  report,
});

const roundOf = (call: CallContext, req = request()): Round => ({
  request: req,
  call,
  buffered: false,
  model,
  upstream: { messages: [], maxTokens: 500, stop: [] },
  promptTokens: 1,
});

const result = (over: Partial<ChatResult> = {}): ChatResult => ({
  id: "r",
  message: { role: "assistant", content: "hello" },
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 20, estimated: false },
  costUsd: 0.0015,
  provider: "p1",
  model: "m-up-2026",
  cacheStatus: "miss",
  latencyMs: 3,
  gatewayOverheadMs: 1,
  attempts: [],
  ...over,
});

function fakeStore(fails = false) {
  const added: UsageEntry[] = [];
  const store: UsageStore = {
    kind: "memory",
    async add(entry) {
      added.push(entry);
      if (fails) throw new Error("disk full");
    },
    query: async () => [],
    reserve: async () => ({ admitted: true, reservedMicros: 0, settle: async () => [] }),
    spent: async () => ({ dayMicros: 0, monthMicros: 0 }),
    close: async () => {},
  };
  return { store, added };
}

const answering = (r: ChatResult): RoundHandler =>
  async function* () {
    yield { type: "cache", status: r.cacheStatus };
    yield { type: "delta", text: r.message.content };
    yield { type: "done", result: r };
  };

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

// 2026-03-04 in UTC.
const NOW = Date.UTC(2026, 2, 4, 12);

describe("usage", () => {
  it("adds the round's usage to its day, and tells onCompleted, once the round is done", async () => {
    const { store, added } = fakeStore();
    const completed: [ModelEntry, ChatResult, CallContext][] = [];
    const call = callOf();
    const r = result();
    const stage = usage({ usage: store, clock: manualClock(NOW), onCompleted: (...args) => completed.push(args) });
    const events = await drain(stage(answering(r))(roundOf(call)));
    expect(events.map((e) => e.type)).toEqual(["cache", "delta", "done"]);
    expect(added).toEqual([
      {
        tenant: "acme",
        user: "bob",
        model: "m",
        day: "2026-03-04",
        requests: 1,
        inputTokens: 10,
        outputTokens: 20,
        costMicros: 1500,
        savedTokens: 0,
        savedMicros: 0,
      },
    ]);
    expect(completed).toEqual([[model, r, call]]);
  });

  it("adds nothing for a round that ended without a result", async () => {
    const { store, added } = fakeStore();
    const next: RoundHandler = async function* () {
      yield { type: "delta", text: "part" };
    };
    await drain(usage({ usage: store, clock: manualClock(NOW) })(next)(roundOf(callOf())));
    expect(added).toEqual([]);
  });

  it("counts a cache-served round as saved tokens and cost, not spent ones", async () => {
    const { store, added } = fakeStore();
    const served = result({ costUsd: 0, savedCostUsd: 0.0042, cacheStatus: "hit_exact" });
    await drain(usage({ usage: store, clock: manualClock(NOW) })(answering(served))(roundOf(callOf())));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ requests: 1, inputTokens: 0, outputTokens: 0, costMicros: 0, savedTokens: 30, savedMicros: 4200 });
  });

  it("fills the call's report, summing tokens and cost over several rounds", async () => {
    const { store } = fakeStore();
    const report: CallReport = {};
    const call = callOf(report);
    const stage = usage({ usage: store, clock: manualClock(NOW) });
    const first = result({
      attempts: [
        { provider: "p0", model: "u", errorReason: "UPSTREAM_TIMEOUT", latencyMs: 9 },
        { provider: "p1", model: "u", latencyMs: 4 },
      ],
    });
    await drain(stage(answering(first))(roundOf(call, request({ metadata: { team: "search" } }))));
    const { detail, ...line } = report;
    // The attempts go to the request log only, with no content unless log.prompts.
    expect(detail).toEqual({ attempts: first.attempts });
    expect(line).toEqual({
      model: "m",
      provider: "p1",
      cache: "miss",
      input_tokens: 10,
      output_tokens: 20,
      cost_usd: 0.0015,
      metadata: { team: "search" },
    });
    const second = result({
      provider: "p2",
      usage: { inputTokens: 5, outputTokens: 7, estimated: true },
      costUsd: 0.0005,
      attempts: [{ provider: "p2", model: "u", latencyMs: 3 }],
    });
    await drain(stage(answering(second))(roundOf(call)));
    expect(report).toMatchObject({ provider: "p2", input_tokens: 15, output_tokens: 27, metadata: { team: "search" } });
    expect(report.cost_usd).toBeCloseTo(0.002, 10);
    expect(report.detail?.attempts).toEqual([...first.attempts, ...second.attempts]);
  });

  it("does not fail the stream when the usage store rejects; it logs a warning", async () => {
    const { store, added } = fakeStore(true);
    let warned!: (message: string) => void;
    const warning = new Promise<string>((resolve) => (warned = resolve));
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warned(m), error() {} };
    const r = result();
    const events = await drain(usage({ usage: store, clock: manualClock(NOW), logger })(answering(r))(roundOf(callOf())));
    expect(events.at(-1)).toEqual({ type: "done", result: r });
    expect(added).toHaveLength(1);
    expect(await warning).toBe("usage not recorded");
  });

  it("logs the prompt and answer only when asked to", async () => {
    const infos: Record<string, unknown>[] = [];
    const logger: Logger = { debug() {}, info: (_m, f) => infos.push(f ?? {}), warn() {}, error() {} };
    const { store } = fakeStore();
    await drain(usage({ usage: store, clock: manualClock(NOW), logger })(answering(result()))(roundOf(callOf())));
    expect(infos).toEqual([]);
    await drain(usage({ usage: store, clock: manualClock(NOW), logger, logPrompts: true })(answering(result()))(roundOf(callOf())));
    expect(infos).toEqual([{ request_id: "r", model: "m", messages: request().messages, answer: result().message }]);
  });
});
