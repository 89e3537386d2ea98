import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { createUpstreamFetch } from "../../src/providers/http.js";
import { createMistralProvider } from "../../src/providers/mistral.js";
import type { Provider } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Mistral's embeddings (mistral-embed) through the real @mistralai/mistralai SDK against the fake
 * upstream's Mistral face, and the kind's configuration.
 */

let upstream: FakeUpstream;
let mistral: Provider;
const lastBody = () => upstream.requests.at(-1)!.body;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const fetch = createUpstreamFetch(new Agent());
  mistral = createMistralProvider({ name: "mistral", apiKey: "ms-key", baseUrl: `${upstream.anthropicBaseUrl}/mistral`, fetch });
});
afterAll(() => upstream.close());

describe("Mistral embeddings", () => {
  it("embeds texts with mistral-embed, one vector per input, with output_dimension and usage", async () => {
    const result = await mistral.embed!(
      { model: "mistral-embed", inputs: ["red apple", "green pear"], dimensions: 64 },
      new AbortController().signal,
    );
    expect(upstream.requests.at(-1)!.path).toBe("/mistral/v1/embeddings");
    expect(lastBody()).toEqual({ model: "mistral-embed", input: ["red apple", "green pear"], output_dimension: 64 });
    expect(result.vectors).toHaveLength(2);
    expect(result.vectors[0]).toHaveLength(64);
    expect(result.usage).toEqual({ inputTokens: 4 });
  });

  it("translates an embeddings call's errors as the completions' are", async () => {
    upstream.enqueue({ status: 429, retryAfter: "2" });
    const err: unknown = await mistral.embed!({ model: "mistral-embed", inputs: ["x"] }, new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(mistral.translateError(err)).toMatchObject({ reason: "UPSTREAM_RATE_LIMITED", retryAfterMs: 2000 });
  });

  it("refuses a task, which Mistral's embeddings API has no field for", async () => {
    await expect(
      mistral.embed!({ model: "mistral-embed", inputs: ["x"], task: "retrieval-query" }, new AbortController().signal),
    ).rejects.toMatchObject({ reason: "INVALID_REQUEST", metadata: { field: "task" } });
  });

  it("refuses token ids, which Mistral does not embed", async () => {
    await expect(mistral.embed!({ model: "mistral-embed", inputs: [[1, 2, 3]] }, new AbortController().signal)).rejects.toThrow(
      /input\[0\]/,
    );
  });
});

describe("Mistral configuration", () => {
  it("needs a key at start-up, MISTRAL_API_KEY unless apiKeyEnv names another", () => {
    const config = (env: Record<string, string>, extra: object = {}) =>
      validateConfig({ providers: [{ name: "m", kind: "mistral", ...extra }], models: [{ name: "x", provider: "m" }] }, env);
    expect(() => config({})).toThrow(/MISTRAL_API_KEY/);
    expect(() => config({ MISTRAL_API_KEY: "k" })).not.toThrow();
    expect(() => config({ OTHER: "k" }, { apiKeyEnv: "OTHER", baseUrl: "https://api.eu.mistral.ai" })).not.toThrow();
  });
});
