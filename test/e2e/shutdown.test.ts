import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness } from "../support/harness.js";

const request = { model: "gpt-test", messages: [{ role: Role.USER, content: "long answer please" }] };

async function drain(stream: AsyncIterable<{ event: { case: string | undefined } }>) {
  const cases: (string | undefined)[] = [];
  try {
    for await (const e of stream) cases.push(e.event.case);
    return { cases, error: undefined };
  } catch (e) {
    return { cases, error: ConnectError.from(e) };
  }
}

describe("graceful shutdown", () => {
  it("lets an in-flight stream finish within the grace period, then closes", async () => {
    const h = await startHarness();
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ text: "a b c d e f", chunkDelayMs: 40 });
    const stream = client.streamComplete(request)[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.value?.event.case).toBe("delta");
    const closing = h.server.close(5000);
    expect(h.app.gateway.health.snapshot().status).toBe("not_serving");
    const rest = await drain({ [Symbol.asyncIterator]: () => stream });
    expect(rest.error).toBeUndefined();
    expect(rest.cases.at(-1)).toBe("completion");
    await closing;
    await h.upstream.close();
  });

  it("ends streams still running when the grace period is over with Unavailable, not a cut connection", async () => {
    const h = await startHarness();
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ text: "a b c d e f g h i j k l m n o p q r s t", chunkDelayMs: 100 });
    const stream = client.streamComplete(request)[Symbol.asyncIterator]();
    await stream.next();
    const started = Date.now();
    const closing = h.server.close(200);
    const rest = await drain({ [Symbol.asyncIterator]: () => stream });
    await closing;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(rest.cases).not.toContain("completion");
    expect(rest.error?.code).toBe(Code.Unavailable);
    // The gateway is going away, not the provider: SHUTTING_DOWN, and nothing counted against it.
    expect(rest.error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SHUTTING_DOWN");
    expect(h.app.gateway.stats.get("fake-openai/gpt-4o-mini")?.failures ?? 0).toBe(0);
    expect(h.app.gateway.breakers.state("fake-openai/gpt-4o-mini")).toBe("closed");
    await h.upstream.close();
  });

  it("ends coalesced streams past the grace period with Unavailable and SHUTTING_DOWN, for the first caller and the others", async () => {
    const h = await startHarness();
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ text: "a b c d e f g h i j k l m n o p q r s t", chunkDelayMs: 100 });
    const deterministic = { ...request, temperature: 0 };
    const streams = [
      client.streamComplete(deterministic)[Symbol.asyncIterator](),
      client.streamComplete(deterministic)[Symbol.asyncIterator](),
    ];
    for (const s of streams) expect((await s.next()).value?.event.case).toBe("delta");
    expect(h.upstream.requests).toHaveLength(1);
    const closing = h.server.close(200);
    const results = await Promise.all(streams.map((s) => drain({ [Symbol.asyncIterator]: () => s })));
    await closing;
    for (const r of results) {
      expect(r.cases).not.toContain("completion");
      expect(r.error?.code).toBe(Code.Unavailable);
      expect(r.error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SHUTTING_DOWN");
    }
    await h.upstream.close();
  });
});
