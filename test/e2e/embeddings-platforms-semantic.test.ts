import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { CacheStatus, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { createApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/log.js";
import type { RunningServer } from "../../src/server/server.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * The semantic cache's gateway embedder on a Gemini embedding model: the cache's embeddings go through
 * the gateway's own pipeline to the Gemini API (batchEmbedContents), with the catalogue model's task.
 */

let upstream: FakeUpstream;
let server: RunningServer;
const env = { GEMINI_API_KEY: "g-key" };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      cache: { semantic: { enabled: true, embedder: "gateway", model: "gemini-similarity" } },
      providers: [
        { name: "chat", kind: "openai-compatible", baseUrl: upstream.openAiBaseUrl, apiKey: "sk", timeoutMs: 5000 },
        { name: "gemini", kind: "gemini", baseUrl: upstream.anthropicBaseUrl, timeoutMs: 5000 },
      ],
      defaultModel: "gpt-test",
      models: [
        { name: "gpt-test", provider: "chat", upstreamModel: "gpt-4o-mini" },
        {
          name: "gemini-similarity",
          provider: "gemini",
          upstreamModel: "gemini-embedding-001",
          type: "embedding",
          dimensions: 3072,
          task: "similarity",
          pricing: { inputPerMillion: 0.15 },
        },
      ],
    },
    env,
  );
  server = await createApp(config, { logger: silentLogger, env }).start();
});
afterAll(async () => {
  await server.close(0);
  await upstream.close();
});

const ask = (content: string) => ({ model: "gpt-test", temperature: 0, user: "ann", messages: [{ role: Role.USER, content }] });

describe("the semantic cache on a Gemini embedding model", () => {
  it("answers a paraphrase from the cache, its embeddings made by the Gemini API with the model's task", async () => {
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` });
    const client = createClient(CompletionService, transport);
    upstream.enqueue({ text: "Paris." });
    expect((await client.complete(ask("What is the capital of France?"))).completion?.cacheStatus).toBe(CacheStatus.MISS);
    const cache = createClient(CacheService, transport);
    // The query is indexed after the answer has gone out; the first call also loads @google/genai, which takes a while.
    await vi.waitFor(async () => expect((await cache.getCacheStats({})).stats!.semanticEntries).toBe(1n), {
      timeout: 15_000,
      interval: 50,
    });
    const para = await client.complete(ask("Tell me the capital of France."));
    expect([para.completion?.cacheStatus, para.completion?.message?.content]).toEqual([CacheStatus.HIT_SEMANTIC, "Paris."]);
    const embeds = upstream.requests.filter((r) => r.path === "/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(embeds.length).toBeGreaterThanOrEqual(2);
    const sent = embeds.flatMap((r) => r.body["requests"] as { taskType?: string; content: { parts: { text: string }[] } }[]);
    expect(sent.every((r) => r.taskType === "SEMANTIC_SIMILARITY")).toBe(true);
    expect(sent.some((r) => r.content.parts[0]?.text === "Tell me the capital of France.")).toBe(true);
  });
});
