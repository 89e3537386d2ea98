import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

const retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, budgetRatio: 0.2, budgetBurst: 10 };
const ask = { model: "gpt-test", messages: [{ role: Role.USER, content: "hello" }] };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(overrides: Partial<typeof retry> = {}) {
  h = await startHarness({ retry: { ...retry, ...overrides } });
  return { h, client: createClient(CompletionService, h.rpcTransport()) };
}

describe("retries against a single deployment", () => {
  it("retries a 5xx and reports both attempts", async () => {
    const { h, client } = await start();
    h.upstream.enqueue({ status: 503 }, { text: "second time lucky" });
    const { completion } = await client.complete(ask);
    expect(completion?.message?.content).toBe("second time lucky");
    expect(completion?.attempts.map((a) => a.errorReason)).toEqual(["UPSTREAM_UNAVAILABLE", ""]);
  });

  it("retries a stream that fails before its first token", async () => {
    const { h, client } = await start();
    h.upstream.enqueue({ reset: true }, { text: "streamed" });
    let text = "";
    for await (const e of client.streamComplete(ask)) if (e.event.case === "delta") text += e.event.value.text;
    expect(text).toBe("streamed");
  });

  it("waits for the upstream's Retry-After before retrying a 429", async () => {
    const { h, client } = await start();
    h.upstream.enqueue({ status: 429, retryAfter: "0.2" }, { text: "after waiting" });
    const started = performance.now();
    const { completion } = await client.complete(ask);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(completion?.message?.content).toBe("after waiting");
  });

  it("fails at once, with the delay, when the Retry-After is past the caller's deadline", async () => {
    const { h, client } = await start();
    h.upstream.enqueue({ status: 429, retryAfter: "30" });
    const started = performance.now();
    const err = ConnectError.from(await client.complete(ask, { timeoutMs: 2_000 }).catch((e: unknown) => e));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(err.code).toBe(Code.Unavailable);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(Number(err.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds)).toBe(30);
  });

  it("never retries a bad request", async () => {
    const { h, client } = await start();
    h.upstream.enqueue({ status: 400 });
    const before = h.upstream.requests.length;
    await client.complete(ask).catch(() => {});
    expect(h.upstream.requests.length - before).toBe(1);
  });

  it("keeps a dead provider's load within the retry budget", async () => {
    const { h, client } = await start({ budgetRatio: 0.2, budgetBurst: 2 });
    h.upstream.setDefault({ status: 503 });
    const calls = 20;
    for (let i = 0; i < calls; i++) await client.complete(ask).catch(() => {});
    // Without a budget: 3 attempts a call, 60 requests. With it: the calls, the burst, and 20% of the calls.
    expect(h.upstream.requests.length).toBeLessThanOrEqual(calls + 2 + calls * 0.2);
    expect(h.upstream.requests.length).toBeGreaterThan(calls);
  });
});
