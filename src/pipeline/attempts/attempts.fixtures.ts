/** Fakes and a set-up for the attempts stage's unit tests: scripted providers, real breakers and routing, a manual clock. */
import { manualClock, type ManualClock } from "../../../test/support/manual-clock.js";
import type { CallContext } from "../../core/call.js";
import type { Deployment, ModelEntry } from "../../core/catalog.js";
import { GatewayError } from "../../core/errors.js";
import { createHealthMonitor } from "../../core/health.js";
import type { ChatRequest, ChatResult, ChatStreamEvent } from "../../core/types.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../providers/provider.js";
import type { ProviderDeployment } from "../../providers/registry.js";
import { createBreakers, type Breakers } from "../../resilience/breakers.js";
import { createRetryBudget } from "../../resilience/retry.js";
import { createRouter } from "../../routing/router.js";
import { createDeploymentStats } from "../../routing/stats.js";
import type { Round } from "../stage.js";
import { createAttempts } from "./attempts.js";

export type Script = (signal: AbortSignal) => AsyncGenerator<ProviderChunk>;

/** A provider answering each call with the next script; `begun` resolves when a call's stream starts running. */
export function fakeProvider(name: string, scripts: Script[], kind: Provider["kind"] = "openai") {
  const signals: AbortSignal[] = [];
  const requests: ProviderRequest[] = [];
  let began!: () => void;
  const begun = new Promise<void>((resolve) => (began = resolve));
  const provider: Provider = {
    name,
    kind,
    translateError: () => undefined,
    stream(request, signal) {
      const script = scripts[signals.length] ?? scripts.at(-1)!;
      signals.push(signal);
      requests.push(request);
      return (async function* () {
        began();
        yield* script(signal);
      })();
    },
  };
  return { provider, signals, requests, begun };
}

export const answer = (text: string[], model = "upstream-v1"): Script =>
  async function* () {
    yield { type: "started" };
    for (const t of text) yield { type: "delta", text: t };
    yield { type: "end", finishReason: "stop", model, usage: { inputTokens: 3, outputTokens: 2 } };
  };

export const fail = (reason: "UPSTREAM_UNAVAILABLE" | "UPSTREAM_BAD_REQUEST", before: ProviderChunk[] = []): Script =>
  async function* () {
    yield* before;
    throw new GatewayError(reason, "upstream said no");
  };

/** Waits, saying nothing, until the attempt's signal aborts; then fails as an SDK would. */
export const hang = (before: ProviderChunk[] = []): Script =>
  async function* (signal) {
    yield* before;
    signal.throwIfAborted();
    await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
  };

const dep = (p: string, price: number, kind = "openai"): Deployment => ({
  id: `${p}/${p}-model`,
  provider: p,
  providerKind: kind,
  upstreamModel: `${p}-model`,
  weight: 1,
  priority: 0,
  inputPricePerMillion: price,
  outputPricePerMillion: 2 * price,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
});

const model = (hedgeAfterMs?: number, continueStreams?: boolean, p2Kind?: string): ModelEntry => ({
  name: "m",
  aliases: [],
  provider: "p1",
  providerKind: "openai",
  upstreamModel: "p1-model",
  tokenizer: "estimate",
  contextWindow: 100_000,
  maxOutputTokens: 100,
  inputPricePerMillion: 1,
  outputPricePerMillion: 2,
  cachedInputPricePerMillion: 0,
  cacheWritePricePerMillion: 0,
  cacheWrite1hPricePerMillion: 0,
  deployments: [dep("p1", 1), dep("p2", 10, p2Kind)],
  capabilities: { streaming: true, tools: false, vision: false, jsonMode: false, documents: false, audio: false, reasoning: false },
  hedgeAfterMs,
  ...(continueStreams === undefined ? {} : { continueStreams }),
});

/** Real breakers, with every permit's verdict written down as it is given. */
function recordingBreakers(clock: ManualClock, volumeThreshold = 1) {
  const real = createBreakers({ errorThresholdPercentage: 50, volumeThreshold, resetTimeoutMs: 30_000, rollingWindowMs: 60_000 }, clock);
  const verdicts: string[] = [];
  const breakers: Breakers = {
    ...real,
    admit(id) {
      const permit = real.admit(id);
      if (!permit) return undefined;
      const note = (v: string, f: () => void) => () => {
        verdicts.push(`${id}:${v}`);
        f();
      };
      return {
        success: note("success", permit.success),
        failure: note("failure", permit.failure),
        release: note("release", permit.release),
      };
    },
  };
  return { breakers, verdicts };
}

export function setup(
  scripts: { p1: Script[]; p2: Script[] },
  opts: {
    hedgeAfterMs?: number;
    buffered?: boolean;
    request?: Partial<ChatRequest>;
    upstream?: Partial<Round["upstream"]>;
    continueStreams?: boolean;
    /** The second deployment's provider kind (openai by default). */
    p2Kind?: Provider["kind"];
    /** Allow retries (a budget of ten, breakers that open only after ten calls); by default only fallback happens. */
    retries?: boolean;
  } = {},
) {
  const clock = manualClock(Date.UTC(2026, 0, 5));
  const stats = createDeploymentStats(clock);
  const health = createHealthMonitor({ clock, providers: ["p1", "p2"] });
  const { breakers, verdicts } = recordingBreakers(clock, opts.retries ? 10 : 1);
  const p1 = fakeProvider("p1", scripts.p1);
  const p2 = fakeProvider("p2", scripts.p2, opts.p2Kind);
  const timeouts = { timeoutMs: 60_000, firstTokenTimeoutMs: 30_000, headersTimeoutMs: 5_000 };
  const deployment = (provider: Provider): ProviderDeployment => ({ provider, ...timeouts });
  const attempts = createAttempts({
    providers: new Map([
      ["p1", deployment(p1.provider)],
      ["p2", deployment(p2.provider)],
    ]),
    router: createRouter({ defaultStrategy: "fallback", stats }),
    breakers,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, budgetRatio: 0, budgetBurst: 0 },
    retryBudget: opts.retries ? createRetryBudget(1, 10) : createRetryBudget(0, 0),
    stats,
    health,
    clock,
    random: () => 0.5,
  });
  const controller = new AbortController();
  const call: CallContext = { signal: controller.signal, requestId: "req-1", receivedAt: clock.monotonic() };
  const routing = { preferredProviders: [], excludedProviders: [] };
  const round: Round = {
    request: { model: "m", messages: [{ role: "user", content: "hi" }], user: "", metadata: {}, routing, stop: [], ...opts.request },
    call,
    buffered: opts.buffered ?? false,
    model: model(opts.hedgeAfterMs, opts.continueStreams, opts.p2Kind),
    upstream: { messages: [{ role: "user", content: "hi" }], maxTokens: 100, stop: [], ...opts.upstream },
    promptTokens: 0,
  };
  /** Runs the round to its end: every event, or the error it failed with after the events before it. */
  const run = async () => {
    const events: ChatStreamEvent[] = [];
    try {
      for await (const e of attempts(round)) events.push(e);
      return { events, error: undefined };
    } catch (error) {
      return { events, error: error as GatewayError };
    }
  };
  return { clock, stats, health, verdicts, p1, p2, controller, run, stream: () => attempts(round) };
}

export const resultOf = (events: ChatStreamEvent[]): ChatResult => {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`no done event; last was ${JSON.stringify(last)}`);
  return last.result;
};
export const untouched = (health: ReturnType<typeof createHealthMonitor>, provider: string) =>
  health.snapshot().dependencies.find((d) => d.name === provider);
