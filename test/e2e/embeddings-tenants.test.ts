import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CompletionService, ModelType } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { create } from "@bufbuild/protobuf";
import { type EmbedResponse, EmbedRequestSchema, EmbeddingService } from "../../gen/ts/llmgateway/v1/embedding_service_pb.js";
import { CacheStatus, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { bearer, digest } from "../support/auth.js";
import { embeddingModels } from "../support/embedding-models.js";
import { errorDetails, grpcClient, unary } from "../support/grpc-client.js";
import { startHarness, type Harness } from "../support/harness.js";
import * as grpc from "@grpc/grpc-js";

const KEYS = { ops: "sk-ops", acme: "sk-acme", slow: "sk-slow", thrifty: "sk-thrifty", frugal: "sk-frugal" };

/** A model dear enough for a budget to bite: $1,000 per million tokens. */
const pricey = {
  name: "embed-pricey",
  provider: "fake-openai",
  upstreamModel: "text-embedding-3-large",
  type: "embedding",
  pricing: { inputPerMillion: 1000 },
};

let h: Harness;
let lines: Record<string, unknown>[];
beforeAll(async () => {
  lines = [];
  h = await startHarness({
    extraModels: [...embeddingModels, pricey],
    breaker: { volumeThreshold: 1, errorThresholdPercentage: 1 },
    logSink: (l) => lines.push(JSON.parse(l)),
    auth: {
      tenants: [
        { name: "ops", keys: [{ sha256: digest(KEYS.ops) }], admin: true },
        { name: "acme", keys: [{ sha256: digest(KEYS.acme) }] },
        { name: "slow", keys: [{ sha256: digest(KEYS.slow) }], limits: { tokensPerMinute: 100 } },
        // 10 tokens of embed-pricey cost $0.01.
        { name: "thrifty", keys: [{ sha256: digest(KEYS.thrifty) }], budget: { dailyUsd: 0.005 } },
        { name: "frugal", keys: [{ sha256: digest(KEYS.frugal) }], userBudget: { dailyUsd: 0.005 } },
      ],
    },
  });
});
afterAll(() => h.close());

const sdk = (key: string) => new OpenAI({ apiKey: key, baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
const embedder = (key: string) => createClient(EmbeddingService, h.rpcTransport({ interceptors: [bearer(key)] }));
const admin = () => createClient(AdminService, h.rpcTransport({ interceptors: [bearer(KEYS.ops)] }));
const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(" ");

describe("embedding calls per tenant", () => {
  it("record usage and cost per tenant and model, a cache hit as a saving", async () => {
    const input = words(10, "usage");
    await sdk(KEYS.acme).embeddings.create({ model: "embed-pricey", input, user: "ann" });
    await sdk(KEYS.acme).embeddings.create({ model: "embed-pricey", input, user: "ann" });
    const rows = (await admin().getUsage({ tenant: "acme" })).rows.filter((r) => r.model === "embed-pricey");
    expect(rows).toHaveLength(1);
    // Ten tokens at $1,000 per million, once; the second call came from the cache, and saved as much.
    expect(rows[0]).toMatchObject({ tenant: "acme", user: "ann", requests: 2n, inputTokens: 10n, outputTokens: 0n, savedTokens: 10n });
    expect(rows[0]!.costUsd).toBeCloseTo(0.01, 9);
    expect(rows[0]!.savedCostUsd).toBeCloseTo(0.01, 9);
    const line = lines.find((l) => l["msg"] === "call" && l["method"] === "openai.rest/embeddings");
    expect(line).toMatchObject({ model: "embed-pricey", provider: "fake-openai", input_tokens: 10, cache: "miss", cost_usd: 0.01 });
  });

  it("count calls cheaper than a micro-dollar: their remainders add up rather than round away", async () => {
    // Ten tokens at $0.02 per million: $0.0000002 a call; five calls make one micro-dollar.
    for (let i = 0; i < 5; i++)
      await sdk(KEYS.acme).embeddings.create({ model: "embed-small", input: words(10, `cheap${i}-`), user: "bea" });
    const rows = (await admin().getUsage({ tenant: "acme" })).rows.filter((r) => r.model === "embed-small" && r.user === "bea");
    expect(rows[0]).toMatchObject({ requests: 5n, inputTokens: 50n });
    expect(rows[0]!.costUsd).toBeCloseTo(50 * 0.02e-6, 9);
  });

  it("are refused by a token rate limit once the counted input passes it, before any upstream call", async () => {
    // " hello" and " world" are one token each in cl100k_base, the model's tokenizer, as they are words to the fake.
    await sdk(KEYS.slow).embeddings.create({ model: "embed-small", input: Array(30).fill("hello").join(" ") });
    const before = h.upstream.requests.length;
    const err = (await sdk(KEYS.slow)
      .embeddings.create({ model: "embed-small", input: Array(80).fill("world").join(" ") })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(429);
    expect(err.error).toMatchObject({ code: "rate_limited" });
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(h.upstream.requests.length).toBe(before);
  });

  it("are refused by a budget the call could pass, and admitted and settled when it fits", async () => {
    const before = h.upstream.requests.length;
    const err = ConnectError.from(
      await embedder(KEYS.thrifty)
        .embed({ model: "embed-pricey", inputs: [{ input: { case: "text", value: words(10, "budget") } }] })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("BUDGET_EXCEEDED");
    expect(h.upstream.requests.length).toBe(before);
    const ok = await embedder(KEYS.thrifty).embed({ model: "embed-pricey", inputs: [{ input: { case: "text", value: "two words" } }] });
    expect(ok.costUsd).toBeCloseTo(2 * 1000e-6, 9);
    const status = await admin().getTenantStatus({ tenant: "thrifty" });
    expect(status.spentTodayUsd).toBeCloseTo(ok.costUsd, 6);
  });

  it("are refused at the end user's level of the budget, like completions", async () => {
    const call = (user: string) =>
      embedder(KEYS.frugal).embed({ model: "embed-pricey", user, inputs: [{ input: { case: "text", value: words(10, "user") } }] });
    const err = ConnectError.from(await call("ann").catch((e: unknown) => e));
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata).toMatchObject({ level: "user", period: "daily" });
    // Without a user there is no user level, and the tenant has no cap.
    expect((await call("")).costUsd).toBeCloseTo(10 * 1000e-6, 9);
  });

  it("end as CANCELLED when the caller cancels, the provider unblamed, the next call served", async () => {
    h.upstream.enqueue({ hang: true });
    const abort = new AbortController();
    const index = h.upstream.requests.length;
    const call = embedder(KEYS.acme).embed(
      { model: "embed-small", inputs: [{ input: { case: "text", value: "wait for me" } }] },
      { signal: abort.signal },
    );
    await vi.waitFor(() => expect(h.upstream.requests.length).toBe(index + 1), { timeout: 10_000 });
    abort.abort();
    expect(ConnectError.from(await call.catch((e: unknown) => e)).code).toBe(Code.Canceled);
    await h.upstream.waitForAbort(index);
    await vi.waitFor(
      () => expect(lines.find((l) => l["method"] === "llmgateway.v1.EmbeddingService/Embed" && l["code"] === "canceled")).toBeDefined(),
      { timeout: 10_000 },
    );
    const deployment = "fake-openai/text-embedding-3-small";
    expect(h.app.gateway.stats.get(deployment)?.failures ?? 0).toBe(0);
    expect(h.app.gateway.breakers.state(deployment)).toBe("closed");
    const next = await embedder(KEYS.acme).embed({ model: "embed-small", inputs: [{ input: { case: "text", value: "wait for me" } }] });
    expect(next.provider).toBe("fake-openai");
  });
});

describe("EmbeddingService.Embed with a deadline", () => {
  it("ends as DEADLINE_EXCEEDED when the caller's deadline passes, the upstream request ended, the provider unblamed", async () => {
    h.upstream.enqueue({ hang: true });
    const index = h.upstream.requests.length;
    const err = ConnectError.from(
      await embedder(KEYS.acme)
        .embed({ model: "embed-dual", inputs: [{ input: { case: "text", value: "no time" } }] }, { timeoutMs: 300 })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.DeadlineExceeded);
    await h.upstream.waitForAbort(index);
    // The deadline is the caller's: no fallback to the second deployment, no failure counted.
    expect(h.upstream.requests.length).toBe(index + 1);
    expect(h.app.gateway.stats.get("fake-openai/text-embedding-3-small")?.failures ?? 0).toBe(0);
  });
});

describe("EmbeddingService.Embed", () => {
  const request = (text: string) =>
    create(EmbedRequestSchema, {
      model: "embed-small",
      inputs: [{ input: { case: "text", value: text } }, { input: { case: "text", value: "" } }],
    });

  it("answers on the native gRPC listener (grpc-js), with the cache status in the headers", async () => {
    const client = grpcClient(EmbeddingService, h.grpcAddress);
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${KEYS.acme}`);
    let headers: grpc.Metadata | undefined;
    const res = await new Promise<EmbedResponse>((resolve, reject) => {
      const call = client["embed"]!(
        create(EmbedRequestSchema, { model: "embed-small", inputs: [{ input: { case: "text", value: "grpc native" } }], dimensions: 16 }),
        metadata,
        (err: grpc.ServiceError | null, r: EmbedResponse) => (err ? reject(err) : resolve(r)),
      );
      call.on("metadata", (m: grpc.Metadata) => (headers = m));
    });
    expect(res.embeddings).toHaveLength(1);
    expect(res.embeddings[0]!.values).toHaveLength(16);
    expect(res).toMatchObject({ provider: "fake-openai", model: "text-embedding-3-small", cacheStatus: CacheStatus.MISS });
    expect(res.usage?.inputTokens).toBe(2n);
    expect(headers?.get("x-cache-status")).toEqual(["miss"]);
    expect(h.upstream.requests.at(-1)?.body).toMatchObject({ dimensions: 16, input: ["grpc native"] });
    // Without a key: refused. An empty input: refused with the field named as this face names it.
    const err = (await unary(client, "embed", request("x"), {}).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    const bad = new grpc.Metadata();
    bad.set("authorization", `Bearer ${KEYS.acme}`);
    const refused = await new Promise<grpc.ServiceError>((resolve) =>
      client["embed"]!(request("x"), bad, (e: grpc.ServiceError | null) => resolve(e!)),
    );
    expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorDetails(refused).errorInfo?.metadata["field"]).toBe("inputs[1]");
    expect(refused.details).toMatch(/^inputs\[1\]: must not be empty/);
    client.close();
  });

  it.each([
    ["gRPC-Web", createGrpcWebTransport],
    ["Connect", createConnectTransport],
  ])("answers on the browser listener (%s)", async (name, transport) => {
    const ids = [11, 22, name.length];
    const client = createClient(EmbeddingService, transport({ baseUrl: h.httpUrl, httpVersion: "1.1", interceptors: [bearer(KEYS.acme)] }));
    const res = await client.embed({
      model: "embed-small",
      inputs: [{ input: { case: "tokens", value: { ids } } }],
      cache: { noStore: true },
    });
    expect(res.embeddings[0]!.values).toHaveLength(256);
    expect(h.upstream.requests.at(-1)?.body["input"]).toEqual([ids]);
    // Not stored: the same call again goes upstream.
    const before = h.upstream.requests.length;
    await client.embed({ model: "embed-small", inputs: [{ input: { case: "tokens", value: { ids } } }] });
    expect(h.upstream.requests.length).toBe(before + 1);
  });

  it("CompletionService refuses an embedding model (Complete, StreamComplete, CountTokens), naming model", async () => {
    const completions = createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(KEYS.acme)] }));
    const ask = { model: "embed-small", messages: [{ role: Role.USER, content: "hi" }] };
    const refusals = [
      await completions.complete(ask).catch((e: unknown) => e),
      await (async () => {
        for await (const _ of completions.streamComplete(ask));
      })().catch((e: unknown) => e),
      await completions.countTokens(ask).catch((e: unknown) => e),
    ].map((e) => ConnectError.from(e));
    for (const err of refusals) {
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.findDetails(ErrorInfoSchema)[0]?.metadata["field"]).toBe("model");
      expect(err.rawMessage).toMatch(/embedding model/);
    }
  });

  it("ListModels says each model's type and an embedding model's size", async () => {
    const { models } = await createClient(CompletionService, h.rpcTransport({ interceptors: [bearer(KEYS.acme)] })).listModels({});
    expect(models.find((m) => m.name === "embed-small")).toMatchObject({ type: ModelType.EMBEDDING, embeddingDimensions: 256 });
    expect(models.find((m) => m.name === "gpt-test")).toMatchObject({ type: ModelType.CHAT, embeddingDimensions: 0 });
  });
});
