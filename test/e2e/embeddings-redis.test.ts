import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { embeddingModels } from "../support/embedding-models.js";
import { startHarness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();

const replica = async () =>
  redis.track(await startHarness({ extraModels: embeddingModels, cache: { store: "redis" }, redisUrl: redis.server.url }));

describe("the embedding cache in Redis", () => {
  it("is shared by replicas: one embeds, another answers the same call from the cache, under its own prefix", async () => {
    const [a, b] = [await replica(), await replica()];
    const sdk = (url: string) => new OpenAI({ apiKey: "unused", baseURL: `${url}/v1`, maxRetries: 0 });
    const first = await sdk(a.httpUrl)
      .embeddings.create({ model: "embed-small", input: ["shared", "by replicas"] })
      .withResponse();
    expect(first.response.headers.get("x-cache-status")).toBe("miss");
    const second = await sdk(b.httpUrl)
      .embeddings.create({ model: "embed-small", input: ["shared", "by replicas"] })
      .withResponse();
    expect(second.response.headers.get("x-cache-status")).toBe("hit_exact");
    expect(b.upstream.requests.filter((r) => r.path === "/v1/embeddings")).toHaveLength(0);
    expect(second.data.data.map((d) => d.embedding)).toEqual(first.data.data.map((d) => d.embedding));
    const keys = await redis.client().keys("llmgw:embed:*");
    expect(keys).toHaveLength(1);
    // Vectors, four bytes a value in base64; not JSON numbers.
    const held = JSON.parse((await redis.client().get(keys[0]!))!) as { vectors: string[] };
    expect(held.vectors.map((v) => Buffer.from(v, "base64").length)).toEqual([256 * 4, 256 * 4]);
  });
});
