import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { BreakerState, HealthService } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import type { BreakerState as State } from "../../src/resilience/breakers.js";
import { startHarness, type Harness } from "../support/harness.js";

const breaker = { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 300, rollingWindowMs: 10_000 };
const ask = (model: string) => ({ model, messages: [{ role: Role.USER, content: "hello" }] });
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Resolves at the next time the deployment's breaker reaches the state: an event, not a sleep. */
function nextState(harness: Harness, id: string, state: State): Promise<void> {
  return new Promise((resolve) => harness.app.gateway.breakers.onChange((changed, s) => changed === id && s === state && resolve()));
}

describe("circuit breakers per deployment", () => {
  it("opens after repeated failures, skips the deployment, probes after the reset time, and closes on success", async () => {
    h = await startHarness({ breaker });
    const client = createClient(CompletionService, h.rpcTransport());
    const health = createClient(HealthService, h.rpcTransport());
    const primary = "fake-openai/gpt-4o-mini";
    const opened = nextState(h, primary, "open");
    h.upstream.enqueue({ status: 500 }, {}, { status: 500 }, {});
    await client.complete(ask("dual"));
    await client.complete(ask("dual"));
    await opened;
    const state = (await health.check({})).deployments.find((d) => d.model === "dual" && d.provider === "fake-openai");
    expect(state?.breakerState).toBe(BreakerState.OPEN);
    expect(state?.breakerRetryAfterMs).toBeGreaterThan(0n);

    // Open: the primary is not called at all; the secondary answers at once.
    const before = h.upstream.requests.length;
    const skipped = await client.complete(ask("dual"));
    expect(skipped.completion?.provider).toBe("fake-anthropic");
    expect(skipped.completion?.attempts.map((a) => a.provider)).toEqual(["fake-anthropic"]);
    expect(h.upstream.requests.slice(before).map((r) => r.path)).toEqual(["/v1/messages"]);

    await nextState(h, primary, "half_open");
    const closed = nextState(h, primary, "closed");
    const probe = await client.complete(ask("dual"));
    expect(probe.completion?.provider).toBe("fake-openai");
    await closed;
    expect(h.app.gateway.breakers.state(primary)).toBe("closed");
  });

  it("fails fast with Unavailable and a retry delay when every deployment's breaker is open", async () => {
    h = await startHarness({ breaker });
    const client = createClient(CompletionService, h.rpcTransport());
    const opened = nextState(h, "fake-openai/gpt-4o-mini", "open");
    h.upstream.enqueue({ status: 503 }, { status: 503 });
    for (let i = 0; i < 2; i++) await client.complete(ask("gpt-test")).catch(() => {});
    await opened;
    const before = h.upstream.requests.length;
    const started = performance.now();
    const err = ConnectError.from(await client.complete(ask("gpt-test")).catch((e: unknown) => e));
    expect(performance.now() - started).toBeLessThan(100);
    expect(err.code).toBe(Code.Unavailable);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("CIRCUIT_OPEN");
    const delay = err.findDetails(RetryInfoSchema)[0]?.retryDelay;
    expect(Number(delay?.seconds ?? 0n) * 1000 + (delay?.nanos ?? 0) / 1e6).toBeGreaterThan(0);
    expect(h.upstream.requests.length).toBe(before);
  });

  it("does not count the caller's bad requests against the provider", async () => {
    h = await startHarness({ breaker });
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ status: 400 }, { status: 400 }, { status: 400 });
    for (let i = 0; i < 3; i++) await client.complete(ask("gpt-test")).catch(() => {});
    expect(h.app.gateway.breakers.state("fake-openai/gpt-4o-mini")).toBe("closed");
    expect((await client.complete(ask("gpt-test"))).completion?.provider).toBe("fake-openai");
  });
});
