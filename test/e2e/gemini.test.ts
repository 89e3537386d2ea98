import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { createApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/log.js";
import type { RunningServer } from "../../src/server/server.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * The Gemini API and Vertex AI behind the whole gateway: callers use the gateway's faces (the openai
 * SDK on the REST face, gRPC), the gateway calls the fake upstream through @google/genai. Vertex is in
 * express mode here (an API key); its Google credentials (a bearer token) are proven in
 * test/providers/gemini.test.ts.
 */

let upstream: FakeUpstream;
let server: RunningServer;
let sdk: OpenAI;
let grpc: ReturnType<typeof createClient<typeof CompletionService>>;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const flash = {
  pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03 },
  capabilities: { tools: true, vision: true, jsonMode: true, reasoning: true },
  contextWindow: 1_048_576,
};
const env = { GEMINI_API_KEY: "g-key", VERTEX_API_KEY: "v-key", OPENAI_API_KEY: "sk-openai" };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const base = { baseUrl: upstream.anthropicBaseUrl, timeoutMs: 5000 };
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [
        { name: "gemini", kind: "gemini", ...base },
        { name: "vertex", kind: "vertex", apiKeyEnv: "VERTEX_API_KEY", ...base },
        { name: "openai", kind: "openai", baseUrl: upstream.openAiBaseUrl, timeoutMs: 5000 },
      ],
      models: [
        { name: "gemini-2.5-flash", provider: "gemini", ...flash },
        { name: "vertex-flash", provider: "vertex", upstreamModel: "gemini-2.5-flash", ...flash },
        {
          name: "flash-anywhere",
          deployments: [
            { provider: "gemini", upstreamModel: "gemini-2.5-flash", priority: 0 },
            { provider: "openai", upstreamModel: "gpt-4o-mini", priority: 1 },
          ],
          ...flash,
        },
      ],
    },
    env,
  );
  server = await createApp(config, { logger: silentLogger, env }).start();
  sdk = new OpenAI({ apiKey: "unused", baseURL: `http://127.0.0.1:${server.httpPort}/v1`, maxRetries: 0 });
  grpc = createClient(CompletionService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` }));
});
afterAll(async () => {
  await server.close(0);
  await upstream.close();
});
beforeEach(() => upstream.setDefault({}));

type WithGateway = { llm_gateway?: { provider: string; cost_usd: number } };

describe.each([
  ["gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash", "x-goog-api-key", "g-key"],
  ["vertex-flash", "/v1beta1/publishers/google/models/gemini-2.5-flash", "x-goog-api-key", "v-key"],
])("%s behind the gateway", (model, path, keyHeader, key) => {
  it("answers a completion with Gemini's usage and its cost", async () => {
    upstream.enqueue({ text: "Hello from Gemini" });
    const data = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("Hello from Gemini");
    // 13 prompt tokens (3 of them cached), 3 answer tokens and 4 thinking tokens.
    expect(data.usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 7 });
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBe(4);
    expect((data as WithGateway).llm_gateway?.cost_usd).toBeCloseTo((10 * 0.3 + 3 * 0.03 + 7 * 2.5) / 1e6, 12);
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe(`${path}:streamGenerateContent?alt=sse`);
    expect(sent.headers[keyHeader]).toBe(key);
  });

  it("streams", async () => {
    upstream.enqueue({ text: "one two three four" });
    const stream = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("one two three four");
  });

  it("carries a tool round trip with an image", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "x", name: "describe", arguments: '{"what":"pixel"}' }] });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "describe", parameters: { type: "object" } } }];
    const image: OpenAI.ChatCompletionContentPart = { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } };
    const user: OpenAI.ChatCompletionMessageParam = { role: "user", content: [{ type: "text", text: "what is it?" }, image] };
    const first = await sdk.chat.completions.create({ model, tools, messages: [user] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call).toMatchObject({ function: { name: "describe", arguments: '{"what":"pixel"}' } });
    expect(upstream.requests.at(-1)!.body["contents"]).toEqual([
      { role: "user", parts: [{ text: "what is it?" }, { inlineData: { mimeType: "image/png", data: PNG } }] },
    ]);
    upstream.enqueue({ text: "a single pixel" });
    const second = await sdk.chat.completions.create({
      model,
      tools,
      messages: [
        user,
        { role: "assistant", content: null, tool_calls: [call as OpenAI.ChatCompletionMessageToolCall] },
        { role: "tool", tool_call_id: call?.id ?? "", content: "1x1 PNG" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("a single pixel");
    expect(upstream.requests.at(-1)!.body["contents"]).toContainEqual({
      role: "user",
      parts: [{ functionResponse: { id: call?.id, name: "describe", response: { output: "1x1 PNG" } } }],
    });
  });

  it("passes Google's 429 on with RetryInfo's delay", async () => {
    upstream.enqueue({ status: 429, retryAfter: "2.5" });
    const err = ConnectError.from(await grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 2n, nanos: 500_000_000 });
  });

  it("fails as FAILED_PRECONDITION when Google refuses the gateway's credentials", async () => {
    upstream.enqueue({ status: 401 });
    const err = ConnectError.from(await grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("reports a safety block as the content_filter finish reason", async () => {
    upstream.enqueue({ text: "", finishReason: "SAFETY" });
    const data = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.finish_reason).toBe("content_filter");
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const index = upstream.requests.length;
    const controller = new AbortController();
    const pending = sdk.chat.completions
      .create({ model, messages: [{ role: "user", content: "Hi" }] }, { signal: controller.signal })
      .catch(() => undefined);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending;
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });
});

describe("Gemini among other deployments", () => {
  it("fails over from a Gemini 5xx to an OpenAI deployment of the same model", async () => {
    upstream.enqueue({ status: 503 }, { text: "from OpenAI" });
    const data = await sdk.chat.completions.create({ model: "flash-anywhere", messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("from OpenAI");
    expect((data as WithGateway).llm_gateway?.provider).toBe("openai");
    const [gemini, openai] = upstream.requests.slice(-2);
    expect(gemini?.path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(openai?.path).toBe("/v1/chat/completions");
  });

  it("lists Gemini and Vertex models in ListModels, with their kind and the cached-input price", async () => {
    const { models } = await grpc.listModels({});
    expect(models.find((m) => m.name === "gemini-2.5-flash")).toMatchObject({ provider: "gemini", providerKind: "gemini" });
    expect(models.find((m) => m.name === "vertex-flash")).toMatchObject({
      provider: "vertex",
      providerKind: "vertex",
      upstreamModel: "gemini-2.5-flash",
    });
    expect(models.find((m) => m.name === "vertex-flash")?.cachedInputPricePerMillion).toBe(0.03);
  });
});
