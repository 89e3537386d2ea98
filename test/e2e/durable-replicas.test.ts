import Anthropic from "@anthropic-ai/sdk";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { createRedisUsageStore } from "../../src/usage/redis-store.js";
import { dayOf } from "../../src/usage/store.js";
import { ask, readGrpc } from "../support/durable-clients.js";
import { answerFor, promptIn } from "../support/fake-continuation.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";
import { rpcTransportTo, startHarness, type Harness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";
import { startReplicaProcess } from "../support/replica-process.js";

/*
 * Two replicas, one Redis. A replica dies mid-stream (closed, or killed outright in a child process):
 * the caller resumes on the other, which takes the generation over and continues it from the answer
 * recorded so far; the caller receives every token once. A hundred calls under one idempotency key,
 * split across both replicas, make one upstream call and one bill, and get one answer.
 */

const FULL = "The quick brown fox jumps over the lazy dog, and then it runs far away into the green woods.";
const redis = redisForFile();
const durable = { store: "redis", resumableStreams: true, leaseMs: 300, graceMs: 10_000 };

let b: Harness;
beforeAll(async () => {
  b = await startHarness({ redisUrl: redis.server.url, durable, usage: { store: "redis" } });
});
afterAll(() => b.close());
beforeEach(() => {
  // Replica B continues what it is asked to continue, starting two words early as models do; the splice trims them.
  b.upstream.setScript((req) => ({ text: answerFor(req.body, FULL, 2), chunkDelayMs: 5 }));
});

/** The request ids of an upstream's calls for one prompt. */
const callsFor = (upstream: FakeUpstream, prompt: string) => upstream.requests.filter((r) => promptIn(r.body) === prompt);

describe("a replica dies mid-stream", () => {
  let a: Harness | undefined;
  afterEach(async () => {
    await a?.close().catch(() => {});
    a = undefined;
  });

  it("closed: the stream is handed over, and the caller resumes on the other replica with every token once", async () => {
    a = await startHarness({ redisUrl: redis.server.url, durable, usage: { store: "redis" } });
    a.upstream.setDefault({ text: FULL, chunkDelayMs: 40 });
    const replicaA = a;
    const first = await readGrpc(a.rpcTransport(), {
      prompt: "Tell me about the fox.",
      expectFailure: true,
      onDelta: (n) => {
        if (n === 3) void replicaA.server.close(0);
      },
    });
    expect(first.done).toBe(false);
    expect(first.text.length).toBeGreaterThan(0);
    const rest = await readGrpc(b.rpcTransport(), { resume: { token: first.token!, lastEventId: BigInt(first.lastId!) } });
    expect(first.text + rest.text).toBe(FULL);
    expect(rest.completion?.message?.content).toBe(FULL);
    expect(rest.completion?.attempts.at(-1)?.continuation).toBe(true);
    // B was asked only to continue: its one call carried the partial answer.
    expect(callsFor(b.upstream, "Tell me about the fox.")).toHaveLength(1);
  });

  it("killed outright (SIGKILL): once its lease lapses the other replica takes over, every token once", async () => {
    const upstreamA = await startFakeUpstream();
    upstreamA.setDefault({ text: FULL, chunkDelayMs: 40 });
    const replica = await startReplicaProcess({
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0 },
      defaultModel: "gpt-test",
      redis: { url: redis.server.url },
      durable,
      usage: { store: "redis" },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [{ name: "fake-openai", kind: "openai-compatible", baseUrl: upstreamA.openAiBaseUrl, apiKey: "sk-test" }],
      models: [{ name: "gpt-test", provider: "fake-openai", upstreamModel: "gpt-4o-mini" }],
    });
    try {
      const first = await readGrpc(rpcTransportTo(replica), {
        prompt: "Tell me about the fox, again.",
        expectFailure: true,
        onDelta: (n) => {
          if (n === 4) void replica.kill();
        },
      });
      expect(first.done).toBe(false);
      expect(first.error).toBeInstanceOf(ConnectError);
      const rest = await readGrpc(b.rpcTransport(), { resume: { token: first.token!, lastEventId: BigInt(first.lastId!) } });
      expect(first.text + rest.text).toBe(FULL);
      expect(rest.completion?.message?.content).toBe(FULL);
      expect(callsFor(upstreamA, "Tell me about the fox, again.")).toHaveLength(1);
      expect(callsFor(b.upstream, "Tell me about the fox, again.")).toHaveLength(1);
    } finally {
      await replica.kill();
      await upstreamA.close();
    }
  });
});

describe("idempotency keys across replicas", () => {
  let a: Harness;
  beforeAll(async () => {
    a = await startHarness({ redisUrl: redis.server.url, durable, usage: { store: "redis" } });
  });
  afterAll(() => a.close());

  const keyed = (key: string) => ({ headers: { "idempotency-key": key } });

  it("100 concurrent calls under one key, split across two replicas: one upstream call, one bill, one answer", async () => {
    for (const h of [a, b]) h.upstream.setScript(() => ({ text: "Forty-two, once.", chunkDelayMs: 20 }));
    const prompt = "What is the answer? (idempotent)";
    const clients = [createClient(CompletionService, a.rpcTransport()), createClient(CompletionService, b.rpcTransport())];
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => clients[i % 2]!.complete(ask(prompt), keyed("order-42"))));
    expect(callsFor(a.upstream, prompt).length + callsFor(b.upstream, prompt).length).toBe(1);
    expect(new Set(answers.map((r) => r.completion?.id)).size).toBe(1);
    expect(new Set(answers.map((r) => r.completion?.message?.content))).toEqual(new Set(["Forty-two, once."]));
    // A retry after the call ended gets the stored answer, on either replica.
    const later = await clients[1]!.complete(ask(prompt), keyed("order-42"));
    expect(later.completion?.id).toBe(answers[0]?.completion?.id);
    expect(callsFor(a.upstream, prompt).length + callsFor(b.upstream, prompt).length).toBe(1);
    // One bill: the usage store shared by both replicas counts one request for the model.
    const usage = createRedisUsageStore(new Redis(redis.server.url));
    try {
      const today = dayOf(Date.now());
      const requests = async () =>
        (await usage.query({ fromDay: today, toDay: today })).filter((r) => r.model === "gpt-test").reduce((n, r) => n + r.requests, 0);
      await vi.waitFor(async () => expect(await requests()).toBeGreaterThan(0));
      expect(await requests()).toBe(1);
    } finally {
      await usage.close();
    }
  });

  it("a streamed call under a key is joined by a stream on the other replica, which replays it whole", async () => {
    for (const h of [a, b]) h.upstream.setScript(() => ({ text: FULL, chunkDelayMs: 10 }));
    const prompt = "Stream it once.";
    const headers = { "idempotency-key": "stream-7" };
    const [one, two] = await Promise.all([
      readGrpc(a.rpcTransport(), { prompt, headers }),
      readGrpc(b.rpcTransport(), { prompt, headers }),
    ]);
    expect(one.text).toBe(FULL);
    expect(two.text).toBe(FULL);
    expect(two.completion?.id).toBe(one.completion?.id);
    expect(callsFor(a.upstream, prompt).length + callsFor(b.upstream, prompt).length).toBe(1);
  });

  it("the Anthropic face through @anthropic-ai/sdk: one key, two replicas, one upstream call", async () => {
    for (const h of [a, b]) h.upstream.setScript(() => ({ text: "Once, in Claude's words.", chunkDelayMs: 10 }));
    const prompt = "Anthropic, once.";
    const sdks = [a, b].map((h) => new Anthropic({ apiKey: "unused", baseURL: h.httpUrl, maxRetries: 0 }));
    const body = { model: "gpt-test", max_tokens: 100, messages: [{ role: "user" as const, content: prompt }] };
    const options = { headers: { "idempotency-key": "anthropic-1" } };
    const [unary, streamed] = await Promise.all([
      sdks[0]!.messages.create(body, options),
      sdks[1]!.messages.stream(body, options).finalMessage(),
    ]);
    expect(unary.content).toEqual(streamed.content);
    expect(callsFor(a.upstream, prompt).length + callsFor(b.upstream, prompt).length).toBe(1);
  });

  it("refuses the same key with a different request, typed, on either replica", async () => {
    for (const h of [a, b]) h.upstream.setScript(() => ({ text: "First." }));
    const client = createClient(CompletionService, a.rpcTransport());
    await client.complete(ask("First request."), keyed("reused-1"));
    const other = createClient(CompletionService, b.rpcTransport());
    const err = await other.complete(ask("Another request."), keyed("reused-1")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((err as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("IDEMPOTENCY_KEY_REUSED");
    // Over REST: 422, OpenAI's error shape.
    const res = await fetch(`${b.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "reused-1" },
      body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "Yet another." }] }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("idempotency_key_reused");
  });
});
