import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { createCohereProvider } from "../../src/providers/cohere.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { Provider, ProviderRequest } from "../../src/providers/provider.js";
import { complete, failure, request, tools } from "../support/cohere-calls.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * How the Cohere provider fails, through the real cohere-ai SDK against the fake upstream: Cohere's
 * finish reasons that end an answer unfinished, its HTTP errors and their retry delays, a cancel,
 * what it refuses by name, and its configuration.
 */

let upstream: FakeUpstream;
let cohere: Provider;
const fetch = createSdkFetch(new Agent());
const sent = () => upstream.requests.at(-1)!;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  cohere = createCohereProvider({
    name: "cohere",
    apiKey: "co-key",
    baseUrl: upstream.anthropicBaseUrl,
    fetch,
    headers: { "x-route": "blue" },
  });
});
afterAll(() => upstream.close());

describe("Cohere provider failures through cohere-ai", () => {
  it.each([
    ["MAX_TOKENS", "length"],
    ["STOP_SEQUENCE", "stop"],
    ["TOOL_CALL", "tool_calls"],
    ["SOMETHING_NEW", "unspecified"],
  ])("maps finish reason %s to %s", async (reason, finish) => {
    upstream.enqueue({ finishReason: reason });
    expect((await complete(cohere, request)).finishReason).toBe(finish);
  });

  it.each([
    ["ERROR", "UPSTREAM_UNAVAILABLE"],
    ["TIMEOUT", "UPSTREAM_TIMEOUT"],
  ])("fails an answer that ends with %s as %s, for another deployment to answer", async (reason, error) => {
    upstream.enqueue({ finishReason: reason });
    const err = await complete(cohere, request).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: error, metadata: { upstream_code: reason } });
  });

  it("turns a 429 into UPSTREAM_RATE_LIMITED with retry-after's delay, or the SDK's first retry delay without one", async () => {
    upstream.enqueue({ status: 429, retryAfter: "7" }, { status: 429 });
    expect(await failure(cohere, request)).toMatchObject({ reason: "UPSTREAM_RATE_LIMITED", retryAfterMs: 7000 });
    const err = await failure(cohere, request);
    expect(err).toMatchObject({ reason: "UPSTREAM_RATE_LIMITED", retryAfterMs: 1000 });
    expect(err.message).toContain("fake upstream says 429");
  });

  it.each([
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 503 }, "UPSTREAM_UNAVAILABLE"],
    [{ status: 401 }, "UPSTREAM_AUTH_FAILED"],
    [{ status: 403 }, "UPSTREAM_AUTH_FAILED"],
    [{ status: 400 }, "UPSTREAM_BAD_REQUEST"],
    [{ status: 422 }, "UPSTREAM_BAD_REQUEST"],
    [{ reset: true }, "UPSTREAM_UNAVAILABLE"],
    [{ text: "a b c d", abortAfterChunks: 2 }, "UPSTREAM_UNAVAILABLE"],
  ])("classifies %j as %s", async (behaviour, reason) => {
    upstream.enqueue(behaviour);
    expect((await failure(cohere, request)).reason).toBe(reason);
  });

  it("lets an extra header named authorization replace the key's, for a proxy with its own credentials", async () => {
    const proxied = createCohereProvider({
      name: "c3",
      apiKey: "co-key",
      baseUrl: upstream.anthropicBaseUrl,
      fetch,
      headers: { authorization: "Bearer proxy" },
    });
    await complete(proxied, request);
    expect(sent().headers.authorization).toBe("Bearer proxy");
  });

  it("takes Cohere's 498 (an invalid token) for the auth failure it is", async () => {
    const wrong = createCohereProvider({ name: "c2", apiKey: "invalid-1", baseUrl: upstream.anthropicBaseUrl, fetch });
    const err = await failure(wrong, request);
    expect(err.reason).toBe("UPSTREAM_AUTH_FAILED");
    expect(err.metadata).toMatchObject({ upstream_status: "401", upstream_code: "invalid_token" });
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = complete(cohere, request, controller.signal);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err: unknown = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // A cancel is the caller's doing, not the upstream's failure.
    expect(cohere.translateError(err)).toBeUndefined();
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });

  it("refuses, naming the field, what Cohere cannot take", () => {
    const refusal = (r: Partial<ProviderRequest>) => {
      try {
        cohere.check?.({ ...request, ...r });
      } catch (e) {
        return (e as { metadata?: { field?: string } }).metadata?.field;
      }
      return undefined;
    };
    expect(refusal({ topLogprobs: 3 })).toBe("top_logprobs");
    expect(refusal({ parallelToolCalls: false })).toBe("parallel_tool_calls");
    expect(refusal({ serviceTier: "flex" })).toBe("service_tier");
    expect(refusal({ stop: ["1", "2", "3", "4", "5", "6"] })).toBe("stop");
    expect(refusal({ frequencyPenalty: 1.5 })).toBe("frequency_penalty");
    expect(refusal({ tools, responseFormat: { type: "json_object" } })).toBe("response_format");
    expect(refusal({ reasoning: { budgetTokens: 64 } })).toBe("reasoning.budget_tokens");
    expect(refusal({ extraBody: { connectors: [] } })).toBe("extra_body.connectors");
    expect(refusal({ extraBody: { safety_mode: "LOUD" } })).toBe("extra_body.safety_mode");
    expect(
      refusal({ messages: [{ role: "user", content: "x", parts: [{ type: "file", data: "eA==", mediaType: "application/pdf" }] }] }),
    ).toBe("messages[0].parts[0]");
    expect(refusal({ temperature: 0.3, user: "u-1" })).toBeUndefined();
  });
});

describe("Cohere configuration", () => {
  it("fails start-up without the key, naming its variable, and takes embedInputType", () => {
    const models = [{ name: "m", provider: "c" }];
    expect(() => validateConfig({ providers: [{ name: "c", kind: "cohere" }], models }, {})).toThrow(/COHERE_API_KEY/);
    const config = validateConfig(
      { providers: [{ name: "c", kind: "cohere", embedInputType: "clustering" }], models },
      { COHERE_API_KEY: "k" },
    );
    expect(config.providers[0]).toMatchObject({ kind: "cohere", embedInputType: "clustering" });
    expect(() =>
      validateConfig({ providers: [{ name: "c", kind: "cohere", embedInputType: "image" }], models }, { COHERE_API_KEY: "k" }),
    ).toThrow(/embedInputType/);
  });
});
