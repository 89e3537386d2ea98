import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService, ModelType } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { EmbeddingService } from "../../gen/ts/llmgateway/v1/embedding_service_pb.js";
import { createApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/log.js";
import type { RunningServer } from "../../src/server/server.js";
import { FAKE_AWS_SECRET } from "../support/fake-bedrock.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Embeddings on the Gemini API, Vertex AI (express mode) and Bedrock (Titan, Cohere) behind the whole
 * gateway: callers use POST /v1/embeddings through the openai SDK and gRPC Embed; the gateway calls the
 * fake upstream through @google/genai and @aws-sdk/client-bedrock-runtime.
 */

let upstream: FakeUpstream;
let server: RunningServer;
let sdk: OpenAI;
let grpc: ReturnType<typeof createClient<typeof EmbeddingService>>;
const env = { GEMINI_API_KEY: "g-key", VERTEX_API_KEY: "v-key", AWS_ACCESS_KEY_ID: "AKIDE2E", AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET };
const embedding = { type: "embedding" as const };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const google = { baseUrl: upstream.anthropicBaseUrl, timeoutMs: 5000 };
  const aws = { endpoint: upstream.anthropicBaseUrl, timeoutMs: 5000 };
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [
        { name: "gemini", kind: "gemini", ...google },
        { name: "vertex", kind: "vertex", apiKeyEnv: "VERTEX_API_KEY", ...google },
        { name: "bedrock-east", kind: "bedrock", region: "us-east-1", ...aws },
        { name: "bedrock-west", kind: "bedrock", region: "us-west-2", ...aws },
      ],
      models: [
        {
          name: "gemini-docs",
          provider: "gemini",
          upstreamModel: "gemini-embedding-001",
          ...embedding,
          dimensions: 3072,
          contextWindow: 2048,
          task: "retrieval-document",
          pricing: { inputPerMillion: 0.15 },
        },
        {
          name: "vertex-queries",
          provider: "vertex",
          upstreamModel: "text-embedding-005",
          ...embedding,
          dimensions: 768,
          task: "retrieval-query",
          pricing: { inputPerMillion: 0.1 },
        },
        {
          name: "titan",
          provider: "bedrock-east",
          upstreamModel: "amazon.titan-embed-text-v2:0",
          ...embedding,
          dimensions: 1024,
          pricing: { inputPerMillion: 0.02 },
        },
        {
          name: "titan-anywhere",
          upstreamModel: "amazon.titan-embed-text-v2:0",
          deployments: [
            { provider: "bedrock-east", priority: 0 },
            { provider: "bedrock-west", priority: 1 },
          ],
          ...embedding,
          dimensions: 1024,
          pricing: { inputPerMillion: 0.02 },
        },
        {
          name: "cohere-docs",
          provider: "bedrock-east",
          upstreamModel: "cohere.embed-english-v3",
          ...embedding,
          dimensions: 1024,
          task: "retrieval-document",
          pricing: { inputPerMillion: 0.1 },
        },
        {
          name: "gemini-anywhere",
          upstreamModel: "gemini-embedding-001",
          deployments: [
            { provider: "gemini", priority: 0 },
            { provider: "vertex", priority: 1 },
          ],
          ...embedding,
          dimensions: 3072,
        },
      ],
    },
    env,
  );
  server = await createApp(config, { logger: silentLogger, env }).start();
  sdk = new OpenAI({ apiKey: "unused", baseURL: `http://127.0.0.1:${server.httpPort}/v1`, maxRetries: 0 });
  grpc = createClient(EmbeddingService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` }));
});
afterAll(async () => {
  await server.close(0);
  await upstream.close();
});
beforeEach(() => upstream.setDefault({}));

let n = 0;
/** Texts no other test embeds, so that the exact cache never answers. */
const fresh = (...texts: string[]) => texts.map((t) => `${t} w${++n}`);
type WithGateway = { llm_gateway?: { provider: string; cost_usd: number; usage_estimated?: boolean } };

// model, provider, the path of its upstream call, the tokens of two texts of 2 and 3 words as the provider counts them
// (none: the Gemini API), the price, and the vector size asked for (Cohere Embed v3 has one size, 1024).
describe.each([
  ["gemini-docs", "gemini", "/v1beta/models/gemini-embedding-001:batchEmbedContents", undefined, 0.15, 256],
  ["vertex-queries", "vertex", "/v1beta1/publishers/google/models/text-embedding-005:predict", 5, 0.1, 256],
  ["titan", "bedrock-east", `/model/${encodeURIComponent("amazon.titan-embed-text-v2:0")}/invoke`, 5, 0.02, 256],
  ["cohere-docs", "bedrock-east", `/model/${encodeURIComponent("cohere.embed-english-v3")}/invoke`, 5, 0.1, undefined],
])("%s behind the gateway", (model, provider, path, providerTokens, price, dimensions) => {
  it("answers POST /v1/embeddings with vectors in order, usage and cost", async () => {
    const input = fresh("one", "three four");
    const asked = dimensions === undefined ? {} : { dimensions };
    const { data } = await sdk.embeddings.create({ model, input, ...asked, encoding_format: "float" }).withResponse();
    expect(data.data.map((d) => [d.index, d.embedding.length])).toEqual([
      [0, dimensions ?? 1024],
      [1, dimensions ?? 1024],
    ]);
    expect(upstream.requests.at(-1)!.path).toBe(path);
    const gateway = (data as WithGateway).llm_gateway;
    expect(gateway?.provider).toBe(provider);
    // The Gemini API counts no tokens: the gateway counts them and says so.
    expect(gateway?.usage_estimated).toBe(providerTokens === undefined ? true : undefined);
    if (providerTokens !== undefined) expect(data.usage.prompt_tokens).toBe(providerTokens);
    expect(gateway?.cost_usd).toBeCloseTo((data.usage.prompt_tokens * price) / 1e6, 15);
  });

  it("answers gRPC Embed alike", async () => {
    const res = await grpc.embed({ model, inputs: fresh("alpha beta", "gamma").map((text) => ({ input: { case: "text", value: text } })) });
    expect(res.embeddings.map((e) => e.index)).toEqual([0, 1]);
    expect(res.provider).toBe(provider);
    expect(res.usage?.estimated).toBe(providerTokens === undefined);
    expect(res.usage?.inputTokens).toBeGreaterThan(0n);
  });

  it("passes the provider's 429 on with its retry delay", async () => {
    upstream.enqueue({ status: 429, retryAfter: "2" });
    const err = ConnectError.from(
      await grpc.embed({ model, inputs: [{ input: { case: "text", value: fresh("x")[0]! } }] }).catch((e: unknown) => e),
    );
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay?.seconds).toBe(2n);
  });

  it("fails as FAILED_PRECONDITION when the provider refuses the gateway's credentials", async () => {
    upstream.enqueue({ status: 403 });
    const err = ConnectError.from(
      await grpc.embed({ model, inputs: [{ input: { case: "text", value: fresh("x")[0]! } }] }).catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("refuses token ids naming input", async () => {
    const err = ConnectError.from(
      await grpc.embed({ model, inputs: [{ input: { case: "tokens", value: { ids: [1, 2, 3] } } }] }).catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.InvalidArgument);
    // The gRPC face names its own field.
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata["field"]).toBe("inputs");
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const index = upstream.requests.length;
    const controller = new AbortController();
    const pending = sdk.embeddings.create({ model, input: fresh("cancel me") }, { signal: controller.signal }).catch(() => undefined);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending;
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });
});

describe("platform embeddings among other deployments", () => {
  it("fails over from a Gemini API 5xx to Vertex AI's deployment of the same model", async () => {
    upstream.enqueue({ status: 503 });
    const res = await sdk.embeddings.create({ model: "gemini-anywhere", input: fresh("failover") });
    expect((res as WithGateway).llm_gateway?.provider).toBe("vertex");
    const [first, second] = upstream.requests.slice(-2);
    expect(first?.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(second?.path).toBe("/v1beta1/publishers/google/models/gemini-embedding-001:predict");
  });

  it("fails over from a Bedrock 5xx in one region to the other", async () => {
    upstream.enqueue({ status: 500 });
    const res = await sdk.embeddings.create({ model: "titan-anywhere", input: fresh("failover") });
    expect((res as WithGateway).llm_gateway?.provider).toBe("bedrock-west");
    expect(upstream.requests.slice(-2).map((r) => r.bedrock?.region)).toEqual(["us-east-1", "us-west-2"]);
  });

  it("sends the catalogue model's task as each provider names it", async () => {
    await sdk.embeddings.create({ model: "gemini-docs", input: fresh("task") });
    expect((upstream.requests.at(-1)!.body["requests"] as { taskType?: string }[])[0]?.taskType).toBe("RETRIEVAL_DOCUMENT");
    await sdk.embeddings.create({ model: "vertex-queries", input: fresh("task") });
    expect((upstream.requests.at(-1)!.body["instances"] as { task_type?: string }[])[0]?.task_type).toBe("RETRIEVAL_QUERY");
    await sdk.embeddings.create({ model: "cohere-docs", input: fresh("task") });
    expect(upstream.requests.at(-1)!.body["input_type"]).toBe("search_document");
  });

  it("lists them in ListModels as embedding models with their size and provider kind", async () => {
    const list = createClient(CompletionService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` }));
    const { models } = await list.listModels({});
    expect(models.find((m) => m.name === "titan")).toMatchObject({
      type: ModelType.EMBEDDING,
      embeddingDimensions: 1024,
      providerKind: "bedrock",
    });
    expect(models.find((m) => m.name === "vertex-queries")).toMatchObject({ type: ModelType.EMBEDDING, providerKind: "vertex" });
  });
});
