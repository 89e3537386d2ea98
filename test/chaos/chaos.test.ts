import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { CLEAR_REASONS, drive, FAULTS, newRun, report, seeded, TEXT } from "./chaos-run.js";

/**
 * Fault injection against the real SDKs and a real server: the OpenAI-format
 * provider fails at a set rate in every way the fake upstream can fail, for a
 * bounded number of requests. Figures are printed and kept in docs/resilience.md.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("chaos: faults on the OpenAI-format provider at a 50% rate", () => {
  it("with one healthy fallback, no caller sees a failure, and the primary's breaker opens and closes again", async () => {
    h = await startHarness({
      providerTimeoutMs: 400,
      // Below the injected rate, so that the breaker must open.
      breaker: { volumeThreshold: 10, errorThresholdPercentage: 30, resetTimeoutMs: 500, rollingWindowMs: 5_000 },
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50, budgetRatio: 0.2, budgetBurst: 10 },
    });
    const random = seeded(7);
    const run = newRun();
    h.upstream.setScript((req) => {
      if (!req.path.startsWith("/v1/chat/completions") || random() >= 0.5) return { text: TEXT };
      run.injected++;
      return FAULTS[Math.floor(random() * FAULTS.length)];
    });
    const breakerChanges: string[] = [];
    h.app.gateway.breakers.onChange((id, state) => id.startsWith("fake-openai") && breakerChanges.push(state));
    await drive(h.grpcUrl, "dual", 5_000, run);
    report("one healthy fallback", run);
    // Once the breaker opens, traffic goes to the fallback and few faults are injected after that: how
    // many depends on how many half-open probes the run's length allows (a loaded machine saw 7, an idle
    // one 40-50). Enough to open the breaker (30% of its 10-call volume) is what the test needs.
    expect(run.injected).toBeGreaterThanOrEqual(3);
    expect(run.failures).toEqual([]);
    expect(run.statusless).toBe(0);
    expect(breakerChanges).toContain("open");
    // Faults stop: the next probe succeeds and the breaker closes (waiting on the event, not a sleep).
    h.upstream.setScript(undefined);
    const primary = "fake-openai/gpt-4o-mini";
    const harness = h;
    const closed = new Promise<void>((resolve) =>
      harness.app.gateway.breakers.onChange((id, state) => id === primary && state === "closed" && resolve()),
    );
    const client = createClient(CompletionService, createGrpcTransport({ baseUrl: h.grpcUrl }));
    const poke = setInterval(
      () => void client.complete({ model: "dual", messages: [{ role: Role.USER, content: "probe" }] }).catch(() => {}),
      100,
    );
    if (h.app.gateway.breakers.state(primary) !== "closed") await closed;
    clearInterval(poke);
    expect(h.app.gateway.breakers.state(primary)).toBe("closed");
  });

  it("with no fallback, every caller gets a clear error within its deadline, and no stream ends without a status", async () => {
    h = await startHarness({
      providerTimeoutMs: 400,
      breaker: { volumeThreshold: 10, errorThresholdPercentage: 50, resetTimeoutMs: 500, rollingWindowMs: 5_000 },
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50, budgetRatio: 0.2, budgetBurst: 10 },
    });
    const random = seeded(11);
    const run = newRun();
    h.upstream.setScript(() => {
      if (random() >= 0.5) return { text: TEXT };
      run.injected++;
      // Here mid-stream aborts after text are in the mix too: they cannot be hidden, only reported.
      return random() < 0.2 ? { text: TEXT, abortAfterChunks: 2 } : FAULTS[Math.floor(random() * FAULTS.length)];
    });
    const deadlineMs = 1_000;
    await drive(h.grpcUrl, "gpt-test", deadlineMs, run);
    report("no fallback", run);
    expect(run.failures.length).toBeGreaterThan(0);
    expect(run.statusless).toBe(0);
    for (const f of run.failures) {
      expect([Code.Unavailable, Code.DeadlineExceeded]).toContain(f.code);
      expect(CLEAR_REASONS).toContain(f.reason);
    }
    // Within the deadline: past it by no more than how late this process's timers fired (chaos-run.ts says why).
    expect(Math.max(...run.overruns)).toBeLessThan(100);
  });
});
