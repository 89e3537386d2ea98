import { Agent } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayError, isGatewayError } from "../../src/core/errors.js";
import { createBedrockProvider } from "../../src/providers/bedrock.js";
import type { Provider, ProviderEmbedRequest } from "../../src/providers/provider.js";
import { FAKE_AWS_SECRET } from "../support/fake-bedrock.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";
import { fakeVectors } from "../support/fake-vectors.js";

/*
 * Embeddings on Bedrock through the real @aws-sdk/client-bedrock-runtime (InvokeModel, signed with SigV4),
 * pointed at the fake upstream, which answers Titan Text Embeddings and Cohere Embed as Bedrock does
 * (test/support/fake-bedrock-embed.ts).
 */

let upstream: FakeUpstream;
let provider: Provider;
const TITAN = "amazon.titan-embed-text-v2:0";
const COHERE = "cohere.embed-english-v3";
const signal = () => new AbortController().signal;

async function failure(r: ProviderEmbedRequest): Promise<GatewayError> {
  const err: unknown = await provider.embed!(r, signal()).then(
    () => undefined,
    (e: unknown) => e,
  );
  const translated = isGatewayError(err) ? err : provider.translateError(err);
  if (!translated) throw new Error(`not translated: ${String(err)}`);
  return translated;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  provider = createBedrockProvider({
    name: "bedrock",
    region: "us-east-1",
    endpoint: upstream.anthropicBaseUrl,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: FAKE_AWS_SECRET },
    headers: { "x-proxy-key": "pk" },
    dispatcher: new Agent(),
  });
});
afterAll(() => upstream.close());
beforeEach(() => upstream.setDefault({}));

describe("Titan Text Embeddings V2 on Bedrock", () => {
  it("embeds one text a signed InvokeModel call, normalized, at the size asked, and adds up Titan's token counts", async () => {
    const texts = ["red apple", "green pear tree", "plum"];
    const before = upstream.requests.length;
    const out = await provider.embed!({ model: TITAN, inputs: texts, dimensions: 256, user: "u" }, signal());
    const calls = upstream.requests.slice(before);
    expect(calls.map((r) => r.path)).toEqual(Array(3).fill(`/model/${encodeURIComponent(TITAN)}/invoke`));
    expect(calls.map((r) => r.body).sort((a, b) => String(a["inputText"]).localeCompare(String(b["inputText"])))).toEqual([
      { inputText: "green pear tree", normalize: true, dimensions: 256 },
      { inputText: "plum", normalize: true, dimensions: 256 },
      { inputText: "red apple", normalize: true, dimensions: 256 },
    ]);
    expect(calls[0]!.bedrock).toMatchObject({ modelId: TITAN, accessKeyId: "AKIDTEST", service: "bedrock" });
    expect(calls[0]!.bedrock?.signedHeaders).toContain("x-proxy-key");
    expect(out.vectors.map((v) => Array.from(v))).toEqual(await fakeVectors(texts, 256));
    expect(out.usage).toEqual({ inputTokens: 6 });
    expect(out.model).toBe(TITAN);
  });

  it("sends Titan V1 its text alone: it takes no size and no normalize", async () => {
    const out = await provider.embed!({ model: "amazon.titan-embed-text-v1", inputs: ["one two"] }, signal());
    expect(upstream.requests.at(-1)!.body).toEqual({ inputText: "one two" });
    expect(out.vectors[0]).toHaveLength(1024);
    expect(out.usage).toEqual({ inputTokens: 2 });
    expect((await failure({ model: "amazon.titan-embed-text-v1", inputs: ["x"], dimensions: 256 })).metadata["field"]).toBe("dimensions");
  });

  it.each([
    [{ dimensions: 300 }, "dimensions"],
    [{ task: "retrieval-query" as const }, "task"],
    [{ inputs: [[1, 2]] }, "input"],
  ])("refuses %j naming %s, before any call", async (change, field) => {
    const before = upstream.requests.length;
    const err = await failure({ model: TITAN, inputs: ["x"], ...change });
    expect(err.reason).toBe("INVALID_REQUEST");
    expect(err.metadata["field"]).toBe(field);
    expect(upstream.requests.length).toBe(before);
  });
});

describe("Cohere Embed on Bedrock", () => {
  it("sends texts in batches of 96 with the task's input_type, refusing truncation, and reads Bedrock's token count header", async () => {
    const texts = Array.from({ length: 100 }, (_, i) => `document ${i}`);
    const before = upstream.requests.length;
    const out = await provider.embed!({ model: COHERE, inputs: texts, task: "retrieval-document" }, signal());
    const calls = upstream.requests.slice(before);
    expect(calls.map((r) => (r.body["texts"] as unknown[]).length).sort((a, b) => b - a)).toEqual([96, 4]);
    expect(calls[0]!.body).toMatchObject({ input_type: "search_document", truncate: "NONE", embedding_types: ["float"] });
    expect(out.vectors.map((v) => Array.from(v))).toEqual(await fakeVectors(texts, 1024));
    expect(out.usage).toEqual({ inputTokens: 200 });
  });

  it("reads v3's untyped answer (embeddings_floats) too", async () => {
    const [vector] = await fakeVectors(["q"], 4);
    upstream.enqueue({ rawBody: { id: "x", texts: ["q"], embeddings: [vector], response_type: "embeddings_floats" } });
    const out = await provider.embed!({ model: COHERE, inputs: ["q"], task: "retrieval-query" }, signal());
    expect(out.vectors.map((v) => Array.from(v))).toEqual([vector]);
    expect(upstream.requests.at(-1)!.body["input_type"]).toBe("search_query");
  });

  it("asks Embed v4 for a smaller vector with output_dimension", async () => {
    const out = await provider.embed!({ model: "us.cohere.embed-v4:0", inputs: ["a b"], task: "clustering", dimensions: 512 }, signal());
    expect(upstream.requests.at(-1)!.body).toMatchObject({ input_type: "clustering", output_dimension: 512 });
    expect(out.vectors[0]).toHaveLength(512);
  });

  it.each([
    [{}, "task"],
    [{ task: "similarity" as const }, "task"],
    [{ task: "retrieval-query" as const, dimensions: 256 }, "dimensions"],
  ])("refuses %j naming %s, before any call", async (change, field) => {
    const before = upstream.requests.length;
    const err = await failure({ model: COHERE, inputs: ["x"], ...change });
    expect(err.metadata["field"]).toBe(field);
    expect(upstream.requests.length).toBe(before);
  });

  it("refuses a model that is neither Titan nor Cohere naming model", async () => {
    expect((await failure({ model: "amazon.nova-lite-v1:0", inputs: ["x"] })).metadata["field"]).toBe("model");
  });
});

describe("Bedrock embedding errors", () => {
  it.each([
    [{ status: 429 }, "UPSTREAM_RATE_LIMITED", 500],
    [{ status: 429, retryAfter: "3" }, "UPSTREAM_RATE_LIMITED", 3000],
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 503 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 403 }, "UPSTREAM_AUTH_FAILED", undefined],
  ])("translates %j as %s", async (behaviour, reason, retryAfterMs) => {
    upstream.enqueue(behaviour);
    const err = await failure({ model: TITAN, inputs: ["x"] });
    expect(err.reason).toBe(reason);
    expect(err.retryAfterMs).toBe(retryAfterMs);
  });

  it("takes a wrong secret key for the auth failure it is", async () => {
    const wrong = createBedrockProvider({
      name: "b2",
      region: "us-east-1",
      endpoint: upstream.anthropicBaseUrl,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "not-the-secret" },
      dispatcher: new Agent(),
    });
    const err: unknown = await wrong.embed!({ model: TITAN, inputs: ["x"] }, signal()).catch((e: unknown) => e);
    expect(wrong.translateError(err)?.reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("a Titan call of several texts fails on one failure and aborts the calls in flight", async () => {
    upstream.enqueue({ hang: true }, { status: 500 });
    const before = upstream.requests.length;
    expect((await failure({ model: TITAN, inputs: ["a", "b", "c"] })).reason).toBe("UPSTREAM_UNAVAILABLE");
    await upstream.waitForAbort(before);
    expect(upstream.requests[before]!.aborted).toBe(true);
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = provider.embed!({ model: COHERE, inputs: ["x"], task: "retrieval-query" }, controller.signal).catch((e: unknown) => e);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(Error);
    expect(provider.translateError(err)).toBeUndefined();
    await upstream.waitForAbort(index);
  });
});
