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
import { FAKE_AWS_SECRET } from "../support/fake-bedrock.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Amazon Bedrock behind the whole gateway: callers use the gateway's faces (the openai SDK on the REST
 * face, gRPC); the gateway calls the fake upstream's Converse and ConverseStream through the real
 * @aws-sdk/client-bedrock-runtime, signed with the keys from the environment.
 */

let upstream: FakeUpstream;
let server: RunningServer;
let sdk: OpenAI;
let grpc: ReturnType<typeof createClient<typeof CompletionService>>;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const SONNET = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const env = { AWS_ACCESS_KEY_ID: "AKIDE2E", AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET, ANTHROPIC_API_KEY: "sk-ant" };
const pricing = { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 };
const capabilities = { tools: true, vision: true, documents: true, jsonMode: true, reasoning: true };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [
        { name: "bedrock", kind: "bedrock", region: "us-east-1", endpoint: upstream.anthropicBaseUrl, timeoutMs: 5000 },
        { name: "anthropic", kind: "anthropic", baseUrl: upstream.anthropicBaseUrl, timeoutMs: 5000 },
      ],
      models: [
        { name: "claude-sonnet-4-5", provider: "bedrock", upstreamModel: SONNET, pricing, capabilities },
        {
          name: "claude-anywhere",
          deployments: [
            { provider: "bedrock", upstreamModel: SONNET, priority: 0 },
            { provider: "anthropic", upstreamModel: "claude-sonnet-4-5", priority: 1 },
          ],
          pricing,
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
const model = "claude-sonnet-4-5";
const grpcError = async (): Promise<ConnectError> =>
  ConnectError.from(await grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));

describe("Amazon Bedrock behind the gateway", () => {
  it("answers a completion with usage, cache reads and writes, and its cost", async () => {
    upstream.enqueue({ text: "Hello from Bedrock" });
    const data = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("Hello from Bedrock");
    // Bedrock's 13 input tokens leave out 3 read from the cache and 2 written to it.
    expect(data.usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 3 } });
    // 13 input at 3, 3 cache reads at 0.3, 2 cache writes at 3.75 and 3 output at 15, per million.
    expect((data as WithGateway).llm_gateway?.cost_usd).toBeCloseTo((13 * 3 + 3 * 0.3 + 2 * 3.75 + 3 * 15) / 1e6, 12);
    const sent = upstream.requests.at(-1)!;
    expect(sent.bedrock).toMatchObject({ modelId: SONNET, accessKeyId: "AKIDE2E", region: "us-east-1", service: "bedrock" });
  });

  it("streams", async () => {
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
    expect(usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 4 });
    expect(upstream.requests.at(-1)!.path).toBe(`/model/${encodeURIComponent(SONNET)}/converse-stream`);
  });

  it("carries a tool round trip with an image", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "tu_1", name: "describe", arguments: '{"what":"pixel"}' }] });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "describe", parameters: { type: "object" } } }];
    const first = await sdk.chat.completions.create({
      model,
      tools,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is it?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call).toMatchObject({ id: "tu_1", function: { name: "describe", arguments: '{"what":"pixel"}' } });
    expect(upstream.requests.at(-1)!.body["messages"]).toEqual([
      { role: "user", content: [{ text: "what is it?" }, { image: { format: "png", source: { bytes: PNG } } }] },
    ]);
    upstream.enqueue({ text: "a single pixel" });
    const second = await sdk.chat.completions.create({
      model,
      tools,
      messages: [
        { role: "user", content: "what is it?" },
        { role: "assistant", content: null, tool_calls: [call as OpenAI.ChatCompletionMessageToolCall] },
        { role: "tool", tool_call_id: "tu_1", content: "1x1 PNG" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("a single pixel");
    expect((upstream.requests.at(-1)!.body["messages"] as unknown[])[2]).toEqual({
      role: "user",
      content: [{ toolResult: { toolUseId: "tu_1", content: [{ text: "1x1 PNG" }], status: "success" } }],
    });
  });

  it("passes throttling on as UPSTREAM_RATE_LIMITED with a retry delay", async () => {
    upstream.enqueue({ status: 429, errorCode: "ThrottlingException" });
    const err = await grpcError();
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    // Bedrock names no delay: the AWS SDKs' throttling base delay stands in.
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 0n, nanos: 500_000_000 });
  });

  it.each(["AccessDeniedException", "UnrecognizedClientException"])("fails as FAILED_PRECONDITION on %s", async (name) => {
    upstream.enqueue({ status: 403, errorCode: name });
    const err = await grpcError();
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("ends a guardrail's intervention with finish reason content_filter", async () => {
    upstream.enqueue({ text: "Sorry.", finishReason: "guardrail_intervened" });
    const data = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.finish_reason).toBe("content_filter");
  });

  it("fails over from a Bedrock 5xx to Anthropic's own API", async () => {
    upstream.enqueue({ status: 503, errorCode: "ServiceUnavailableException" }, { text: "from Anthropic" });
    const data = await sdk.chat.completions.create({ model: "claude-anywhere", messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("from Anthropic");
    expect((data as WithGateway).llm_gateway?.provider).toBe("anthropic");
    const [bedrock, anthropic] = upstream.requests.slice(-2);
    expect(bedrock?.bedrock?.modelId).toBe(SONNET);
    expect(anthropic?.path).toBe("/v1/messages");
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

  it("lists Bedrock models in ListModels, with their kind, model id and prices", async () => {
    const { models } = await grpc.listModels({});
    expect(models.find((m) => m.name === model)).toMatchObject({
      provider: "bedrock",
      providerKind: "bedrock",
      upstreamModel: SONNET,
      cachedInputPricePerMillion: 0.3,
    });
  });
});
