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
 * Cohere behind the whole gateway: callers use the gateway's faces (the openai SDK on the REST face,
 * gRPC), the gateway calls the fake upstream's v2 chat and embed through the real cohere-ai SDK.
 */

let upstream: FakeUpstream;
let server: RunningServer;
let sdk: OpenAI;
let grpc: ReturnType<typeof createClient<typeof CompletionService>>;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const pricing = { inputPerMillion: 2.5, outputPerMillion: 10 };
const env = { COHERE_API_KEY: "co-key", OPENAI_API_KEY: "sk-openai" };
const model = "command-a";

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const cohere = { name: "cohere", kind: "cohere", baseUrl: upstream.anthropicBaseUrl, timeoutMs: 5000 };
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [cohere, { name: "openai", kind: "openai", baseUrl: upstream.openAiBaseUrl, timeoutMs: 5000 }],
      models: [
        { name: model, provider: "cohere", upstreamModel: "command-a-03-2025", pricing, capabilities: { tools: true, jsonMode: true } },
        {
          name: "command-a-reasoning",
          provider: "cohere",
          upstreamModel: "command-a-reasoning-08-2025",
          pricing,
          capabilities: { reasoning: true },
        },
        {
          name: "command-a-vision",
          provider: "cohere",
          upstreamModel: "command-a-vision-07-2025",
          pricing,
          capabilities: { vision: true },
        },
        {
          name: "command-anywhere",
          deployments: [
            { provider: "cohere", upstreamModel: "command-a-03-2025", priority: 0 },
            { provider: "openai", upstreamModel: "gpt-4o-mini", priority: 1 },
          ],
          pricing,
        },
        {
          name: "embed-v4.0",
          type: "embedding",
          provider: "cohere",
          dimensions: 1536,
          contextWindow: 128000,
          pricing: { inputPerMillion: 0.12 },
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
const grpcError = async (): Promise<ConnectError> =>
  ConnectError.from(await grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));

describe("Cohere behind the gateway", () => {
  it("answers a completion with Cohere's billed usage and its cost", async () => {
    upstream.enqueue({ text: "Hello from Cohere" });
    const data = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("Hello from Cohere");
    // Cohere counted 17 input tokens and bills 11 (3 of them from its cache); it bills the 3 answer tokens.
    expect(data.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 3 } });
    expect((data as WithGateway).llm_gateway?.cost_usd).toBeCloseTo((11 * 2.5 + 3 * 10) / 1e6, 12);
    expect(upstream.requests.at(-1)).toMatchObject({ path: "/v2/chat", headers: { authorization: "Bearer co-key" } });
    expect(upstream.requests.at(-1)!.body).toMatchObject({ model: "command-a-03-2025", stream: true });
  });

  it("streams, with usage at the end", async () => {
    upstream.enqueue({ text: "one two three four" });
    const stream = await sdk.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage ??= chunk.usage;
    }
    expect(text).toBe("one two three four");
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 4 });
  });

  it("carries a tool round trip", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "call_9", name: "weather", arguments: '{"city":"Paris"}' }] });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }];
    const user: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Weather in Paris?" };
    const first = await sdk.chat.completions.create({ model, tools, messages: [user] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call).toMatchObject({ id: "call_9", function: { name: "weather", arguments: '{"city":"Paris"}' } });
    upstream.enqueue({ text: "Sunny." });
    const second = await sdk.chat.completions.create({
      model,
      tools,
      messages: [
        user,
        { role: "assistant", content: null, tool_calls: [call as OpenAI.ChatCompletionMessageToolCall] },
        { role: "tool", tool_call_id: "call_9", content: '{"sky":"clear"}' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("Sunny.");
    expect((upstream.requests.at(-1)!.body["messages"] as unknown[]).at(-1)).toEqual({
      role: "tool",
      tool_call_id: "call_9",
      content: '{"sky":"clear"}',
    });
  });

  it("sends an image to the vision model", async () => {
    upstream.enqueue({ text: "a single pixel" });
    const image: OpenAI.ChatCompletionContentPart = { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } };
    const data = await sdk.chat.completions.create({
      model: "command-a-vision",
      messages: [{ role: "user", content: [{ type: "text", text: "what is it?" }, image] }],
    });
    expect(data.choices[0]?.message.content).toBe("a single pixel");
    expect(upstream.requests.at(-1)!.body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "what is it?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
    ]);
  });

  it("passes Cohere's documents and safety mode from extra_body", async () => {
    const extra_body = { documents: ["Paris is the capital of France."], safety_mode: "STRICT" };
    await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Capital of France?" }], extra_body } as never);
    expect(upstream.requests.at(-1)!.body).toMatchObject(extra_body);
  });

  it("turns a reasoning model's thinking off with reasoning_effort none, and passes its thinking on as reasoning_content", async () => {
    await sdk.chat.completions.create({
      model: "command-a-reasoning",
      messages: [{ role: "user", content: "Hi" }],
      reasoning_effort: "none",
    });
    expect(upstream.requests.at(-1)!.body["thinking"]).toEqual({ type: "disabled" });
    upstream.enqueue({
      rawEvents: [
        { type: "content-delta", index: 0, delta: { message: { content: { thinking: "Easy." } } } },
        { type: "content-delta", index: 1, delta: { message: { content: { text: "Four." } } } },
        { type: "message-end", delta: { finish_reason: "COMPLETE", usage: { billed_units: { input_tokens: 5, output_tokens: 9 } } } },
      ],
    });
    const data = await sdk.chat.completions.create({ model: "command-a-reasoning", messages: [{ role: "user", content: "2+2?" }] });
    expect(data.choices[0]?.message).toMatchObject({ content: "Four.", reasoning_content: "Easy." });
  });

  it("passes Cohere's 429 on with its retry-after", async () => {
    upstream.enqueue({ status: 429, retryAfter: "3" });
    const err = await grpcError();
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 3n });
  });

  it("fails as FAILED_PRECONDITION when Cohere refuses the gateway's key", async () => {
    upstream.enqueue({ status: 401 });
    const err = await grpcError();
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("fails over from a Cohere 5xx to an OpenAI deployment of the same model", async () => {
    upstream.enqueue({ status: 503 }, { text: "from OpenAI" });
    const data = await sdk.chat.completions.create({ model: "command-anywhere", messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("from OpenAI");
    expect((data as WithGateway).llm_gateway?.provider).toBe("openai");
    expect(upstream.requests.slice(-2).map((r) => r.path)).toEqual(["/v2/chat", "/v1/chat/completions"]);
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

  it("embeds through /v2/embed, billed for Cohere's input tokens", async () => {
    const data = await sdk.embeddings.create({
      model: "embed-v4.0",
      input: ["red apple", "green pear"],
      dimensions: 512,
      encoding_format: "float",
    });
    expect(data.data.map((d) => d.embedding.length)).toEqual([512, 512]);
    expect(data.usage.prompt_tokens).toBe(4);
    expect(upstream.requests.at(-1)).toMatchObject({ path: "/v2/embed", body: { input_type: "search_document", output_dimension: 512 } });
  });

  it("lists Cohere models in ListModels, with their kind and upstream model", async () => {
    const { models } = await grpc.listModels({});
    expect(models.find((m) => m.name === model)).toMatchObject({
      provider: "cohere",
      providerKind: "cohere",
      upstreamModel: "command-a-03-2025",
    });
  });
});
