import { createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { manualClock, type ManualClock } from "../support/manual-clock.js";

/**
 * With default settings, a primary deployment that hangs (accepts the
 * connection, never answers) costs a caller the headers timeout, 5 s (plus
 * 1 ms per 10 prompt tokens), before a healthy fallback answers: not the
 * caller's deadline. Every attempt streams upstream, unary ones too, so the
 * headers arrive at once from a live provider and their absence is a signal.
 * The gateway runs on a manual clock: the five seconds pass when the test says so.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(): Promise<{ h: Harness; clock: ManualClock }> {
  const clock = manualClock(Date.UTC(2026, 10, 29));
  h = await startHarness({ providerTimeoutMs: "defaults", clock });
  return { h, clock };
}

const ask = { model: "dual", messages: [{ role: Role.USER, content: "hello" }] };

describe("a hung primary with a healthy fallback, default settings", () => {
  it("unary: the fallback answers once the primary's 5 s headers timeout passes, not before", async () => {
    const { h, clock } = await start();
    h.upstream.enqueue({ hang: true }, { text: "from the fallback" });
    const client = createClient(CompletionService, h.rpcTransport());
    const answer = client.complete(ask, { timeoutMs: 60_000 });
    await vi.waitFor(() => expect(h.upstream.requests).toHaveLength(1), { timeout: 10_000 });
    clock.advance(4_990);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.upstream.requests).toHaveLength(1);
    clock.advance(20);
    const { completion } = await answer;
    expect(completion?.message?.content).toBe("from the fallback");
    expect(completion?.attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["fake-openai", "UPSTREAM_TIMEOUT"],
      ["fake-anthropic", ""],
    ]);
    expect(completion?.attempts[0]?.errorMessage).toContain("did not accept the request within 5001 ms");
    // It was the provider's fault: counted against it.
    expect(h.app.gateway.stats.get("fake-openai/gpt-4o-mini")?.failures).toBe(1);
  });

  it("stream: the same, before the first token reaches the caller", async () => {
    const { h, clock } = await start();
    h.upstream.enqueue({ hang: true }, { text: "streamed by the fallback" });
    const client = createClient(CompletionService, h.rpcTransport());
    const done = (async () => {
      let text = "";
      for await (const e of client.streamComplete(ask, { timeoutMs: 60_000 })) if (e.event.case === "delta") text += e.event.value.text;
      return text;
    })();
    await vi.waitFor(() => expect(h.upstream.requests).toHaveLength(1), { timeout: 10_000 });
    clock.advance(5_010);
    expect(await done).toBe("streamed by the fallback");
  });
});
