import { Code, ConnectError, createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * A caller's own action (cancel, deadline, disconnect) is never a provider's
 * failure: the deployment's statistics, breaker and health are untouched, the
 * call is recorded as CANCELLED or DEADLINE_EXCEEDED, and the next caller is
 * served. Breakers here open on a single failure, so any blame would show.
 */
const models = [
  { model: "gpt-test", provider: "fake-openai", deployment: "fake-openai/gpt-4o-mini" },
  { model: "gpt-sdk", provider: "fake-openai-sdk", deployment: "fake-openai-sdk/gpt-4o-mini" },
  { model: "claude-test", provider: "fake-anthropic", deployment: "fake-anthropic/claude-haiku-4-5" },
];
const SLOW = { text: Array.from({ length: 40 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 50 };

let h: Harness;
let lines: Record<string, unknown>[];
beforeEach(async () => {
  lines = [];
  h = await startHarness({ breaker: { volumeThreshold: 1, errorThresholdPercentage: 1 }, logSink: (l) => lines.push(JSON.parse(l)) });
});
afterEach(() => h.close());

const grpc = () => createClient(CompletionService, h.rpcTransport());

async function expectUnblamed(provider: string, deployment: string, code: string, method: string): Promise<void> {
  // The server finishes its side after the client has gone: wait for its access line.
  await vi.waitFor(() => expect(lines.find((l) => l["msg"] === "call" && l["method"] === method && l["code"] !== "ok")).toBeDefined(), {
    timeout: 5000,
  });
  const line = lines.find((l) => l["msg"] === "call" && l["method"] === method && l["code"] !== "ok")!;
  expect(line["code"]).toBe(code);
  const stats = h.app.gateway.stats.get(deployment);
  expect(stats?.failures ?? 0).toBe(0);
  expect(stats?.lastError).toBeUndefined();
  expect(h.app.gateway.breakers.state(deployment)).toBe("closed");
  expect(h.app.gateway.health.snapshot().dependencies.find((d) => d.name === provider)?.status).toBe("serving");
  const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
  expect(metrics).toMatch(new RegExp(`llmgw_requests_total\\{[^}]*code="${code}"[^}]*\\} 1`));
  expect(metrics).not.toMatch(/llmgw_requests_total\{[^}]*code="unavailable"/);
}

describe.each(models)("a caller's own ending with $provider", ({ model, provider, deployment }) => {
  it("gRPC cancel mid-stream: CANCELLED, the provider unblamed, the next call served", async () => {
    h.upstream.enqueue(SLOW);
    const abort = new AbortController();
    const stream = grpc().streamComplete({ model, messages: [{ role: Role.USER, content: "long please" }] }, { signal: abort.signal });
    let error: ConnectError | undefined;
    try {
      for await (const e of stream) if (e.event.case === "delta") abort.abort();
    } catch (e) {
      error = ConnectError.from(e);
    }
    expect(error?.code).toBe(Code.Canceled);
    await h.upstream.waitForAbort(0);
    await expectUnblamed(provider, deployment, "canceled", "llmgateway.v1.CompletionService/StreamComplete");
    const next = await grpc().complete({ model, messages: [{ role: Role.USER, content: "again" }] });
    expect(next.completion?.provider).toBe(provider);
  });

  it("gRPC deadline mid-stream: DEADLINE_EXCEEDED, the provider unblamed, the next call served", async () => {
    h.upstream.enqueue(SLOW);
    let error: ConnectError | undefined;
    let deltas = 0;
    try {
      for await (const e of grpc().streamComplete({ model, messages: [{ role: Role.USER, content: "long please" }] }, { timeoutMs: 400 })) {
        if (e.event.case === "delta") deltas++;
      }
    } catch (e) {
      error = ConnectError.from(e);
    }
    expect(deltas).toBeGreaterThan(0);
    expect(error?.code).toBe(Code.DeadlineExceeded);
    await h.upstream.waitForAbort(0);
    await expectUnblamed(provider, deployment, "deadline_exceeded", "llmgateway.v1.CompletionService/StreamComplete");
    const next = await grpc().complete({ model, messages: [{ role: Role.USER, content: "again" }] });
    expect(next.completion?.provider).toBe(provider);
  });

  it("REST client closing mid-SSE: CANCELLED, the provider unblamed, the next call served", async () => {
    h.upstream.enqueue(SLOW);
    const sdk = new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
    const stream = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "long please" }], stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        stream.controller.abort();
        break;
      }
    }
    await h.upstream.waitForAbort(0);
    await expectUnblamed(provider, deployment, "canceled", "openai.rest/chat.completions");
    const next = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "again" }] });
    expect(next.choices[0]?.message.content).toBeTruthy();
  });
});
