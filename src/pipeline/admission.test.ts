import { describe, expect, it } from "vitest";
import type { CallContext, Tenant } from "../core/call.js";
import type { Catalog, ModelEntry } from "../core/catalog.js";
import { GatewayError } from "../core/errors.js";
import type { ChatRequest, ChatResult, ChatStreamEvent } from "../core/types.js";
import type { Admission, LimitSettings, RateLimiter } from "../limits/limiter.js";
import { admission, limits } from "./admission.js";
import type { Round, RoundHandler } from "./stage.js";

const model: ModelEntry = {
  name: "m",
  aliases: ["m-alias"],
  deployments: [],
  provider: "p1",
  providerKind: "openai",
  upstreamModel: "m-up",
  contextWindow: 100_000,
  maxOutputTokens: 512,
  inputPricePerMillion: 1,
  outputPricePerMillion: 2,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  capabilities: { streaming: true, tools: true, vision: false, jsonMode: false, documents: false, audio: false, reasoning: false },
  tokenizer: "estimate",
  hedgeAfterMs: undefined,
};

const catalog: Catalog = {
  models: [model],
  defaultModel: "m",
  resolve(name) {
    if (name === "" || name === "m" || name === "m-alias") return model;
    throw new GatewayError("MODEL_NOT_FOUND", `no ${name}`);
  },
};

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m-alias",
  messages: [{ role: "user", content: "twelve chars" }],
  user: "",
  metadata: {},
  routing: { preferredProviders: [], excludedProviders: [] },
  stop: [],
  ...over,
});

const tenant = (over: Partial<Tenant> = {}): Tenant => ({
  name: "acme",
  admin: false,
  allowedModels: undefined,
  limits: undefined,
  budget: undefined,
  ...over,
});

const callOf = (t?: Tenant): CallContext => ({ signal: new AbortController().signal, requestId: "req-1", receivedAt: 0, tenant: t });

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** A round handler that records the rounds it is given and answers with a fixed stream. */
function recordingNext(events: ChatStreamEvent[] = []) {
  const rounds: Round[] = [];
  const next: RoundHandler = async function* (round) {
    rounds.push(round);
    yield* events;
  };
  return { rounds, next };
}

describe("admission", () => {
  it("resolves the model and builds what the providers are sent, max_tokens defaulting to the model's", async () => {
    const { rounds, next } = recordingNext([{ type: "cache", status: "miss" }]);
    const req = request({ temperature: 0.5, seed: 7, user: "bob", stop: ["END"] });
    const events = await drain(admission(catalog)(next)({ request: req, call: callOf(), buffered: false }));
    expect(events).toEqual([{ type: "cache", status: "miss" }]);
    expect(rounds).toHaveLength(1);
    const round = rounds[0]!;
    expect(round.model).toBe(model);
    expect(round.upstream).toEqual({ messages: req.messages, maxTokens: 512, stop: ["END"], temperature: 0.5, seed: 7, user: "bob" });
    expect(round.promptTokens).toBe(3);
    expect(round.buffered).toBe(false);
  });

  it("keeps the caller's max_tokens, and offers tools only when a tool plan is present", async () => {
    const { rounds, next } = recordingNext();
    const tools = {
      definitions: [{ name: "t", description: "d", parametersJson: '{"type":"object"}' }],
      serverSide: new Set<string>(),
      maxRounds: 2,
    };
    const req = request({ maxTokens: 64, toolChoice: "none" });
    await drain(admission(catalog)(next)({ request: req, call: callOf(), buffered: true }));
    await drain(admission(catalog)(next)({ request: req, call: callOf(), buffered: true, tools }));
    expect(rounds[0]!.upstream.maxTokens).toBe(64);
    expect(rounds[0]!.upstream).not.toHaveProperty("tools");
    expect(rounds[0]!.upstream).not.toHaveProperty("toolChoice");
    expect(rounds[1]!.upstream.tools).toEqual(tools.definitions);
    expect(rounds[1]!.upstream.toolChoice).toBe("none");
  });

  it("refuses a model the tenant may not use, before calling next", async () => {
    const { rounds, next } = recordingNext();
    const call = callOf(tenant({ allowedModels: new Set(["other"]) }));
    await expect(drain(admission(catalog)(next)({ request: request(), call, buffered: false }))).rejects.toMatchObject({
      reason: "MODEL_NOT_ALLOWED",
      metadata: { tenant: "acme", model: "m" },
    });
    expect(rounds).toHaveLength(0);
  });

  it("refuses invalid requests before calling next", async () => {
    const { rounds, next } = recordingNext();
    const stage = admission(catalog)(next);
    await expect(drain(stage({ request: request({ messages: [] }), call: callOf(), buffered: false }))).rejects.toMatchObject({
      reason: "INVALID_REQUEST",
      metadata: { field: "messages" },
    });
    await expect(drain(stage({ request: request({ maxTokens: 513 }), call: callOf(), buffered: false }))).rejects.toMatchObject({
      reason: "INVALID_REQUEST",
      metadata: { field: "max_tokens" },
    });
    await expect(drain(stage({ request: request({ model: "nope" }), call: callOf(), buffered: false }))).rejects.toMatchObject({
      reason: "MODEL_NOT_FOUND",
    });
    expect(rounds).toHaveLength(0);
  });
});

/** A limiter that answers with a scripted admission and records what it was asked and how it was settled. */
function fakeLimiter(verdict: "admit" | Extract<Admission, { admitted: false }>) {
  const admits: { key: string; tokens: number; limits: LimitSettings }[] = [];
  const reconciled: number[] = [];
  const limiter: RateLimiter = {
    async admit(key, tokens, l) {
      admits.push({ key, tokens, limits: l });
      if (verdict !== "admit") return verdict;
      return { admitted: true, reservation: { reconcile: async (n) => void reconciled.push(n) } };
    },
    usage: async () => ({ requestsLastMinute: 0, requestsLastHour: 0, tokensLastMinute: 0 }),
    close: async () => {},
  };
  return { limiter, admits, reconciled };
}

const result = (over: Partial<ChatResult> = {}): ChatResult => ({
  id: "req-1",
  message: { role: "assistant", content: "hi" },
  finishReason: "stop",
  usage: { inputTokens: 10, outputTokens: 20, estimated: false },
  costUsd: 0.001,
  provider: "p1",
  model: "m-up",
  cacheStatus: "miss",
  latencyMs: 5,
  gatewayOverheadMs: 1,
  attempts: [],
  ...over,
});

const roundOf = (call: CallContext): Round => ({
  request: request({ user: "bob" }),
  call,
  buffered: false,
  model,
  upstream: { messages: [], maxTokens: 100, stop: [] },
  promptTokens: 25,
});

/** An inner handler: the given events, then optionally a failure. */
const inner = (events: ChatStreamEvent[], error?: GatewayError): RoundHandler =>
  async function* () {
    yield* events;
    if (error) throw error;
  };

const upstreamDown = () => new GatewayError("UPSTREAM_UNAVAILABLE", "down");

describe("limits", () => {
  it("passes the inner stream through untouched when no limits apply", () => {
    const { limiter, admits } = fakeLimiter("admit");
    const stream = inner([])(roundOf(callOf()));
    const round = roundOf(callOf());
    expect(limits({ limiter, limits: {} })(() => stream)(round)).toBe(stream);
    // A tenant's own (empty) limits replace the gateway-wide ones.
    const t = tenant({ limits: {} });
    expect(limits({ limiter, limits: { requestsPerMinute: 1 } })(() => stream)(roundOf(callOf(t)))).toBe(stream);
    expect(admits).toHaveLength(0);
  });

  it("refuses with RATE_LIMITED and retryAfterMs when the limiter refuses, without calling next", async () => {
    const { limiter, admits } = fakeLimiter({ admitted: false, limit: "tpm", retryAfterMs: 1500 });
    const refused: string[] = [];
    const { rounds, next } = recordingNext();
    const stage = limits({ limiter, limits: { tokensPerMinute: 1000 }, onRefused: (l) => refused.push(l) })(next);
    const err = await drain(stage(roundOf(callOf()))).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: "RATE_LIMITED", retryAfterMs: 1500, metadata: { limit: "tpm" } });
    expect((err as Error).message).toContain("tokens per minute");
    expect(admits).toEqual([{ key: "bob", tokens: 125, limits: { tokensPerMinute: 1000 } }]);
    expect(refused).toEqual(["tpm"]);
    expect(rounds).toHaveLength(0);
  });

  it("uses the tenant's own limits and key", async () => {
    const { limiter, admits } = fakeLimiter("admit");
    const t = tenant({ limits: { requestsPerMinute: 5 } });
    await drain(limits({ limiter, limits: { requestsPerMinute: 1000 } })(inner([]))(roundOf(callOf(t))));
    expect(admits).toEqual([{ key: "acme", tokens: 125, limits: { requestsPerMinute: 5 } }]);
  });

  const stage = (l: RateLimiter, events: ChatStreamEvent[], error?: GatewayError) =>
    limits({ limiter: l, limits: { requestsPerMinute: 10 } })(inner(events, error))(roundOf(callOf()));

  it("settles the reservation with the tokens used, once the round is done", async () => {
    const { limiter, reconciled } = fakeLimiter("admit");
    const events: ChatStreamEvent[] = [
      { type: "delta", text: "hi" },
      { type: "done", result: result() },
    ];
    expect(await drain(stage(limiter, events))).toEqual(events);
    expect(reconciled).toEqual([30]);
  });

  it("gives the tokens back when the round failed before any delta", async () => {
    const { limiter, reconciled } = fakeLimiter("admit");
    await expect(drain(stage(limiter, [{ type: "cache", status: "miss" }], upstreamDown()))).rejects.toMatchObject({
      reason: "UPSTREAM_UNAVAILABLE",
    });
    expect(reconciled).toEqual([0]);
  });

  it("keeps the estimate (no reconcile) when the round was cut after a delta", async () => {
    const { limiter, reconciled } = fakeLimiter("admit");
    await expect(drain(stage(limiter, [{ type: "delta", text: "par" }], upstreamDown()))).rejects.toThrow("down");
    expect(reconciled).toEqual([]);
  });

  it("settles 0 for a round served from the cache", async () => {
    const { limiter, reconciled } = fakeLimiter("admit");
    const served = result({ costUsd: 0, savedCostUsd: 0.002, cacheStatus: "hit_exact" });
    await drain(
      stage(limiter, [
        { type: "delta", text: "hi" },
        { type: "done", result: served },
      ]),
    );
    expect(reconciled).toEqual([0]);
  });
});
