import { Agent } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GatewayError, isGatewayError } from "../../src/core/errors.js";
import { createSdkFetch } from "../../src/providers/http.js";
import { createOpenAiProvider } from "../../src/providers/openai.js";
import { createOpenAiDirectProvider } from "../../src/providers/openai-direct.js";
import { readEmbeddings } from "../../src/providers/openai-embeddings.js";
import type { Provider } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
beforeEach(() => upstream.setDefault({}));

/** Both clients of an OpenAI-format provider, for both kinds: one contract. */
const clients: [string, (kind: "openai" | "openai-compatible") => Provider][] = [
  [
    "direct",
    (kind) => createOpenAiDirectProvider({ name: "p", kind, apiKey: "sk", baseUrl: upstream.openAiBaseUrl, dispatcher: new Agent() }),
  ],
  [
    "sdk",
    (kind) => createOpenAiProvider({ name: "p", kind, apiKey: "sk", baseUrl: upstream.openAiBaseUrl, fetch: createSdkFetch(new Agent()) }),
  ],
];

async function failure(p: Promise<unknown>, provider: Provider): Promise<GatewayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const translated = isGatewayError(err) ? err : provider.translateError(err);
  if (!translated) throw new Error(`not translated: ${String(err)}`);
  return translated;
}

describe.each(clients)("embeddings through the %s client", (_name, make) => {
  it.each(["openai", "openai-compatible"] as const)("reads the vectors a %s provider is asked for, in order", async (kind) => {
    const p = make(kind);
    const out = await p.embed!({ model: "m", inputs: ["one two", "three"], dimensions: 8, user: "u" }, new AbortController().signal);
    expect(out.vectors.map((v) => v.length)).toEqual([8, 8]);
    expect(out.usage).toEqual({ inputTokens: 3 });
    expect(out.model).toBe("m");
    expect(upstream.requests.at(-1)?.body).toEqual({
      model: "m",
      input: ["one two", "three"],
      dimensions: 8,
      user: "u",
      encoding_format: kind === "openai" ? "base64" : "float",
    });
    // The two encodings give the same vectors.
    const other = await make(kind === "openai" ? "openai-compatible" : "openai").embed!(
      { model: "m", inputs: ["one two", "three"], dimensions: 8 },
      new AbortController().signal,
    );
    expect(other.vectors).toEqual(out.vectors);
  });

  it("refuses a catalogue model's task naming it, before any call: OpenAI's API has none", async () => {
    const before = upstream.requests.length;
    const err = await failure(
      make("openai-compatible").embed!({ model: "m", inputs: ["x"], task: "retrieval-query" }, new AbortController().signal),
      make("openai"),
    );
    expect(err.reason).toBe("INVALID_REQUEST");
    expect(err.metadata["field"]).toBe("task");
    expect(upstream.requests.length).toBe(before);
  });

  it("passes token ids through as they are", async () => {
    const out = await make("openai").embed!({ model: "m", inputs: [[1, 2, 3], [4]] }, new AbortController().signal);
    expect(out.vectors).toHaveLength(2);
    expect(upstream.requests.at(-1)?.body["input"]).toEqual([[1, 2, 3], [4]]);
  });

  it.each([
    [{ status: 429, retryAfter: "3" }, "UPSTREAM_RATE_LIMITED", 3000],
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 401 }, "UPSTREAM_AUTH_FAILED", undefined],
    [{ status: 400 }, "UPSTREAM_BAD_REQUEST", undefined],
  ])("translates an upstream error %j as completions do", async (behaviour, reason, retryAfterMs) => {
    const p = make("openai");
    upstream.enqueue(behaviour);
    const error = await failure(p.embed!({ model: "m", inputs: ["x"] }, new AbortController().signal), p);
    expect(error.reason).toBe(reason);
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error.metadata["upstream_status"]).toBe(String(behaviour.status));
  });

  it("stops when its signal aborts, and the upstream sees the request go", async () => {
    upstream.enqueue({ hang: true });
    const abort = new AbortController();
    const index = upstream.requests.length;
    const call = make("openai").embed!({ model: "m", inputs: ["x"] }, abort.signal);
    while (upstream.requests.length <= index) await new Promise((r) => setImmediate(r));
    abort.abort();
    await expect(call).rejects.toBeDefined();
    await upstream.waitForAbort(index);
  });
});

describe("readEmbeddings", () => {
  it("refuses an answer without one vector per input, as the provider's failure", () => {
    expect(() => readEmbeddings("p", 2, "m", { data: [{ index: 0, embedding: [1] }] })).toThrow(/1 vectors for 2 inputs/);
    expect(() =>
      readEmbeddings("p", 2, "m", {
        data: [
          { index: 0, embedding: [1] },
          { index: 0, embedding: [2] },
        ],
      }),
    ).toThrow(/out of place/);
    expect(() => readEmbeddings("p", 1, "m", { data: [{ embedding: ["a"] }] })).toThrow(/not numbers/);
  });

  it("puts vectors in their inputs' order whatever order they came in, and leaves usage out when none (or 0) was reported", () => {
    const out = readEmbeddings("p", 2, "m", {
      data: [
        { index: 1, embedding: [2] },
        { index: 0, embedding: [1] },
      ],
    });
    expect(out.vectors.map((v) => v[0])).toEqual([1, 2]);
    expect(out.usage).toBeUndefined();
    // A count of 0 for inputs that have tokens is no count either (the gateway then counts them).
    const zero = readEmbeddings("p", 1, "m", { data: [{ index: 0, embedding: [1] }], usage: { prompt_tokens: 0, total_tokens: 0 } });
    expect(zero.usage).toBeUndefined();
    expect(readEmbeddings("p", 1, "m", { data: [{ index: 0, embedding: [1] }], usage: { prompt_tokens: 3 } }).usage).toEqual({
      inputTokens: 3,
    });
  });
});
