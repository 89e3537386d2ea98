import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCohereProvider } from "../../src/providers/cohere.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { Provider } from "../../src/providers/provider.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Cohere's embeddings through the real cohere-ai SDK against the fake upstream's POST /v2/embed: the
 * configured input_type, the asked vector size, billed tokens, and what is refused by name.
 */

let upstream: FakeUpstream;
let cohere: Provider;
const fetch = createSdkFetch(new Agent());
const sent = () => upstream.requests.at(-1)!;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  cohere = createCohereProvider({ name: "cohere", apiKey: "co-key", baseUrl: upstream.anthropicBaseUrl, fetch });
});
afterAll(() => upstream.close());

describe("Cohere embeddings through cohere-ai", () => {
  it("calls POST /v2/embed with the configured input_type and the asked size, one vector per text", async () => {
    const result = await cohere.embed!(
      { model: "embed-v4.0", inputs: ["red apple", "green pear"], dimensions: 256 },
      new AbortController().signal,
    );
    expect(sent().path).toBe("/v2/embed");
    expect(sent().body).toEqual({
      model: "embed-v4.0",
      texts: ["red apple", "green pear"],
      input_type: "search_document",
      embedding_types: ["float"],
      output_dimension: 256,
    });
    expect(result.vectors.map((v) => v.length)).toEqual([256, 256]);
    expect(result.usage).toEqual({ inputTokens: 4 });
  });

  it("embeds queries when configured so, and refuses token ids", async () => {
    const queries = createCohereProvider({
      name: "q",
      apiKey: "co-key",
      baseUrl: upstream.anthropicBaseUrl,
      fetch,
      embedInputType: "search_query",
    });
    await queries.embed!({ model: "embed-v4.0", inputs: ["where is paris"] }, new AbortController().signal);
    expect(sent().body["input_type"]).toBe("search_query");
    const err = await queries.embed!({ model: "embed-v4.0", inputs: [[1, 2, 3]] }, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: "INVALID_REQUEST", metadata: { field: "input" } });
    const size = await queries.embed!({ model: "embed-v4.0", inputs: ["x"], dimensions: 300 }, new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(size).toMatchObject({ reason: "INVALID_REQUEST", metadata: { field: "dimensions" } });
  });

  it("takes a catalogue model's task as the input_type over the provider's, and refuses a task Cohere has none for", async () => {
    await cohere.embed!({ model: "embed-v4.0", inputs: ["where is paris"], task: "retrieval-query" }, new AbortController().signal);
    expect(sent().body["input_type"]).toBe("search_query");
    const before = upstream.requests.length;
    const err = await cohere.embed!({ model: "embed-v4.0", inputs: ["x"], task: "similarity" }, new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ reason: "INVALID_REQUEST", metadata: { field: "task" } });
    expect(upstream.requests.length).toBe(before);
  });

  it("translates an embed call's 429 like a chat call's", async () => {
    upstream.enqueue({ status: 429, retryAfter: "2" });
    const err: unknown = await cohere.embed!({ model: "embed-v4.0", inputs: ["x"] }, new AbortController().signal).catch((e: unknown) => e);
    expect(cohere.translateError(err)).toMatchObject({ reason: "UPSTREAM_RATE_LIMITED", retryAfterMs: 2000 });
  });
});
