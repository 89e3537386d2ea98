import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role, type Completion } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
let client: ReturnType<typeof createClient<typeof CompletionService>>;
const ask = { model: "hedged", messages: [{ role: Role.USER, content: "hello" }] };

beforeAll(async () => {
  h = await startHarness();
  client = createClient(CompletionService, h.rpcTransport());
});
afterAll(() => h.close());

describe("hedged requests (opt-in per model, after 100 ms)", () => {
  it("starts the next deployment when the first is slow, takes the first answer and aborts the other", async () => {
    h.upstream.enqueue({ firstByteDelayMs: 3_000, text: "too late" }, { text: "hedge won" });
    const index = h.upstream.requests.length;
    const started = performance.now();
    const { completion } = await client.complete(ask);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(completion?.message?.content).toBe("hedge won");
    expect(completion?.provider).toBe("fake-anthropic");
    expect(completion?.attempts.map((a) => [a.provider, a.errorReason]).sort()).toEqual([
      ["fake-anthropic", ""],
      ["fake-openai", "CANCELLED"],
    ]);
    await h.upstream.waitForAbort(index);
    expect(h.upstream.requests[index]?.aborted).toBe(true);
    // The loser is not held against its deployment.
    expect(h.app.gateway.stats.get("fake-openai/gpt-4o-mini")?.failures ?? 0).toBe(0);
  });

  it("does not hedge when the first answers within the threshold", async () => {
    h.upstream.enqueue({ text: "quick" });
    const before = h.upstream.requests.length;
    const { completion } = await client.complete(ask);
    expect(completion?.provider).toBe("fake-openai");
    expect(h.upstream.requests.length - before).toBe(1);
  });

  it("lets the first deployment win when it answers before the hedge does", async () => {
    h.upstream.enqueue({ firstByteDelayMs: 200, text: "first after all" }, { firstByteDelayMs: 3_000, text: "slower hedge" });
    const index = h.upstream.requests.length;
    const { completion } = await client.complete(ask);
    expect(completion?.message?.content).toBe("first after all");
    await h.upstream.waitForAbort(index + 1);
    expect(h.upstream.requests[index + 1]?.aborted).toBe(true);
  });

  it("when the first fails after the hedge started, the hedge answers", async () => {
    h.upstream.enqueue({ firstByteDelayMs: 200, status: 503 }, { firstByteDelayMs: 300, text: "hedge saves it" });
    const { completion } = await client.complete(ask);
    expect(completion?.message?.content).toBe("hedge saves it");
    expect(completion?.attempts.map((a) => a.errorReason)).toEqual(["UPSTREAM_UNAVAILABLE", ""]);
  });

  it("hedges a stream whose first token is late; only the winner's tokens reach the caller", async () => {
    h.upstream.enqueue({ firstByteDelayMs: 3_000, text: "slow primary words" }, { text: "hedged stream wins" });
    const index = h.upstream.requests.length;
    const started = performance.now();
    let text = "";
    let final: Completion | undefined;
    for await (const e of client.streamComplete(ask)) {
      if (e.event.case === "delta") text += e.event.value.text;
      else if (e.event.case === "completion") final = e.event.value;
    }
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(text).toBe("hedged stream wins");
    expect(final?.provider).toBe("fake-anthropic");
    expect(final?.attempts.map((a) => [a.provider, a.errorReason]).sort()).toEqual([
      ["fake-anthropic", ""],
      ["fake-openai", "CANCELLED"],
    ]);
    await h.upstream.waitForAbort(index);
    expect(h.upstream.requests[index]?.aborted).toBe(true);
  });

  it("does not hedge a stream whose first token comes in time, however slow the rest", async () => {
    // First token after about 60 ms (under the 100 ms threshold), the whole stream about 300 ms.
    h.upstream.enqueue({ text: "steady tokens keep coming here", chunkDelayMs: 60 });
    const before = h.upstream.requests.length;
    let text = "";
    for await (const e of client.streamComplete(ask)) if (e.event.case === "delta") text += e.event.value.text;
    expect(text).toBe("steady tokens keep coming here");
    expect(h.upstream.requests.length - before).toBe(1);
  });

  it("when the first stream fails after the hedge started, the hedge's stream answers", async () => {
    h.upstream.enqueue({ firstByteDelayMs: 200, status: 503 }, { firstByteDelayMs: 300, text: "saved by the hedge" });
    let text = "";
    for await (const e of client.streamComplete(ask)) if (e.event.case === "delta") text += e.event.value.text;
    expect(text).toBe("saved by the hedge");
  });
});
