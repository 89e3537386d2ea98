import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  Health,
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus,
  type HealthCheckResponse,
} from "../../gen/ts/health/v1/health_pb.js";
import {
  CompletionService,
  CompleteRequestSchema,
  StreamCompleteRequestSchema,
  type CompleteResponse,
  type StreamCompleteResponse,
} from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { HealthService, ServingStatus, WatchRequestSchema, type WatchResponse } from "../../gen/ts/llmgateway/v1/health_service_pb.js";
import { CacheStatus, FinishReason, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { errorDetails, grpcClient, unary } from "../support/grpc-client.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
let completion: ReturnType<typeof grpcClient>;

const ask = (init: Parameters<typeof create<typeof CompleteRequestSchema>>[1] = {}) =>
  create(CompleteRequestSchema, { messages: [{ role: Role.USER, content: "Say hello" }], ...init });
const askStream = (init: Parameters<typeof create<typeof StreamCompleteRequestSchema>>[1] = {}) =>
  create(StreamCompleteRequestSchema, { messages: [{ role: Role.USER, content: "Say hello" }], ...init });

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: grpc.ServiceError) => e,
  );
}

async function readAll(stream: grpc.ClientReadableStream<StreamCompleteResponse>) {
  const messages: StreamCompleteResponse[] = [];
  let error: grpc.ServiceError | undefined;
  try {
    for await (const m of stream) messages.push(m as StreamCompleteResponse);
  } catch (e) {
    error = e as grpc.ServiceError;
  }
  return { messages, error };
}

beforeAll(async () => {
  h = await startHarness();
  completion = grpcClient(CompletionService, h.grpcAddress);
});
afterAll(async () => {
  completion.close();
  await h.close();
});
beforeEach(() => h.upstream.setDefault({}));

describe("gRPC over HTTP/2 with @grpc/grpc-js", () => {
  it("completes through the openai SDK and reports usage, cost, provider and latency", async () => {
    h.upstream.enqueue({ text: "Hello there, friend" });
    const res = await unary<CompleteResponse>(completion, "complete", ask({ model: "fast" }));
    const c = res.completion!;
    expect(c.message).toMatchObject({ role: Role.ASSISTANT, content: "Hello there, friend" });
    expect(c.finishReason).toBe(FinishReason.STOP);
    expect(c.usage).toMatchObject({ inputTokens: 11n, outputTokens: 3n, totalTokens: 14n, estimated: false });
    expect(c.costUsd).toBeCloseTo((11 * 1 + 3 * 2) / 1e6, 12);
    expect(c.provider).toBe("fake-openai");
    expect(c.model).toBe("gpt-4o-mini");
    // No temperature: the provider samples, so the answer is not cached.
    expect(c.cacheStatus).toBe(CacheStatus.BYPASS);
    expect(c.latencyMs).toBeGreaterThan(0);
    expect(c.gatewayOverheadMs).toBeLessThanOrEqual(c.latencyMs);
    expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("completes through the Anthropic SDK", async () => {
    const res = await unary<CompleteResponse>(completion, "complete", ask({ model: "claude-test", maxTokens: 100 }));
    expect(res.completion).toMatchObject({ provider: "fake-anthropic", model: "claude-haiku-4-5" });
    expect(h.upstream.requests.at(-1)!.body["max_tokens"]).toBe(100);
  });

  it("echoes the caller's x-request-id", async () => {
    const md = new grpc.Metadata();
    md.set("x-request-id", "req-42");
    const headers = await new Promise<grpc.Metadata>((resolve, reject) => {
      const call = completion["complete"]!(ask(), md, (err: Error | null) => err && reject(err));
      call.on("metadata", resolve);
    });
    expect(headers.get("x-request-id")).toEqual(["req-42"]);
  });

  it("streams deltas in order, then one final completion", async () => {
    h.upstream.enqueue({ text: "one two three four" });
    const { messages, error } = await readAll(completion["streamComplete"]!(askStream({ model: "gpt-test" })));
    expect(error).toBeUndefined();
    const deltas = messages.filter((m) => m.event.case === "delta").map((m) => (m.event.value as { text: string }).text);
    // In order, whole; words that arrived together may travel as one delta.
    expect(deltas.join("")).toBe("one two three four");
    expect(deltas.length).toBeGreaterThan(0);
    const last = messages.at(-1)!;
    expect(last.event.case).toBe("completion");
    const final = last.event.value as NonNullable<CompleteResponse["completion"]>;
    expect(final.message?.content).toBe("one two three four");
    expect(final.usage?.outputTokens).toBe(4n);
    expect(final.costUsd).toBeGreaterThan(0);
    expect(final.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it("streams through Anthropic's Messages events", async () => {
    h.upstream.enqueue({ text: "bonjour tout le monde" });
    const { messages, error } = await readAll(completion["streamComplete"]!(askStream({ model: "claude-test" })));
    expect(error).toBeUndefined();
    expect(messages.filter((m) => m.event.case === "delta")).toHaveLength(4);
    expect(messages.at(-1)!.event.value).toMatchObject({ provider: "fake-anthropic", usage: { inputTokens: 18n } });
  });

  it.each([
    ["an unknown model", ask({ model: "gpt-9" }), grpc.status.NOT_FOUND, "MODEL_NOT_FOUND"],
    ["no messages", ask({ messages: [] }), grpc.status.INVALID_ARGUMENT, "INVALID_REQUEST"],
    ["a message without a role", ask({ messages: [{ content: "hi" }] }), grpc.status.INVALID_ARGUMENT, "INVALID_REQUEST"],
    ["temperature 3", ask({ temperature: 3 }), grpc.status.INVALID_ARGUMENT, "INVALID_REQUEST"],
    [
      "max_tokens above the model's limit",
      ask({ model: "local-echo", maxTokens: 100_000 }),
      grpc.status.INVALID_ARGUMENT,
      "INVALID_REQUEST",
    ],
    [
      "a prompt longer than the model's context window",
      ask({ model: "gpt-test", messages: [{ role: Role.USER, content: "word ".repeat(130_000) }] }),
      grpc.status.INVALID_ARGUMENT,
      "INVALID_REQUEST",
    ],
  ])("refuses %s with a typed error", async (_what, request, code, reason) => {
    const err = await failure(unary(completion, "complete", request));
    expect(err.code).toBe(code);
    expect(errorDetails(err).errorInfo).toMatchObject({ reason, domain: "llm-gateway" });
  });

  it("rejects a prompt over the context window before any upstream call, naming the sizes", async () => {
    const before = h.upstream.requests.length;
    const err = await failure(
      unary(
        completion,
        "complete",
        ask({ model: "gpt-test", maxTokens: 1000, messages: [{ role: Role.USER, content: "word ".repeat(127_500) }] }),
      ),
    );
    expect(errorDetails(err).errorInfo?.metadata).toMatchObject({ field: "messages", context_window: "128000" });
    expect(h.upstream.requests.length).toBe(before);
    // Just under the window passes.
    await unary(
      completion,
      "complete",
      ask({ model: "gpt-test", maxTokens: 1000, messages: [{ role: Role.USER, content: "word ".repeat(120_000) }] }),
    );
  });

  it("turns an upstream 429 into Unavailable with the upstream's retry delay", async () => {
    h.upstream.enqueue({ status: 429, retryAfter: "7" });
    const err = await failure(unary(completion, "complete", ask()));
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    const d = errorDetails(err);
    expect(d.errorInfo?.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(d.errorInfo?.metadata["upstream_status"]).toBe("429");
    expect(d.retryDelayMs).toBe(7000);
    expect(err.metadata.get("retry-after")).toEqual(["7"]);
  });

  it("turns a rejected upstream key into FailedPrecondition, not Unauthenticated", async () => {
    h.upstream.enqueue({ status: 401 });
    const err = await failure(unary(completion, "complete", ask()));
    expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(errorDetails(err).errorInfo?.reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("bounds the upstream call by the caller's deadline and aborts it", async () => {
    h.upstream.enqueue({ hang: true });
    const index = h.upstream.requests.length;
    const started = Date.now();
    const err = await failure(unary(completion, "complete", ask(), { deadline: Date.now() + 300 }));
    expect(err.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2000);
    await h.upstream.waitForAbort(index);
    expect(h.upstream.requests[index]!.aborted).toBe(true);
  });

  it("aborts the upstream stream when the client cancels", async () => {
    h.upstream.enqueue({ text: "a b c d e f g h i j k l m n o p", chunkDelayMs: 50 });
    const index = h.upstream.requests.length;
    const call: grpc.ClientReadableStream<StreamCompleteResponse> = completion["streamComplete"]!(askStream());
    call.on("error", () => {});
    await new Promise<void>((resolve) => call.once("data", () => resolve()));
    call.cancel();
    await h.upstream.waitForAbort(index);
    expect(h.upstream.requests[index]!.aborted).toBe(true);
  });

  it("ends a stream cut mid-way with an error status, never silently", async () => {
    h.upstream.enqueue({ text: "one two three four five", abortAfterChunks: 2 });
    const { messages, error } = await readAll(completion["streamComplete"]!(askStream()));
    expect(messages.every((m) => m.event.case === "delta")).toBe(true);
    expect(messages.map((m) => (m.event.value as { text: string }).text).join("")).toBe("one two ");
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    const info = errorDetails(error!).errorInfo;
    expect(info?.reason).toBe("STREAM_INTERRUPTED");
    expect(info?.metadata["delivered_chars"]).toBe(String("one two ".length));
    // The cause is named: the upstream connection broke.
    expect(info?.metadata["upstream_reason"]).toBe("UPSTREAM_UNAVAILABLE");
  });

  it("treats an upstream stream that stops without a finish reason as interrupted", async () => {
    h.upstream.enqueue({ text: "half an answer", endWithoutFinish: true });
    const { messages, error } = await readAll(completion["streamComplete"]!(askStream({ model: "claude-test" })));
    expect(messages.every((m) => m.event.case === "delta")).toBe(true);
    expect(errorDetails(error!).errorInfo?.reason).toBe("STREAM_INTERRUPTED");
  });

  it("fails a stream that fails before its first token with the upstream's own error", async () => {
    h.upstream.enqueue({ status: 503 });
    const { messages, error } = await readAll(completion["streamComplete"]!(askStream()));
    expect(messages).toHaveLength(0);
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(errorDetails(error!).errorInfo?.reason).toBe("UPSTREAM_UNAVAILABLE");
  });

  it("refuses a request over the message size limit", async () => {
    const huge = "x".repeat(5 * 1024 * 1024);
    const err = await failure(unary(completion, "complete", ask({ messages: [{ role: Role.USER, content: huge }] })));
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});

describe("health over gRPC", () => {
  it("serves grpc.health.v1 for probes: Check, unknown services, List", async () => {
    const health = grpcClient(Health, h.grpcAddress);
    const res = await unary<HealthCheckResponse>(health, "check", create(HealthCheckRequestSchema, { service: "" }));
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const named = await unary<HealthCheckResponse>(
      health,
      "check",
      create(HealthCheckRequestSchema, { service: "llmgateway.v1.CompletionService" }),
    );
    expect(named.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const err = await failure(unary(health, "check", create(HealthCheckRequestSchema, { service: "nope.Service" })));
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    health.close();
  });

  it("Watch reports a provider going DEGRADED when its calls fail, and SERVING again after a success", async () => {
    const client = grpcClient(HealthService, h.grpcAddress);
    const call: grpc.ClientReadableStream<WatchResponse> = client["watch"]!(create(WatchRequestSchema, {}));
    const seen: WatchResponse[] = [];
    // Only snapshots from `from` on count: an earlier test may have left the provider degraded for another reason.
    const waitFor = (predicate: (r: WatchResponse) => boolean, from = 0) =>
      new Promise<WatchResponse>((resolve) => {
        const found = seen.slice(from).find(predicate);
        if (found) return resolve(found);
        const onData = (r: WatchResponse) => {
          if (predicate(r)) {
            call.off("data", onData);
            resolve(r);
          }
        };
        call.on("data", onData);
      });
    call.on("data", (r: WatchResponse) => seen.push(r));
    call.on("error", () => {});
    const openAiStatus = (r: WatchResponse) => r.dependencies.find((d) => d.name === "fake-openai")?.status;
    await unary(completion, "complete", ask());
    await waitFor((r) => openAiStatus(r) === ServingStatus.SERVING);
    const before = seen.length;
    h.upstream.enqueue({ status: 500 });
    await failure(unary(completion, "complete", ask()));
    const degraded = await waitFor((r) => openAiStatus(r) === ServingStatus.DEGRADED, before);
    expect(degraded.status).not.toBe(ServingStatus.SERVING);
    expect(degraded.dependencies.find((d) => d.name === "fake-openai")?.detail).toContain("500");
    await unary(completion, "complete", ask());
    await waitFor((r) => seen.indexOf(r) > seen.indexOf(degraded) && openAiStatus(r) === ServingStatus.SERVING);
    call.cancel();
    client.close();
  });
});
