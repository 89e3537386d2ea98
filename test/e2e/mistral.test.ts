import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { ReasoningEffort, Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { createApp } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/log.js";
import type { RunningServer } from "../../src/server/server.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Mistral behind the whole gateway: callers use the gateway's faces (the openai SDK on the REST face,
 * gRPC), the gateway calls the fake upstream's Mistral face through @mistralai/mistralai.
 */

let upstream: FakeUpstream;
let server: RunningServer;
let sdk: OpenAI;
let grpc: ReturnType<typeof createClient<typeof CompletionService>>;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const small = {
  pricing: { inputPerMillion: 0.1, outputPerMillion: 0.3 },
  capabilities: { tools: true, vision: true, jsonMode: true, reasoning: true },
  contextWindow: 256_000,
};
const env = { MISTRAL_API_KEY: "ms-key", OPENAI_API_KEY: "sk-openai" };
const MODEL = "mistral-small-latest";

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const config = validateConfig(
    {
      server: { host: "127.0.0.1", grpcPort: 0, httpPort: 0, shutdownGraceMs: 500 },
      resilience: { breaker: { volumeThreshold: 1_000_000 }, retry: { budgetRatio: 0, budgetBurst: 0 } },
      providers: [
        { name: "mistral", kind: "mistral", baseUrl: `${upstream.anthropicBaseUrl}/mistral`, timeoutMs: 5000 },
        { name: "openai", kind: "openai", baseUrl: upstream.openAiBaseUrl, timeoutMs: 5000 },
      ],
      models: [
        { name: MODEL, provider: "mistral", ...small },
        {
          name: "small-anywhere",
          deployments: [
            { provider: "mistral", upstreamModel: MODEL, priority: 0 },
            { provider: "openai", upstreamModel: "gpt-4o-mini", priority: 1 },
          ],
          ...small,
        },
        {
          name: "mistral-embed",
          type: "embedding",
          provider: "mistral",
          dimensions: 1024,
          contextWindow: 8192,
          pricing: { inputPerMillion: 0.1 },
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
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Hi" }];

describe("Mistral behind the gateway", () => {
  it("answers a completion with Mistral's usage and its cost (cached input at a tenth)", async () => {
    upstream.enqueue({ text: "Bonjour from Mistral" });
    const data = await sdk.chat.completions.create({ model: MODEL, messages: hi });
    expect(data.choices[0]?.message.content).toBe("Bonjour from Mistral");
    // 13 prompt tokens, 3 of them cached; 3 answer tokens.
    expect(data.usage).toMatchObject({ prompt_tokens: 13, completion_tokens: 3 });
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
    expect((data as WithGateway).llm_gateway?.cost_usd).toBeCloseTo((10 * 0.1 + 3 * 0.01 + 3 * 0.3) / 1e6, 12);
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe("/mistral/v1/chat/completions");
    expect(sent.headers.authorization).toBe("Bearer ms-key");
  });

  it("streams", async () => {
    upstream.enqueue({ text: "one two three four" });
    const stream = await sdk.chat.completions.create({ model: MODEL, messages: hi, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("one two three four");
  });

  it("carries reasoning: asked with an effort, thinking chunks come back as the answer's reasoning", async () => {
    upstream.enqueue({ text: "Hello." });
    const answer = await grpc.complete({
      model: MODEL,
      messages: [{ role: Role.USER, content: "Hi" }],
      reasoning: { effort: ReasoningEffort.HIGH },
    });
    expect(upstream.requests.at(-1)!.body["reasoning_effort"]).toBe("high");
    expect(answer.completion?.message?.content).toBe("Hello.");
    expect(answer.completion?.message?.reasoning).toBe("The user greets me; I answer briefly.");
  });

  it("serves Anthropic's Messages API from Mistral, its thinking chunks as a thinking block", async () => {
    upstream.enqueue({ text: "Hello." });
    const anthropic = new Anthropic({ apiKey: "unused", baseURL: `http://127.0.0.1:${server.httpPort}`, maxRetries: 0 });
    const message = await anthropic.messages.create({
      model: MODEL,
      max_tokens: 1024,
      thinking: { type: "enabled", budget_tokens: 512 },
      messages: [{ role: "user", content: "Hi" }],
    });
    // A budget of 512 thinking tokens is Mistral's low effort.
    expect(upstream.requests.at(-1)!.body["reasoning_effort"]).toBe("low");
    expect(message.content[0]).toMatchObject({ type: "thinking", thinking: "The user greets me; I answer briefly." });
    expect(message.content[1]).toMatchObject({ type: "text", text: "Hello." });
  });

  it("carries a tool round trip with an image", async () => {
    upstream.enqueue({ text: "", toolCalls: [{ id: "D681PevKs", name: "describe", arguments: '{"what":"pixel"}' }] });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "describe", parameters: { type: "object" } } }];
    const image: OpenAI.ChatCompletionContentPart = { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } };
    const user: OpenAI.ChatCompletionMessageParam = { role: "user", content: [{ type: "text", text: "what is it?" }, image] };
    const first = await sdk.chat.completions.create({ model: MODEL, tools, messages: [user] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call).toMatchObject({ id: "D681PevKs", function: { name: "describe", arguments: '{"what":"pixel"}' } });
    expect(upstream.requests.at(-1)!.body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "what is it?" },
          { type: "image_url", image_url: `data:image/png;base64,${PNG}` },
        ],
      },
    ]);
    upstream.enqueue({ text: "a single pixel" });
    const second = await sdk.chat.completions.create({
      model: MODEL,
      tools,
      messages: [
        user,
        { role: "assistant", content: null, tool_calls: [call as OpenAI.ChatCompletionMessageToolCall] },
        { role: "tool", tool_call_id: call?.id ?? "", content: "1x1 PNG" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("a single pixel");
    expect(upstream.requests.at(-1)!.body["messages"]).toContainEqual({
      role: "tool",
      content: "1x1 PNG",
      tool_call_id: "D681PevKs",
      name: "describe",
    });
  });

  it("passes Mistral's 429 on with its retry delay", async () => {
    upstream.enqueue({ status: 429, retryAfter: "3" });
    const err = ConnectError.from(
      await grpc.complete({ model: MODEL, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e),
    );
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_RATE_LIMITED");
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 3n });
  });

  it("fails as FAILED_PRECONDITION when Mistral refuses the gateway's key", async () => {
    upstream.enqueue({ status: 401 });
    const err = ConnectError.from(
      await grpc.complete({ model: MODEL, messages: [{ role: Role.USER, content: "Hi" }] }).catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UPSTREAM_AUTH_FAILED");
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const index = upstream.requests.length;
    const controller = new AbortController();
    const pending = sdk.chat.completions.create({ model: MODEL, messages: hi }, { signal: controller.signal }).catch(() => undefined);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending;
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
  });

  it("embeds with mistral-embed through POST /v1/embeddings", async () => {
    const data = await sdk.embeddings.create({ model: "mistral-embed", input: ["red apple", "green pear"], encoding_format: "float" });
    expect(data.data.map((d) => d.embedding.length)).toEqual([1024, 1024]);
    expect(data.usage.prompt_tokens).toBe(4);
    expect(upstream.requests.at(-1)!.path).toBe("/mistral/v1/embeddings");
  });
});

describe("Mistral among other deployments", () => {
  it("fails over from a Mistral 5xx to an OpenAI deployment of the same model", async () => {
    upstream.enqueue({ status: 503 }, { text: "from OpenAI" });
    const data = await sdk.chat.completions.create({ model: "small-anywhere", messages: hi });
    expect(data.choices[0]?.message.content).toBe("from OpenAI");
    expect((data as WithGateway).llm_gateway?.provider).toBe("openai");
    expect(upstream.requests.slice(-2).map((r) => r.path)).toEqual(["/mistral/v1/chat/completions", "/v1/chat/completions"]);
  });

  it("continues on Mistral a tool conversation begun on OpenAI (its call ids made Mistral's nine characters)", async () => {
    upstream.enqueue({ text: "It is noon." });
    const data = await sdk.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "user", content: "Time?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_Xy12", type: "function", function: { name: "clock", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_Xy12", content: "12:00" },
      ],
    });
    expect(data.choices[0]?.message.content).toBe("It is noon.");
    const [, assistant, tool] = upstream.requests.at(-1)!.body["messages"] as { tool_calls?: { id: string }[]; tool_call_id?: string }[];
    expect(assistant?.tool_calls?.[0]?.id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(tool?.tool_call_id).toBe(assistant?.tool_calls?.[0]?.id);
  });

  it("lists Mistral models in ListModels with their kind", async () => {
    const { models } = await grpc.listModels({});
    expect(models.find((m) => m.name === MODEL)).toMatchObject({
      provider: "mistral",
      providerKind: "mistral",
      cachedInputPricePerMillion: 0.01,
    });
  });
});
