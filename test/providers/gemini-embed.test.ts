import { OAuth2Client } from "google-auth-library";
import { Agent } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayError, isGatewayError } from "../../src/core/errors.js";
import { createGeminiProvider } from "../../src/providers/gemini.js";
import { createUpstreamFetch } from "../../src/providers/http.js";
import type { Provider, ProviderEmbedRequest } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";
import { fakeVectors } from "../support/fake-vectors.js";

/*
 * Embeddings on the Gemini API and Vertex AI through the real @google/genai SDK (models.embedContent),
 * pointed at the fake upstream, which answers batchEmbedContents, predict and embedContent as Google
 * does (test/support/fake-gemini-embed.ts).
 */

let upstream: FakeUpstream;
let gemini: Provider;
let vertex: Provider;
const fetch = createUpstreamFetch(new Agent());
const signal = () => new AbortController().signal;
const VERTEX_PATH = "/v1beta1/projects/proj-1/locations/europe-west4/publishers/google/models";

async function failure(p: Provider, r: ProviderEmbedRequest): Promise<GatewayError> {
  const err: unknown = await p.embed!(r, signal()).then(
    () => undefined,
    (e: unknown) => e,
  );
  const translated = isGatewayError(err) ? err : p.translateError(err);
  if (!translated) throw new Error(`not translated: ${String(err)}`);
  return translated;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gemini = createGeminiProvider({ name: "gemini", target: { vertex: false, apiKey: "g-key" }, baseUrl: upstream.anthropicBaseUrl, fetch });
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: "ya29.fake-token", expiry_date: Date.now() + 3_600_000 });
  vertex = createGeminiProvider({
    name: "vertex",
    target: { vertex: true, project: "proj-1", location: "europe-west4", googleAuthOptions: { authClient } },
    baseUrl: upstream.anthropicBaseUrl,
    fetch,
    headers: { "x-route": "blue" },
  });
});
afterAll(() => upstream.close());
beforeEach(() => upstream.setDefault({}));

describe("Gemini API embeddings (batchEmbedContents)", () => {
  it("sends one request per text with the task and size, and reads the vectors in order, without usage", async () => {
    const out = await gemini.embed!(
      { model: "gemini-embedding-001", inputs: ["red apple", "green pear"], dimensions: 64, task: "retrieval-document", user: "u" },
      signal(),
    );
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(sent.headers["x-goog-api-key"]).toBe("g-key");
    const one = (text: string) => ({
      model: "models/gemini-embedding-001",
      content: { parts: [{ text }], role: "user" },
      taskType: "RETRIEVAL_DOCUMENT",
      outputDimensionality: 64,
    });
    expect(sent.body).toEqual({ requests: [one("red apple"), one("green pear")] });
    expect(out.vectors.map((v) => Array.from(v))).toEqual(await fakeVectors(["red apple", "green pear"], 64));
    expect(out.model).toBe("gemini-embedding-001");
    // The Gemini API counts no tokens: the gateway counts them itself (and says the count is its own).
    expect(out.usage).toBeUndefined();
  });

  it("cuts a call of more than 100 texts into batches and keeps the order", async () => {
    const texts = Array.from({ length: 150 }, (_, i) => `text number ${i}`);
    const before = upstream.requests.length;
    const out = await gemini.embed!({ model: "gemini-embedding-001", inputs: texts, dimensions: 16 }, signal());
    const sizes = upstream.requests.slice(before).map((r) => (r.body["requests"] as unknown[]).length);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 50]);
    expect(out.vectors.map((v) => Array.from(v))).toEqual(await fakeVectors(texts, 16));
  });

  it("refuses token ids naming input, before any call", async () => {
    const before = upstream.requests.length;
    const err = await failure(gemini, { model: "gemini-embedding-001", inputs: [[1, 2, 3]] });
    expect(err.reason).toBe("INVALID_REQUEST");
    expect(err.metadata["field"]).toBe("input");
    expect(upstream.requests.length).toBe(before);
  });

  it.each([
    [{ status: 429, retryAfter: "7" }, "UPSTREAM_RATE_LIMITED", 7000],
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 503 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 403 }, "UPSTREAM_AUTH_FAILED", undefined],
  ])("translates %j as %s", async (behaviour, reason, retryAfterMs) => {
    upstream.enqueue(behaviour);
    const err = await failure(gemini, { model: "gemini-embedding-001", inputs: ["x"] });
    expect(err.reason).toBe(reason);
    expect(err.retryAfterMs).toBe(retryAfterMs);
  });

  it("takes a wrong API key (400 API_KEY_INVALID) for the auth failure it is", async () => {
    const wrong = createGeminiProvider({
      name: "g2",
      target: { vertex: false, apiKey: "invalid-1" },
      baseUrl: upstream.anthropicBaseUrl,
      fetch,
    });
    expect((await failure(wrong, { model: "gemini-embedding-001", inputs: ["x"] })).reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = gemini.embed!({ model: "gemini-embedding-001", inputs: ["x"] }, controller.signal).catch((e: unknown) => e);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(Error);
    expect(gemini.translateError(err)).toBeUndefined();
    await upstream.waitForAbort(index);
  });
});

describe("Vertex AI embeddings (predict)", () => {
  it("sends instances with task_type, the size and autoTruncate off, and adds up each text's token count", async () => {
    const out = await vertex.embed!(
      { model: "text-embedding-005", inputs: ["one two three", "four"], dimensions: 32, task: "retrieval-query" },
      signal(),
    );
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe(`${VERTEX_PATH}/text-embedding-005:predict`);
    expect(sent.headers.authorization).toBe("Bearer ya29.fake-token");
    expect(sent.headers["x-route"]).toBe("blue");
    expect(sent.body).toEqual({
      instances: [
        { content: "one two three", task_type: "RETRIEVAL_QUERY" },
        { content: "four", task_type: "RETRIEVAL_QUERY" },
      ],
      parameters: { outputDimensionality: 32, autoTruncate: false },
    });
    expect(out.vectors.map((v) => v.length)).toEqual([32, 32]);
    expect(out.usage).toEqual({ inputTokens: 4 });
  });

  it("embeds gemini-embedding-001 one text a predict call, as Vertex takes it, in the texts' order", async () => {
    const texts = ["alpha beta", "gamma", "delta epsilon zeta"];
    const before = upstream.requests.length;
    const out = await vertex.embed!({ model: "gemini-embedding-001", inputs: texts, dimensions: 8 }, signal());
    const calls = upstream.requests.slice(before);
    expect(calls.map((r) => (r.body["instances"] as unknown[]).length)).toEqual([1, 1, 1]);
    expect(out.vectors.map((v) => Array.from(v))).toEqual(await fakeVectors(texts, 8));
    expect(out.usage).toEqual({ inputTokens: 6 });
  });

  it("fails the whole call on one failed batch, and aborts the batches still in flight", async () => {
    // The first call to come hangs, the second fails; the third (if sent before the failure) answers.
    upstream.enqueue({ hang: true }, { status: 503 });
    const before = upstream.requests.length;
    const err = await failure(vertex, { model: "gemini-embedding-001", inputs: ["a", "b", "c"] });
    expect(err.reason).toBe("UPSTREAM_UNAVAILABLE");
    // The hung call is not left open: the failure aborted it.
    await upstream.waitForAbort(before);
    expect(upstream.requests[before]!.aborted).toBe(true);
  });

  it("sends the newer Gemini embedding models to embedContent, one text a call, with their token counts", async () => {
    const before = upstream.requests.length;
    const out = await vertex.embed!({ model: "gemini-embedding-2-preview", inputs: ["one two", "three"] }, signal());
    const calls = upstream.requests.slice(before);
    expect(calls.map((r) => r.path)).toEqual([
      `${VERTEX_PATH}/gemini-embedding-2-preview:embedContent`,
      `${VERTEX_PATH}/gemini-embedding-2-preview:embedContent`,
    ]);
    expect(out.vectors).toHaveLength(2);
    expect(out.usage).toEqual({ inputTokens: 3 });
  });
});
