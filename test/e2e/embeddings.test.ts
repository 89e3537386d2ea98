import { createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { CacheService } from "../../gen/ts/llmgateway/v1/cache_service_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddingModels } from "../support/embedding-models.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ extraModels: embeddingModels });
});
afterAll(() => h.close());

const sdk = () => new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
const last = () => h.upstream.requests.at(-1)!;
let n = 0;
/** A text no other test embeds, so that the exact cache never answers for another test. */
const fresh = (text: string) => `${text} #${++n}`;

describe("POST /v1/embeddings through the official openai SDK", () => {
  it.each(["embed-small", "embed-sdk", "embed-native"])("answers %s with the SDK's default (base64) decoded to vectors", async (model) => {
    const text = fresh("the quick brown fox");
    const { data, response } = await sdk().embeddings.create({ model, input: text }).withResponse();
    expect(data.object).toBe("list");
    expect(data.data).toHaveLength(1);
    expect(data.data[0]!.embedding).toHaveLength(256);
    expect(data.data[0]!.index).toBe(0);
    // The fake counts a token per word; the gateway reports what the provider counted.
    expect(data.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    expect(response.headers.get("x-cache-status")).toBe("miss");
    expect(last().path).toBe("/v1/embeddings");
    expect(last().body["model"]).toBe("text-embedding-3-small");
    expect(last().body["input"]).toEqual([text]);
    // OpenAI itself is asked for base64; a compatible server for its default, floats.
    expect(last().body["encoding_format"]).toBe(model === "embed-native" ? "base64" : "float");
  });

  it("gives the same vectors as floats and as base64, and as the upstream computed them", async () => {
    const text = fresh("vectors agree");
    const floats = await sdk().embeddings.create({ model: "embed-small", input: text, encoding_format: "float" });
    const upstream = await fetch(`${h.upstream.openAiBaseUrl}/embeddings`, {
      method: "POST",
      body: JSON.stringify({ model: "x", input: text }),
    }).then((r) => r.json() as Promise<{ data: { embedding: number[] }[] }>);
    expect(floats.data[0]!.embedding).toEqual(upstream.data[0]!.embedding.map((x) => Math.fround(x)));
    const raw = (await sdk().embeddings.create({ model: "embed-small", input: text, encoding_format: "base64" })).data[0]!
      .embedding as unknown as string;
    expect(typeof raw).toBe("string");
    const bytes = Buffer.from(raw, "base64");
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual(floats.data[0]!.embedding);
  });

  it("embeds arrays of texts, token ids and arrays of token ids, in order, passing token ids through", async () => {
    const texts = [fresh("alpha beta"), fresh("gamma"), fresh("delta epsilon zeta")];
    const many = await sdk().embeddings.create({ model: "embed-small", input: texts });
    expect(many.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(last().body["input"]).toEqual(texts);
    expect(many.usage.prompt_tokens).toBe(3 + 2 + 4);
    // A single list of token ids (LangChain's OpenAIEmbeddings sends these by default).
    const ids = [9906, 1917, ++n];
    const one = await sdk().embeddings.create({ model: "embed-small", input: ids });
    expect(one.data).toHaveLength(1);
    expect(last().body["input"]).toEqual([ids]);
    expect(one.usage.prompt_tokens).toBe(3);
    const lists = [
      [1, 2, 3, ++n],
      [4, 5],
    ];
    const two = await sdk().embeddings.create({ model: "embed-small", input: lists });
    expect(two.data).toHaveLength(2);
    expect(last().body["input"]).toEqual(lists);
  });

  it("passes dimensions and user to the upstream, and refuses more dimensions than the model has", async () => {
    const res = await sdk().embeddings.create({ model: "embed-small", input: fresh("short"), dimensions: 64, user: "ann" });
    expect(res.data[0]!.embedding).toHaveLength(64);
    expect(last().body).toMatchObject({ dimensions: 64, user: "ann" });
    const before = h.upstream.requests.length;
    const err = (await sdk()
      .embeddings.create({ model: "embed-small", input: "x", dimensions: 1024 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(400);
    expect((err.error as { param: string }).param).toBe("dimensions");
    expect(h.upstream.requests.length).toBe(before);
  });

  it("answers a repeated call from the exact cache, without an upstream request and at no cost", async () => {
    const text = fresh("cache me");
    const first = await sdk()
      .embeddings.create({ model: "embed-small", input: [text, "and me"] })
      .withResponse();
    const before = h.upstream.requests.length;
    const second = await sdk()
      .embeddings.create({ model: "embed-small", input: [text, "and me"] })
      .withResponse();
    expect(h.upstream.requests.length).toBe(before);
    expect(second.response.headers.get("x-cache-status")).toBe("hit_exact");
    expect(second.data.data.map((d) => d.embedding)).toEqual(first.data.data.map((d) => d.embedding));
    const extra = (second.data as unknown as { llm_gateway: { cost_usd: number } }).llm_gateway;
    expect(extra.cost_usd).toBe(0);
    // Another vector size is another entry.
    await sdk().embeddings.create({ model: "embed-small", input: [text, "and me"], dimensions: 32 });
    expect(h.upstream.requests.length).toBe(before + 1);
  });

  it("is emptied by CacheService.ClearCache with the response cache", async () => {
    const text = fresh("clear me");
    await sdk().embeddings.create({ model: "embed-small", input: text, user: "clearer" });
    const { removed } = await createClient(CacheService, h.rpcTransport()).clearCache({ tenant: "clearer" });
    expect(removed).toBe(1n);
    const again = await sdk().embeddings.create({ model: "embed-small", input: text, user: "clearer" }).withResponse();
    expect(again.response.headers.get("x-cache-status")).toBe("miss");
  });

  it("falls back to the next deployment when the first answers 5xx", async () => {
    h.upstream.enqueue({ status: 503 });
    const { data, response } = await sdk()
      .embeddings.create({ model: "embed-dual", input: fresh("fall back") })
      .withResponse();
    expect(data.data).toHaveLength(1);
    expect(response.headers.get("x-llm-provider")).toBe("fake-openai-sdk");
    expect(h.upstream.requests.at(-2)?.body["model"]).toBe("text-embedding-3-small");
    expect(last().body["model"]).toBe("text-embedding-3-large");
  });

  it("passes an upstream 429's retry delay on when no deployment is left (503: the provider's limit, not the caller's)", async () => {
    h.upstream.enqueue({ status: 429, retryAfter: "7" });
    const err = (await sdk()
      .embeddings.create({ model: "embed-small", input: fresh("busy") })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(503);
    expect((err.error as { code: string }).code).toBe("upstream_rate_limited");
    expect(err.headers?.get("retry-after")).toBe("7");
  });

  it("refuses a chat model for embeddings and an embedding model for chat, naming model", async () => {
    const before = h.upstream.requests.length;
    const chat = (await sdk()
      .embeddings.create({ model: "gpt-test", input: "x" })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(chat.status).toBe(400);
    expect(chat.error).toMatchObject({ param: "model", code: "invalid_request" });
    expect(chat.message).toMatch(/chat model/);
    const embed = (await sdk()
      .chat.completions.create({ model: "embed-small", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(embed.status).toBe(400);
    expect(embed.error).toMatchObject({ param: "model" });
    expect(embed.message).toMatch(/embedding model/);
    expect(h.upstream.requests.length).toBe(before);
  });

  it("refuses an embedding model on providers without embeddings, naming model", async () => {
    const err = (await sdk()
      .embeddings.create({ model: "embed-claude", input: fresh("x") })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.error).toMatchObject({ param: "model", code: "capability_unsupported" });
  });

  it("counts embedding calls in the metrics: input tokens and cost by model and provider", async () => {
    await sdk().embeddings.create({ model: "embed-small", input: fresh("metered words here") });
    const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/llmgw_tokens_total\{model="embed-small",provider="fake-openai",direction="input"\} [1-9]/);
    expect(metrics).toMatch(/llmgw_cost_usd_total\{model="embed-small",provider="fake-openai"\} [0-9.e-]+/);
    expect(metrics).toMatch(/llmgw_requests_total\{service="openai.rest",method="embeddings",code="ok"\} [1-9]/);
  });

  it("lists embedding models in /v1/models", async () => {
    const ids = [];
    for await (const m of sdk().models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["embed-small", "embed-dual"]));
  });
});
