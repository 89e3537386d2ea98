import { afterEach, describe, expect, it } from "vitest";
import { answerFor, promptIn } from "../support/fake-continuation.js";
import { startHarness, type Harness } from "../support/harness.js";
import { drive, FAULTS, MIDSTREAM_FAULTS, newRun, report, seeded, TEXT } from "./chaos-run.js";

/**
 * The chaos proof for continuation: faults on the OpenAI-format deployment at a 20% rate, most of
 * them after the first text (a cut connection, a stream ending without its finish, a stall past the
 * provider's timeout), and a healthy Anthropic fallback; both continue a partial answer as a model does,
 * repeating up to three words. No caller may see a failure, and every answer, continued or not, must be
 * exactly the text the prompt gets uninterrupted. Figures are printed and kept in docs/resilience.md.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The uninterrupted answer to a prompt: the fake knows it for every prompt, so the caller's text can be checked. */
const fullFor = (prompt: string) => `Answer to ${prompt}: ${TEXT}, and then ${prompt} is done.`;

describe("chaos: faults after the first token, continued on a healthy fallback", () => {
  it("at a 20% rate, no caller sees a failure and every continued stream's text is the uninterrupted text", async () => {
    // Retries as in the suite's other runs: a continuation may then go to the primary again, which continues too.
    // A provider timeout of 1 s that a stall of 300 ms between chunks outlives after a few words; the healthy
    // answers take a few ms, so even a loaded machine (load 15 on 2 cores seen) does not time them out.
    h = await startHarness({
      providerTimeoutMs: 1_000,
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50, budgetRatio: 0.2, budgetBurst: 10 },
    });
    const random = seeded(23);
    const run = newRun();
    let midstream = 0;
    h.upstream.setScript((req) => {
      // What a model says to this request uninterrupted: the whole answer, or the rest of a partial one, a few words early.
      const text = answerFor(req.body, fullFor(promptIn(req.body)), Math.floor(random() * 4));
      // The fallback is healthy.
      if (req.path.startsWith("/v1/messages") || random() >= 0.2) return { text };
      run.injected++;
      if (random() < 0.25) return FAULTS[Math.floor(random() * FAULTS.length)];
      midstream++;
      const faults = MIDSTREAM_FAULTS(text, random, 300);
      return faults[Math.floor(random() * faults.length)];
    });
    await drive(h.grpcUrl, "dual", 10_000, run, fullFor);
    report("mid-stream faults, continued", run, `, ${midstream} after the first text, ${run.continued} streams continued`);
    expect(midstream).toBeGreaterThan(10);
    expect(run.continued).toBeGreaterThan(0);
    expect(run.failures).toEqual([]);
    expect(run.statusless).toBe(0);
    expect(run.mismatches).toEqual([]);
  });
});
