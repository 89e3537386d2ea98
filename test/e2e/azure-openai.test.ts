import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { createApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import type { RunningServer } from "../../src/server/server.js";
import { silentLogger } from "../../src/log.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";

/*
 * Azure OpenAI behind the whole gateway: callers use the gateway's faces (the openai SDK on the REST
 * face, gRPC), the gateway calls the fake upstream on Azure's deployment paths, through the direct
 * client and through the SDK's AzureOpenAI client. Entra ID tokens are proven in test/providers/azure.test.ts.
 */

let upstream: FakeUpstream;
let server: RunningServer;
let sdk: OpenAI;
let grpc: ReturnType<typeof createClient<typeof CompletionService>>;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const everything = { tools: true, vision: true, jsonMode: true };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const azure = { kind: "azure-openai", endpoint: upstream.anthropicBaseUrl, apiVersion: "2024-10-21", timeoutMs: 5000 };
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [
        { name: "azure", ...azure, headers: { "x-ms-useragent": "llm-gateway-test" } },
        { name: "azure-sdk", ...azure, client: "sdk" },
        { name: "openai", kind: "openai", baseUrl: upstream.openAiBaseUrl, timeoutMs: 5000 },
      ],
      models: [
        {
          name: "gpt-4o",
          provider: "azure",
          upstreamModel: "gpt4o-eastus",
          pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
          capabilities: everything,
        },
        {
          name: "gpt-4o-sdk",
          provider: "azure-sdk",
          upstreamModel: "gpt4o-eastus",
          pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
          capabilities: everything,
        },
        {
          name: "gpt-4o-anywhere",
          deployments: [
            { provider: "azure", upstreamModel: "gpt4o-eastus", priority: 0 },
            { provider: "openai", upstreamModel: "gpt-4o", priority: 1 },
          ],
          pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
        },
        { name: "embed", provider: "azure", upstreamModel: "embed-small", type: "embedding", dimensions: 256, contextWindow: 8191 },
      ],
    },
    { AZURE_OPENAI_API_KEY: "az-key", OPENAI_API_KEY: "sk-openai" },
  );
  server = await createApp(config, { logger: silentLogger, env: { AZURE_OPENAI_API_KEY: "az-key", OPENAI_API_KEY: "sk-openai" } }).start();
  sdk = new OpenAI({ apiKey: "unused", baseURL: `http://127.0.0.1:${server.httpPort}/v1`, maxRetries: 0 });
  grpc = createClient(CompletionService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` }));
});
afterAll(async () => {
  await server.close(0);
  await upstream.close();
});
beforeEach(() => upstream.setDefault({}));

type WithGateway = { llm_gateway?: { provider: string; cost_usd: number } };

describe.each(["gpt-4o", "gpt-4o-sdk"])("Azure OpenAI behind the gateway (%s)", (model) => {
  it("answers a completion with usage and its cost, from the deployment's path", async () => {
    upstream.enqueue({ text: "Hello from Azure" });
    const data = await sdk.chat.completions.create({ model, messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("Hello from Azure");
    expect(data.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3 });
    // 11 input tokens at 2.5 and 3 output tokens at 10, per million.
    expect((data as WithGateway).llm_gateway?.cost_usd).toBeCloseTo((11 * 2.5 + 3 * 10) / 1e6, 12);
    const sent = upstream.requests.at(-1)!;
    expect(sent.azure).toEqual({ deployment: "gpt4o-eastus", apiVersion: "2024-10-21" });
    expect(sent.headers["api-key"]).toBe("az-key");
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
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 4 });
    expect(upstream.requests.at(-1)!.path).toBe("/openai/deployments/gpt4o-eastus/chat/completions?api-version=2024-10-21");
  });

  it("carries a tool round trip with an image", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "call_1", name: "describe", arguments: '{"what":"pixel"}' }] });
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
    expect(call).toMatchObject({ id: "call_1", function: { name: "describe", arguments: '{"what":"pixel"}' } });
    expect(JSON.stringify(upstream.requests.at(-1)!.body["messages"])).toContain(`data:image/png;base64,${PNG}`);
    upstream.enqueue({ text: "a single pixel" });
    const second = await sdk.chat.completions.create({
      model,
      tools,
      messages: [
        { role: "user", content: "what is it?" },
        { role: "assistant", content: null, tool_calls: [call as OpenAI.ChatCompletionMessageToolCall] },
        { role: "tool", tool_call_id: "call_1", content: "1x1 PNG" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("a single pixel");
    expect(upstream.requests.at(-1)!.body["messages"]).toContainEqual({ role: "tool", content: "1x1 PNG", tool_call_id: "call_1" });
  });

  it("passes Azure's 429 on with its retry-after-ms delay", async () => {
    upstream.enqueue({ status: 429, retryAfterMs: "2500", retryAfter: "3" });
    const err = ConnectError.from(await grpc.complete({ model, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e));
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    // retry-after-ms wins over retry-after: Azure sends both, the first to the millisecond.
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata["retry_after_ms"]).toBe("2500");
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 2n, nanos: 500_000_000 });
  });

  it("fails as FAILED_PRECONDITION when Azure refuses the gateway's credentials", async () => {
    upstream.enqueue({ status: 401 });
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
    expect(upstream.requests[index]!.aborted).toBe(true);
  });
});

describe("Azure OpenAI among other deployments", () => {
  it("fails over from an Azure 5xx to an OpenAI deployment of the same model", async () => {
    upstream.enqueue({ status: 503 }, { text: "from OpenAI" });
    const data = await sdk.chat.completions.create({ model: "gpt-4o-anywhere", messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]?.message.content).toBe("from OpenAI");
    expect((data as WithGateway).llm_gateway?.provider).toBe("openai");
    const [azure, openai] = upstream.requests.slice(-2);
    expect(azure?.path).toBe("/openai/deployments/gpt4o-eastus/chat/completions?api-version=2024-10-21");
    expect(openai?.path).toBe("/v1/chat/completions");
    expect(openai?.headers["authorization"]).toBe("Bearer sk-openai");
  });

  it("embeds through an embedding deployment", async () => {
    const res = await sdk.embeddings.create({ model: "embed", input: ["hello world", "bye"] });
    expect(res.data).toHaveLength(2);
    expect(upstream.requests.at(-1)!.path).toBe("/openai/deployments/embed-small/embeddings?api-version=2024-10-21");
  });

  it("lists Azure deployments in ListModels, with their kind and deployment name", async () => {
    const { models } = await grpc.listModels({});
    expect(models.find((m) => m.name === "gpt-4o")).toMatchObject({
      provider: "azure",
      providerKind: "azure-openai",
      upstreamModel: "gpt4o-eastus",
    });
    expect(models.find((m) => m.name === "gpt-4o")?.cachedInputPricePerMillion).toBe(1.25);
  });
});
