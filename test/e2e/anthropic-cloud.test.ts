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
import { BEDROCK_KEYS } from "../support/fake-anthropic-cloud.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Claude on Vertex AI and on Bedrock behind the whole gateway: callers use the gateway's faces (the openai
 * SDK on the REST face, gRPC); the gateway calls the fake platforms through the real Vertex and Bedrock clients.
 */

let upstream: FakeUpstream;
let server: RunningServer;
let sdk: OpenAI;
let grpc: ReturnType<typeof createClient<typeof CompletionService>>;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const [keyId = "", secret = ""] = Object.entries(BEDROCK_KEYS)[0] ?? [];
const env = { GOOGLE_ACCESS_TOKEN: "ya29.gateway-token", BEDROCK_KEY_ID: keyId, BEDROCK_SECRET: secret, ANTHROPIC_API_KEY: "sk-ant" };
const everything = { tools: true, vision: true, jsonMode: true, reasoning: true };
const pricing = { inputPerMillion: 3, outputPerMillion: 15 };
const VERTEX_MODEL = "claude-sonnet-4-5@20250929";
const BEDROCK_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [
        {
          name: "vertex",
          kind: "anthropic-vertex",
          projectId: "proj-1",
          region: "us-east5",
          accessTokenEnv: "GOOGLE_ACCESS_TOKEN",
          baseUrl: `${upstream.anthropicBaseUrl}/v1`,
          timeoutMs: 5000,
        },
        {
          name: "bedrock",
          kind: "anthropic-bedrock",
          awsRegion: "us-east-1",
          accessKeyIdEnv: "BEDROCK_KEY_ID",
          secretAccessKeyEnv: "BEDROCK_SECRET",
          baseUrl: upstream.anthropicBaseUrl,
          timeoutMs: 5000,
        },
        { name: "anthropic", kind: "anthropic", baseUrl: upstream.anthropicBaseUrl, timeoutMs: 5000 },
      ],
      models: [
        {
          name: "claude-vertex",
          provider: "vertex",
          upstreamModel: VERTEX_MODEL,
          pricing,
          capabilities: everything,
          maxOutputTokens: 8192,
        },
        {
          name: "claude-bedrock",
          provider: "bedrock",
          upstreamModel: BEDROCK_MODEL,
          pricing,
          capabilities: everything,
          maxOutputTokens: 8192,
        },
        {
          name: "claude-anywhere",
          deployments: [
            { provider: "vertex", upstreamModel: VERTEX_MODEL, priority: 0 },
            { provider: "bedrock", upstreamModel: BEDROCK_MODEL, priority: 1 },
            { provider: "anthropic", upstreamModel: "claude-sonnet-4-5", priority: 2 },
          ],
          pricing,
          capabilities: everything,
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

const cases = [
  { model: "claude-vertex", platform: "vertex", upstreamModel: VERTEX_MODEL, authStatus: 401 },
  { model: "claude-bedrock", platform: "bedrock", upstreamModel: BEDROCK_MODEL, authStatus: 403 },
] as const;

describe.each(cases)("$model behind the gateway", ({ model, platform, upstreamModel, authStatus }) => {
  it("answers a completion with usage and its cost at Claude's cache rates", async () => {
    upstream.enqueue({ text: "Hello from the cloud" });
    const data = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("Hello from the cloud");
    // The fake counts 13 fresh input tokens, 3 read from the cache and 2 written to it; 4 output tokens.
    expect(data.usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 3 } });
    // Fresh input at 3, cache reads at 0.3 (0.1x), cache writes at 3.75 (1.25x), output at 15, per million.
    expect((data as WithGateway).llm_gateway?.cost_usd).toBeCloseTo((13 * 3 + 3 * 0.3 + 2 * 3.75 + 4 * 15) / 1e6, 12);
    expect(upstream.requests.at(-1)?.cloud).toMatchObject({ platform, model: upstreamModel });
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
    expect(upstream.requests.at(-1)?.cloud).toMatchObject({ platform, stream: true });
  });

  it("carries a tool round trip with an image", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "toolu_1", name: "describe", arguments: '{"what":"pixel"}' }] });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "describe", parameters: { type: "object" } } }];
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: [
        { type: "text", text: "what is it?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
      ],
    };
    const first = await sdk.chat.completions.create({ model, tools, messages: [question] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(call).toMatchObject({ id: "toolu_1", function: { name: "describe", arguments: '{"what":"pixel"}' } });
    expect(JSON.stringify(upstream.requests.at(-1)?.body["messages"])).toContain(`"data":"${PNG}"`);
    upstream.enqueue({ text: "a single pixel" });
    const second = await sdk.chat.completions.create({
      model,
      tools,
      messages: [
        question,
        { role: "assistant", content: null, tool_calls: [call as OpenAI.ChatCompletionMessageToolCall] },
        { role: "tool", tool_call_id: "toolu_1", content: "1x1 PNG" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("a single pixel");
    expect(upstream.requests.at(-1)?.body["messages"]).toContainEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "1x1 PNG" }],
    });
  });

  it("passes a 429 on with its retry delay", async () => {
    upstream.enqueue({ status: 429, retryAfter: "3" });
    const err = ConnectError.from(await grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 3n });
  });

  it("fails as FAILED_PRECONDITION when the platform refuses the gateway's credentials", async () => {
    upstream.enqueue({ status: authStatus });
    const err = ConnectError.from(await grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_AUTH_FAILED");
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
    expect(upstream.requests[index]?.aborted).toBe(true);
  });
});

describe("Claude on several platforms", () => {
  it("fails over from a Vertex 5xx to Bedrock, then from a Bedrock 5xx to Anthropic's API", async () => {
    upstream.enqueue({ status: 503 }, { text: "from Bedrock" });
    const first = await sdk.chat.completions.create({ model: "claude-anywhere", messages: [{ role: "user", content: "Hi" }] });
    expect(first.choices[0]?.message.content).toBe("from Bedrock");
    expect((first as WithGateway).llm_gateway?.provider).toBe("bedrock");
    expect(upstream.requests.slice(-2).map((r) => r.cloud?.platform)).toEqual(["vertex", "bedrock"]);
    upstream.enqueue({ status: 500 }, { status: 500 }, { text: "from Anthropic" });
    const second = await sdk.chat.completions.create({ model: "claude-anywhere", messages: [{ role: "user", content: "Hi" }] });
    expect((second as WithGateway).llm_gateway?.provider).toBe("anthropic");
    expect(upstream.requests.at(-1)?.path).toBe("/v1/messages");
  });

  it("lists the models in ListModels with their kind, platform name and Claude's cache prices", async () => {
    const { models } = await grpc.listModels({});
    expect(models.find((m) => m.name === "claude-vertex")).toMatchObject({
      provider: "vertex",
      providerKind: "anthropic-vertex",
      upstreamModel: VERTEX_MODEL,
    });
    expect(models.find((m) => m.name === "claude-bedrock")).toMatchObject({
      provider: "bedrock",
      providerKind: "anthropic-bedrock",
      upstreamModel: BEDROCK_MODEL,
    });
    expect(models.find((m) => m.name === "claude-bedrock")?.cachedInputPricePerMillion).toBeCloseTo(0.3, 12);
  });
});
