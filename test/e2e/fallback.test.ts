import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { HealthService } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { Role, type Completion } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { dualDeployments, startHarness, type Harness } from "../support/harness.js";

let h: Harness;
let client: ReturnType<typeof createClient<typeof CompletionService>>;
const request = { model: "dual", messages: [{ role: Role.USER, content: "hello" }] };

beforeAll(async () => {
  // The same deployments with continuation off: a cut stream ends as it was cut (test/e2e/continuation.test.ts
  // has the continued ones).
  h = await startHarness({ extraModels: [{ name: "dual-whole", deployments: dualDeployments, continueStreams: false }] });
  client = createClient(CompletionService, h.rpcTransport());
});
afterAll(() => h.close());
beforeEach(() => h.upstream.setDefault({}));

describe("fallback across deployments (OpenAI format, then Anthropic format)", () => {
  it.each([
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 429, retryAfter: "1" }, "UPSTREAM_RATE_LIMITED"],
    [{ reset: true }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 401 }, "UPSTREAM_AUTH_FAILED"],
  ])("answers from the next deployment when the first fails with %j, and reports both attempts", async (fault, reason) => {
    h.upstream.enqueue(fault, { text: "from the fallback" });
    const { completion } = await client.complete(request);
    expect(completion?.message?.content).toBe("from the fallback");
    expect(completion?.provider).toBe("fake-anthropic");
    expect(completion?.attempts.map((a) => [a.provider, a.errorReason])).toEqual([
      ["fake-openai", reason],
      ["fake-anthropic", ""],
    ]);
    // Cost at the answering deployment's prices: the Anthropic fake's 13 plain input tokens at 3, its 3 cache
    // reads at 0.1× (0.30) and 2 cache writes at 1.25× (3.75), and 3 output tokens at 15.
    expect(completion?.costUsd).toBeCloseTo((13 * 3 + 3 * 0.3 + 2 * 3.75 + 3 * 15) / 1e6, 12);
  });

  it("does not fall back on a bad request: it would fail everywhere", async () => {
    h.upstream.enqueue({ status: 400 });
    const before = h.upstream.requests.length;
    const err = await client.complete(request).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect(h.upstream.requests.length - before).toBe(1);
  });

  it("fails with Unavailable and every attempt named when all deployments fail", async () => {
    h.upstream.enqueue({ status: 503 }, { status: 529 });
    const err = ConnectError.from(await client.complete(request).catch((e: unknown) => e));
    expect(err.code).toBe(Code.Unavailable);
    const info = err.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("UPSTREAM_UNAVAILABLE");
    expect(info?.metadata["attempts"]).toBe("fake-openai:UPSTREAM_UNAVAILABLE,fake-anthropic:UPSTREAM_UNAVAILABLE");
  });

  it("fails a stream over invisibly before its first token", async () => {
    h.upstream.enqueue({ status: 503 }, { text: "streamed by the fallback" });
    let text = "";
    let final: Completion | undefined;
    for await (const e of client.streamComplete(request)) {
      if (e.event.case === "delta") text += e.event.value.text;
      else if (e.event.case === "completion") final = e.event.value;
    }
    expect(text).toBe("streamed by the fallback");
    expect(final?.provider).toBe("fake-anthropic");
    expect(final?.attempts).toHaveLength(2);
  });

  it("falls back when a stream ends before any text without a finish", async () => {
    h.upstream.enqueue({ text: "", endWithoutFinish: true }, { text: "second try" });
    let text = "";
    for await (const e of client.streamComplete(request)) if (e.event.case === "delta") text += e.event.value.text;
    expect(text).toBe("second try");
  });

  it("with continuation off, never falls back after the first token: the stream ends with STREAM_INTERRUPTED", async () => {
    h.upstream.enqueue({ text: "one two three", abortAfterChunks: 1 }, { text: "must not be used" });
    const before = h.upstream.requests.length;
    const deltas: string[] = [];
    const err = await (async () => {
      for await (const e of client.streamComplete({ ...request, model: "dual-whole" }))
        if (e.event.case === "delta") deltas.push(e.event.value.text);
    })().catch((e: unknown) => ConnectError.from(e));
    expect(deltas).toEqual(["one "]);
    expect((err as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("STREAM_INTERRUPTED");
    expect(h.upstream.requests.length - before).toBe(1);
  });

  it("honours an excluded provider: the second deployment answers first", async () => {
    const { completion } = await client.complete({ ...request, routing: { excludedProviders: ["fake-openai"] } });
    expect(completion?.provider).toBe("fake-anthropic");
    expect(completion?.attempts).toHaveLength(1);
  });

  it("honours a preferred provider", async () => {
    const { completion } = await client.complete({ ...request, routing: { preferredProviders: ["fake-anthropic"] } });
    expect(completion?.provider).toBe("fake-anthropic");
  });

  it("shows each deployment's moving averages, error rate and last error in HealthService", async () => {
    h.upstream.enqueue({ status: 502 }, { text: "ok", firstByteDelayMs: 30 });
    await client.complete(request);
    const health = createClient(HealthService, h.rpcTransport());
    const res = await health.check({});
    const byProvider = Object.fromEntries(res.deployments.filter((d) => d.model === "dual").map((d) => [d.provider, d]));
    expect(byProvider["fake-openai"]?.errorRate).toBeGreaterThan(0);
    expect(byProvider["fake-openai"]?.lastError).toContain("502");
    expect(byProvider["fake-anthropic"]?.latencyMs).toBeGreaterThan(0);
    expect(byProvider["fake-anthropic"]?.calls).toBeGreaterThan(0n);
    expect(res.deployments.map((d) => `${d.model}:${d.provider}`)).toEqual(
      expect.arrayContaining([
        "gpt-test:fake-openai",
        "claude-test:fake-anthropic",
        "local-echo:local",
        "dual:fake-openai",
        "dual:fake-anthropic",
      ]),
    );
  });
});
