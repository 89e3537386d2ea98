import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AdminService } from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { CacheStatus, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { embeddingModels } from "../support/embedding-models.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    extraModels: embeddingModels,
    cache: { semantic: { enabled: true, embedder: "gateway", model: "embed-small", verify: { enabled: false } } },
  });
});
afterAll(() => h.close());

const ask = (content: string) => ({ model: "gpt-test", temperature: 0, user: "ann", messages: [{ role: Role.USER, content }] });

describe("the semantic cache embedding with one of the gateway's own models", () => {
  it("answers a paraphrase from the cache, its embeddings made through the gateway's pipeline and counted apart", async () => {
    // Nothing is embedded at start-up: a provider down then would hold the gateway's start.
    expect(h.upstream.requests.filter((r) => r.path === "/v1/embeddings")).toHaveLength(0);
    const client = createClient(CompletionService, h.rpcTransport());
    h.upstream.enqueue({ text: "Paris." });
    expect((await client.complete(ask("What is the capital of France?"))).completion?.cacheStatus).toBe(CacheStatus.MISS);
    // The query is indexed after the answer has gone out.
    const cache = createClient(CacheService, h.rpcTransport());
    await vi.waitFor(async () => expect((await cache.getCacheStats({})).stats!.semanticEntries).toBe(1n), { timeout: 10_000 });
    const para = await client.complete(ask("Tell me the capital of France."));
    expect([para.completion?.cacheStatus, para.completion?.message?.content]).toEqual([CacheStatus.HIT_SEMANTIC, "Paris."]);
    // The embedding model's upstream name went to the provider that serves it.
    const embeddings = h.upstream.requests.filter((r) => r.path === "/v1/embeddings");
    expect(embeddings.length).toBeGreaterThan(0);
    expect(embeddings.every((r) => r.body["model"] === "text-embedding-3-small")).toBe(true);
    expect(embeddings.some((r) => JSON.stringify(r.body["input"]) === JSON.stringify(["Tell me the capital of France."]))).toBe(true);
    // Usage of those calls is the gateway's own, under a tenant no configured one can be.
    const rows = (await createClient(AdminService, h.rpcTransport()).getUsage({ tenant: "(semantic-cache)" })).rows;
    expect(rows.find((r) => r.model === "embed-small")?.requests).toBeGreaterThanOrEqual(2n);
  });
});
