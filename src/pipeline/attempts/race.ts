import type { CallContext } from "../../core/call.js";
import type { Deployment } from "../../core/catalog.js";
import type { Clock } from "../../core/clock.js";
import { GatewayError, isFallbackWorthy } from "../../core/errors.js";
import type { ProviderChunk } from "../../providers/provider.js";
import type { ProviderDeployment } from "../../providers/registry.js";
import type { Permit } from "../../resilience/breakers.js";
import type { AttemptSchedule, Scheduled } from "../../resilience/schedule.js";
import type { Round } from "../stage.js";
import { openAttempt, type AttemptScope } from "./scope.js";

/** One attempt in flight: the deployment, its breaker permit, its scope and its chunks, read by hand. */
export interface Run {
  d: Deployment;
  permit: Permit;
  scope: AttemptScope;
  it: AsyncIterator<ProviderChunk>;
  startedAt: number;
}

/** How a run's first answer chunk (a delta or the end) came, or why it did not. */
export type First = { run: Run; chunk: IteratorResult<ProviderChunk> } | { run: Run; error: GatewayError };

export interface RaceDeps {
  providers: ReadonlyMap<string, ProviderDeployment>;
  clock: Clock;
}

/** Starts one attempt. */
export function startRun(next: Scheduled, round: Round, deps: RaceDeps): Run {
  const { deployment: d, permit } = next;
  const deployment = deps.providers.get(d.provider);
  if (!deployment) throw new GatewayError("INTERNAL", `provider "${d.provider}" was not built`);
  const scope = openAttempt(deployment, round.call, deps.clock, {
    upstreamModel: d.upstreamModel,
    promptTokens: round.promptTokens,
    streaming: !round.buffered,
    unaryUpstream: round.upstream.unary,
  });
  const it = deployment.provider.stream({ ...round.upstream, model: d.upstreamModel }, scope.signal)[Symbol.asyncIterator]();
  return { d, permit, scope, it, startedAt: deps.clock.monotonic() };
}

/**
 * The next chunk of a run that carries the answer, past "started" (which
 * only stops the headers timer). A stream that ends with no "end" ends
 * here as `done`: the caller decides what that means.
 */
export async function nextAnswerChunk(run: Run): Promise<IteratorResult<ProviderChunk>> {
  for (;;) {
    const r = await run.it.next();
    if (r.done || r.value.type !== "started") return r;
    run.scope.started();
  }
}

function firstOf(run: Run): Promise<First> {
  return nextAnswerChunk(run).then(
    (chunk): First => {
      if (!chunk.done) return { run, chunk };
      // Ended before any answer: never a winner. The SDKs end quietly when the signal aborts, so whoever
      // aborted it (our timeout, the caller) says whose failure it is.
      const scope = run.scope;
      const error = scope.signal.aborted
        ? scope.classify(scope.signal.reason)
        : new GatewayError("UPSTREAM_UNAVAILABLE", `${run.d.provider}: the stream ended before any answer`, {
            metadata: { provider: run.d.provider },
          });
      return { run, error };
    },
    (err: unknown): First => ({ run, error: run.scope.classify(err) }),
  );
}

/** Stops a run that lost a race: its upstream request is aborted and its stream closed. */
export function stopRun(run: Run): void {
  run.scope.abandon();
  run.it.return?.().catch(() => {});
  run.scope.dispose();
}

/** How a race ended: the winner's first chunk, the runs that failed, and the runs stopped because another won. */
export interface RaceResult {
  winner?: Extract<First, { chunk: unknown }>;
  failures: Extract<First, { error: unknown }>[];
  lost: Run[];
}

/**
 * Waits for a run's first answer chunk; with hedging on, starts the next
 * deployment as well if none has come within `hedgeAfterMs`. The first run
 * to produce one wins before anything reaches the caller, and the others are
 * stopped; a failure leaves the other runs racing. One race for unary and
 * streamed calls alike.
 */
export async function race(
  first: Run,
  hedgeAfterMs: number | undefined,
  schedule: AttemptSchedule,
  round: Round,
  deps: RaceDeps,
): Promise<RaceResult> {
  const call: CallContext = round.call;
  const pending = new Map<Run, Promise<First>>([[first, firstOf(first)]]);
  const failures: RaceResult["failures"] = [];
  let cancelTimer: (() => void) | undefined;
  let hedge: Promise<"hedge"> | undefined;
  if (hedgeAfterMs !== undefined) {
    hedge = new Promise((resolve) => (cancelTimer = deps.clock.after(hedgeAfterMs, () => resolve("hedge"))));
  }
  try {
    while (pending.size > 0) {
      const racers: Promise<First | "hedge">[] = [...pending.values()];
      if (hedge) racers.push(hedge);
      const r = await Promise.race(racers);
      if (r === "hedge") {
        hedge = undefined;
        // A hedge goes to a deployment not tried yet, at once; it never waits out a retry's backoff.
        const next = call.signal.aborted ? undefined : schedule.nextUntried();
        if (next) {
          const run = startRun(next, round, deps);
          pending.set(run, firstOf(run));
        }
        continue;
      }
      pending.delete(r.run);
      if ("error" in r) {
        failures.push(r);
        if (!isFallbackWorthy(r.error.reason)) break;
        // A failure before the hedge fired: no race to run, the caller's loop falls back as usual.
        if (pending.size === 0) hedge = undefined;
        continue;
      }
      const lost = [...pending.keys()];
      lost.forEach(stopRun);
      return { winner: r, failures, lost };
    }
    const lost = [...pending.keys()];
    lost.forEach(stopRun);
    return { failures, lost };
  } finally {
    cancelTimer?.();
  }
}
