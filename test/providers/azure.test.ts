import type { AccessToken, TokenCredential } from "@azure/identity";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGatewayError, type GatewayError } from "../../src/core/errors.js";
import { createAzureOpenAiProvider } from "../../src/providers/azure.js";
import { collectChunks } from "../../src/providers/collect.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";

/*
 * Azure OpenAI through both OpenAI-format clients (the openai SDK's AzureOpenAI, and the gateway's
 * direct wire client), against the fake upstream speaking Azure's paths: every case runs on both.
 */

let upstream: FakeUpstream;
let endpoint: string;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const request: ProviderRequest = { model: "gpt4o-prod", messages: [{ role: "user", content: "Hi" }], maxTokens: 50, stop: [] };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  endpoint = upstream.anthropicBaseUrl; // the fake's root: Azure's paths start at /openai
});
afterAll(() => upstream.close());

const clients = ["direct", "sdk"] as const;
const build = (
  client: "direct" | "sdk",
  extra: { apiVersion?: string; credential?: TokenCredential; endpoint?: string } = {},
): Provider => {
  const pool = new Agent();
  return createAzureOpenAiProvider({
    name: "azure",
    endpoint: `${extra.endpoint ?? endpoint}/`,
    apiVersion: extra.apiVersion ?? "2024-10-21",
    client,
    apiKey: extra.credential ? undefined : "azure-key",
    credential: extra.credential,
    headers: { "x-ms-client-request-id": "req-7", "x-proxy-key": "through" },
    dispatcher: pool,
    fetch: createSdkFetch(pool),
  });
};

async function collect(iterable: AsyncIterable<ProviderChunk>): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of iterable) {
    const last = out.at(-1);
    if (c.type === "delta" && last?.type === "delta") out[out.length - 1] = { type: "delta", text: last.text + c.text };
    else out.push(c);
  }
  return out;
}

async function failure(p: Promise<unknown>, provider: Provider): Promise<GatewayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const translated = isGatewayError(err) ? err : provider.translateError(err);
  if (!translated) throw new Error(`not translated: ${String(err)}`);
  return translated;
}

describe.each(clients)("Azure OpenAI through the %s client", (client) => {
  const p = () => build(client);

  it("calls the deployment's path with the api-version, the api-key header and the extra headers", async () => {
    upstream.enqueue({ text: "Four words right here" });
    const result = await collectChunks(p().stream({ ...request, unary: true }, new AbortController().signal));
    expect(result).toMatchObject({
      message: { content: "Four words right here" },
      finishReason: "stop",
      usage: { inputTokens: 11, outputTokens: 4 },
    });
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21");
    expect(sent.azure).toEqual({ deployment: "gpt4o-prod", apiVersion: "2024-10-21" });
    expect(sent.headers["api-key"]).toBe("azure-key");
    expect(sent.headers["authorization"]).toBeUndefined();
    expect(sent.headers["x-proxy-key"]).toBe("through");
    expect(sent.headers["x-ms-client-request-id"]).toBe("req-7");
    // Azure's deployments speak OpenAI's own dialect.
    expect(sent.body["max_completion_tokens"]).toBe(50);
  });

  it("streams text and usage", async () => {
    upstream.enqueue({ text: "one two three" });
    expect(await collect(p().stream(request, new AbortController().signal))).toEqual([
      { type: "started" },
      { type: "delta", text: "one two three" },
      { type: "end", finishReason: "stop", usage: { inputTokens: 11, outputTokens: 3 }, model: "gpt4o-prod" },
    ]);
    expect(upstream.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("carries a tool round trip, an image and a JSON schema", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "call_1", name: "get_time", arguments: '{"tz":"UTC"}' }] });
    const chunks = await collect(
      p().stream(
        {
          ...request,
          messages: [
            {
              role: "user",
              content: "what is this?",
              parts: [
                { type: "text", text: "what is this?" },
                { type: "image", data: PNG, mediaType: "image/png" },
              ],
            },
            { role: "assistant", content: "", toolCalls: [{ id: "call_0", name: "get_time", argumentsJson: "{}" }] },
            { role: "tool", content: "12:00", toolCallId: "call_0" },
          ],
          tools: [{ name: "get_time", description: "time", parametersJson: '{"type":"object"}' }],
          responseFormat: { type: "json_schema", name: "out", schemaJson: '{"type":"object"}', strict: true },
        },
        new AbortController().signal,
      ),
    );
    expect(chunks.at(-1)).toMatchObject({
      type: "end",
      finishReason: "tool_calls",
      toolCalls: [{ id: "call_1", name: "get_time", argumentsJson: '{"tz":"UTC"}' }],
    });
    const body = upstream.requests.at(-1)!.body;
    expect(body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "what is this?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_0", type: "function", function: { name: "get_time", arguments: "{}" } }],
      },
      { role: "tool", content: "12:00", tool_call_id: "call_0" },
    ]);
    expect(body["response_format"]).toEqual({
      type: "json_schema",
      json_schema: { name: "out", schema: { type: "object" }, strict: true },
    });
  });

  it("reports Azure's content filter: a finish reason, and a refused prompt's code", async () => {
    upstream.enqueue({ text: "partial", finishReason: "content_filter" });
    expect((await collect(p().stream(request, new AbortController().signal))).at(-1)).toMatchObject({ finishReason: "content_filter" });
    upstream.enqueue({ status: 400, errorCode: "content_filter" });
    const provider = p();
    const err = await failure(collect(provider.stream(request, new AbortController().signal)), provider);
    expect(err.reason).toBe("UPSTREAM_BAD_REQUEST");
    expect(err.metadata).toMatchObject({ provider: "azure", upstream_status: "400", upstream_code: "content_filter" });
  });

  it.each([
    [{ status: 429, retryAfterMs: "1500", retryAfter: "2" }, "UPSTREAM_RATE_LIMITED", 1500],
    [{ status: 429, retryAfter: "2" }, "UPSTREAM_RATE_LIMITED", 2000],
    [{ status: 401 }, "UPSTREAM_AUTH_FAILED", undefined],
    [{ status: 403 }, "UPSTREAM_AUTH_FAILED", undefined],
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 503, retryAfter: "1" }, "UPSTREAM_UNAVAILABLE", 1000],
  ])("classifies %j as %s", async (behaviour, reason, retryAfterMs) => {
    upstream.enqueue(behaviour);
    const provider = p();
    const err = await failure(collect(provider.stream(request, new AbortController().signal)), provider);
    expect(err.reason).toBe(reason);
    expect(err.retryAfterMs).toBe(retryAfterMs);
  });

  it("embeds through the embedding deployment's path", async () => {
    const result = await p().embed!({ model: "text-embedding-3-small", inputs: ["a", "b"] }, new AbortController().signal);
    expect(result.vectors).toHaveLength(2);
    expect(upstream.requests.at(-1)!.path).toBe("/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21");
  });

  it("speaks the v1 API: /openai/v1, the deployment as the model, no api-version", async () => {
    upstream.enqueue({ text: "v1 answer" });
    await collect(build(client, { apiVersion: "v1" }).stream(request, new AbortController().signal));
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/openai/v1/chat/completions");
    expect(sent.body["model"]).toBe("gpt4o-prod");
    expect(sent.headers["api-key"]).toBe("azure-key");
  });

  it("sends an Entra ID token on the v1 API too", async () => {
    upstream.enqueue({ text: "v1 answer" });
    await collect(
      build(client, { apiVersion: "v1", credential: countingCredential("v1-token") }).stream(request, new AbortController().signal),
    );
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/openai/v1/chat/completions");
    expect(sent.headers["authorization"]).toBe("Bearer v1-token");
    expect(sent.headers["api-key"]).toBeUndefined();
  });

  it("stops the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = collect(p().stream(request, controller.signal));
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending.catch(() => undefined);
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });

  it("sends an Entra ID token as a bearer token, fetched once for many calls", async () => {
    const credential = countingCredential("entra-token-1");
    const provider = build(client, { credential });
    for (let i = 0; i < 3; i++) {
      upstream.enqueue({ text: "ok" });
      await collect(provider.stream(request, new AbortController().signal));
      const sent = upstream.requests.at(-1)!;
      expect(sent.headers["authorization"]).toBe("Bearer entra-token-1");
      expect(sent.headers["api-key"]).toBeUndefined();
    }
    expect(credential.scopes).toEqual(["https://cognitiveservices.azure.com/.default"]);
  });

  it("fails with UPSTREAM_AUTH_FAILED, calling no one, when no token can be had", async () => {
    const before = upstream.requests.length;
    const provider = build(client, { credential: { getToken: () => Promise.reject(new Error("AADSTS7000215: invalid client secret")) } });
    const err = await failure(collect(provider.stream(request, new AbortController().signal)), provider);
    expect(err.reason).toBe("UPSTREAM_AUTH_FAILED");
    expect(err.message).toContain("AADSTS7000215");
    expect(upstream.requests.length).toBe(before);
  });
});

describe("the fake Azure upstream", () => {
  it("refuses a deployment call without api-version, as Azure does", async () => {
    const res = await fetch(`${endpoint}/openai/deployments/d/chat/completions`, {
      method: "POST",
      headers: { "api-key": "k", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(404);
  });

  it("refuses a call without credentials", async () => {
    const res = await fetch(`${endpoint}/openai/deployments/d/chat/completions?api-version=2024-10-21`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
  });
});

function countingCredential(token: string): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken(scope): Promise<AccessToken> {
      scopes.push(...(Array.isArray(scope) ? scope : [scope]));
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };
}
