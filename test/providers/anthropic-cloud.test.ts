import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAnthropicBedrockProvider, createAnthropicVertexProvider } from "../../src/providers/anthropic-cloud.js";
import { collectChunks } from "../../src/providers/collect.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { BEDROCK_API_KEY, BEDROCK_KEYS } from "../support/fake-anthropic-cloud.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * Claude on Vertex AI and on Bedrock through the real @anthropic-ai/vertex-sdk and @anthropic-ai/bedrock-sdk
 * clients, pointed at the fake upstream by their base URL overrides: the fake checks each platform's paths,
 * body version, Google bearer tokens and SigV4 signatures, and frames Bedrock's streams as AWS event streams.
 */

let upstream: FakeUpstream;
const fetch = createSdkFetch(new Agent());
const [keyId, secret] = Object.entries(BEDROCK_KEYS)[0] ?? ["", ""];
const VERTEX_MODEL = "claude-sonnet-4-5@20250929";
const BEDROCK_MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const vertex = (accessToken = "ya29.fake-token") =>
  createAnthropicVertexProvider({
    name: "vertex",
    projectId: "proj-1",
    region: "us-east5",
    accessToken,
    baseUrl: `${upstream.anthropicBaseUrl}/v1`,
    fetch,
  });
const bedrock = (
  keys: { accessKeyId?: string; secretAccessKey?: string; apiKey?: string } = { accessKeyId: keyId, secretAccessKey: secret },
) => createAnthropicBedrockProvider({ name: "bedrock", awsRegion: "us-west-2", ...keys, baseUrl: upstream.anthropicBaseUrl, fetch });

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

const ask = (model: string, extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ],
  maxTokens: 64,
  stop: [],
  ...extra,
});

async function chunksOf(p: Provider, r: ProviderRequest, signal = new AbortController().signal): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of p.stream(r, signal)) out.push(c);
  return out;
}

const platforms = [
  {
    platform: "vertex",
    build: () => vertex(),
    model: VERTEX_MODEL,
    path: (stream: boolean) =>
      `/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/${VERTEX_MODEL}:${stream ? "streamRawPredict" : "rawPredict"}`,
    version: "vertex-2023-10-16",
  },
  {
    platform: "bedrock",
    build: () => bedrock(),
    model: BEDROCK_MODEL,
    path: (stream: boolean) => `/model/${BEDROCK_MODEL}/${stream ? "invoke-with-response-stream" : "invoke"}`,
    version: "bedrock-2023-05-31",
  },
] as const;

describe.each(platforms)("Claude on $platform through Anthropic's client for it", ({ platform, build, model, path, version }) => {
  it("answers a unary call on the platform's path, the version in the body and the model only in the path", async () => {
    upstream.enqueue({ text: "Hello there." });
    const result = await collectChunks(build().stream(ask(model, { unary: true }), new AbortController().signal));
    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe(path(false));
    expect(sent.cloud).toMatchObject({ platform, model, stream: false });
    expect(sent.body["anthropic_version"]).toBe(version);
    expect(sent.body["model"]).toBeUndefined();
    expect(sent.body["system"]).toBe("Be brief.");
    expect(sent.headers["anthropic-version"]).toBeUndefined();
    expect(result?.message.content).toBe("Hello there.");
    expect(result?.usage).toEqual({ inputTokens: 18, outputTokens: 2, cachedInputTokens: 3, cacheWriteTokens: 2 });
  });

  it("streams the answer as deltas and an end with usage", async () => {
    upstream.enqueue({ text: "alpha beta" });
    const chunks = await chunksOf(build(), ask(model));
    expect(upstream.requests.at(-1)?.path).toBe(path(true));
    expect(chunks).toEqual([
      { type: "started" },
      { type: "delta", text: "alpha " },
      { type: "delta", text: "beta" },
      { type: "end", finishReason: "stop", usage: { inputTokens: 18, outputTokens: 2, cachedInputTokens: 3, cacheWriteTokens: 2 }, model },
    ]);
  });

  it("declares tools, reads the call back and sends its result in the next turn", async () => {
    const tools = [
      { name: "weather", description: "Weather of a city", parametersJson: '{"type":"object","properties":{"city":{"type":"string"}}}' },
    ];
    upstream.enqueue({ text: "", toolCalls: [{ id: "toolu_1", name: "weather", arguments: '{"city":"Oslo"}' }] });
    const chunks = await chunksOf(build(), ask(model, { tools }));
    expect(upstream.requests.at(-1)?.body["tools"]).toEqual([
      { name: "weather", description: "Weather of a city", input_schema: { type: "object", properties: { city: { type: "string" } } } },
    ]);
    const end = chunks.at(-1);
    expect(end).toMatchObject({
      type: "end",
      finishReason: "tool_calls",
      toolCalls: [{ id: "toolu_1", name: "weather", argumentsJson: '{"city":"Oslo"}' }],
    });
    upstream.enqueue({ text: "Rainy." });
    const next = ask(model, {
      tools,
      messages: [
        { role: "user", content: "Weather in Oslo?" },
        { role: "assistant", content: "", toolCalls: [{ id: "toolu_1", name: "weather", argumentsJson: '{"city":"Oslo"}' }] },
        { role: "tool", content: "rain, 4°C", toolCallId: "toolu_1" },
      ],
    });
    expect((await chunksOf(build(), next)).at(-1)).toMatchObject({ type: "end", finishReason: "stop" });
    expect(upstream.requests.at(-1)?.body["messages"]).toEqual([
      { role: "user", content: "Weather in Oslo?" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Oslo" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "rain, 4°C" }] },
    ]);
  });

  it("sends an inline image as a base64 block", async () => {
    const image = ask(model, {
      messages: [
        {
          role: "user",
          content: "",
          parts: [
            { type: "text", text: "What is it?" },
            { type: "image", url: `data:image/png;base64,${PNG}` },
          ],
        },
      ],
    });
    await chunksOf(build(), image);
    expect(upstream.requests.at(-1)?.body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is it?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
        ],
      },
    ]);
  });

  it("asks for thinking and a JSON schema, and reads thinking with its signature back", async () => {
    const ev = (type: string, data: object) => ({ event: type, data: { type, ...data } });
    upstream.enqueue({
      rawEvents: [
        ev("message_start", {
          message: { id: "m", type: "message", role: "assistant", model, content: [], usage: { input_tokens: 5, output_tokens: 1 } },
        }),
        ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "Let me think." } }),
        ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig-1" } }),
        ev("content_block_stop", { index: 0 }),
        ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: '{"ok":true}' } }),
        ev("content_block_stop", { index: 1 }),
        ev("message_delta", {
          delta: { stop_reason: "end_turn" },
          usage: { output_tokens: 9, output_tokens_details: { thinking_tokens: 4 } },
        }),
        ev("message_stop", {}),
      ],
    });
    const chunks = await chunksOf(
      build(),
      ask(model, {
        maxTokens: 4096,
        reasoning: { budgetTokens: 2048 },
        responseFormat: {
          type: "json_schema",
          name: "r",
          schemaJson: '{"type":"object","properties":{"ok":{"type":"boolean"}}}',
          strict: true,
        },
      }),
    );
    const sent = upstream.requests.at(-1)?.body;
    expect(sent?.["thinking"]).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(sent?.["output_config"]).toEqual({
      format: { type: "json_schema", schema: { type: "object", properties: { ok: { type: "boolean" } } } },
    });
    expect(chunks.filter((c) => c.type === "reasoning")).toEqual([
      { type: "reasoning", text: "Let me think." },
      { type: "reasoning", text: "", signature: "sig-1" },
    ]);
    expect(chunks.at(-1)).toMatchObject({ reasoningSignature: "sig-1", usage: { inputTokens: 5, outputTokens: 9, reasoningTokens: 4 } });
  });

  it("maps a refusal to the content_filter finish reason", async () => {
    upstream.enqueue({ finishReason: "refusal" });
    expect((await chunksOf(build(), ask(model))).at(-1)).toMatchObject({ finishReason: "content_filter" });
  });

  it.each([
    [{ status: 429, retryAfter: "7" }, "UPSTREAM_RATE_LIMITED", 7000],
    [{ status: 503 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 500 }, "UPSTREAM_UNAVAILABLE", undefined],
    [{ status: 400 }, "UPSTREAM_BAD_REQUEST", undefined],
  ])("translates %j into %s", async (behaviour, reason, retryAfterMs) => {
    upstream.enqueue(behaviour);
    const p = build();
    const error: unknown = await chunksOf(p, ask(model)).catch((e: unknown) => e);
    const translated = p.translateError(error);
    expect(translated?.reason).toBe(reason);
    expect(translated?.retryAfterMs).toBe(retryAfterMs);
  });

  it("refuses by name what the platform does not serve, before any call", () => {
    const p = build();
    const file = ask(model, { messages: [{ role: "user", content: "", parts: [{ type: "file", fileId: "file_1" }] }] });
    expect(() => p.check?.(file)).toThrow(/messages\[0\]\.parts\[0\]\.file_id/);
    expect(() => p.check?.(ask(model, { serviceTier: "auto" }))).toThrow(/service_tier/);
    expect(() => p.check?.(ask(model, { promptCacheKey: "k" }))).toThrow(/prompt_cache_key/);
    expect(() => p.check?.(ask(model, { temperature: 0.5 }))).toThrow(/temperature/);
  });

  it("stops the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const controller = new AbortController();
    const index = upstream.requests.length;
    const pending = chunksOf(build(), ask(model), controller.signal);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await pending.catch(() => undefined);
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]?.aborted).toBe(true);
  });
});

describe("Claude on Vertex AI: Google credentials", () => {
  it("sends the access token as a bearer token", async () => {
    await chunksOf(vertex("ya29.token-2"), ask(VERTEX_MODEL));
    expect(upstream.requests.at(-1)?.headers.authorization).toBe("Bearer ya29.token-2");
  });

  it("reports a token Google refuses as UPSTREAM_AUTH_FAILED", async () => {
    const p = vertex("expired-token");
    const error: unknown = await chunksOf(p, ask(VERTEX_MODEL)).catch((e: unknown) => e);
    expect(p.translateError(error)).toMatchObject({ reason: "UPSTREAM_AUTH_FAILED", metadata: { upstream_status: "401" } });
  });

  it("without a token uses application-default credentials; none to be had fails as UPSTREAM_AUTH_FAILED, calling no one", async () => {
    // A credentials file that is not there: ADC fails the same way on any machine, with no metadata server asked.
    vi.stubEnv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json");
    try {
      const p = createAnthropicVertexProvider({
        name: "vertex",
        projectId: "proj-1",
        region: "us-east5",
        baseUrl: `${upstream.anthropicBaseUrl}/v1`,
        fetch,
      });
      const before = upstream.requests.length;
      const error: unknown = await chunksOf(p, ask(VERTEX_MODEL)).catch((e: unknown) => e);
      expect(p.translateError(error)).toMatchObject({
        reason: "UPSTREAM_AUTH_FAILED",
        message: expect.stringMatching(/Google OAuth credentials/),
      });
      expect(upstream.requests.length).toBe(before);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("takes an image by URL (Vertex fetches it)", () => {
    const image = ask(VERTEX_MODEL, {
      messages: [{ role: "user", content: "", parts: [{ type: "image", url: "https://example.com/cat.png" }] }],
    });
    expect(() => vertex().check?.(image)).not.toThrow();
  });
});

describe("Claude on Bedrock: AWS credentials", () => {
  it("signs with SigV4 for the bedrock service in the provider's region", async () => {
    await chunksOf(bedrock(), ask(BEDROCK_MODEL));
    expect(upstream.requests.at(-1)?.cloud).toMatchObject({ accessKeyId: keyId, signingRegion: "us-west-2" });
  });

  it("reports a signature by an unknown secret as UPSTREAM_AUTH_FAILED", async () => {
    const p = bedrock({ accessKeyId: keyId, secretAccessKey: "not-the-secret" });
    const error: unknown = await chunksOf(p, ask(BEDROCK_MODEL)).catch((e: unknown) => e);
    expect(p.translateError(error)).toMatchObject({ reason: "UPSTREAM_AUTH_FAILED", metadata: { upstream_status: "403" } });
  });

  it("sends a Bedrock API key as a bearer token in place of a signature", async () => {
    await chunksOf(bedrock({ apiKey: BEDROCK_API_KEY }), ask(BEDROCK_MODEL));
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${BEDROCK_API_KEY}`);
  });

  it("without keys uses AWS's credential chain; an empty chain fails as UPSTREAM_AUTH_FAILED, calling no one", async () => {
    // Nothing for the chain to find on any machine: no keys, no profile files, no instance metadata.
    const none = {
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_PROFILE: "none",
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_WEB_IDENTITY_TOKEN_FILE: "",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    for (const [k, v] of Object.entries(none)) vi.stubEnv(k, v);
    try {
      const p = bedrock({});
      const before = upstream.requests.length;
      const error: unknown = await chunksOf(p, ask(BEDROCK_MODEL)).catch((e: unknown) => e);
      expect(p.translateError(error)).toMatchObject({ reason: "UPSTREAM_AUTH_FAILED", message: expect.stringMatching(/AWS credentials/) });
      expect(upstream.requests.length).toBe(before);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    ["throttlingException", "UPSTREAM_RATE_LIMITED"],
    ["modelStreamErrorException", "UPSTREAM_UNAVAILABLE"],
  ])("reads a %s frame in a stream under way as %s", async (type, reason) => {
    const start = {
      id: "m",
      type: "message",
      role: "assistant",
      model: BEDROCK_MODEL,
      content: [],
      usage: { input_tokens: 5, output_tokens: 1 },
    };
    upstream.enqueue({
      rawEvents: [
        { event: "message_start", data: { type: "message_start", message: start } },
        { event: "error", data: { type: "error", error: { type, message: "Too many tokens, please wait before trying again." } } },
      ],
    });
    const p = bedrock();
    const error: unknown = await chunksOf(p, ask(BEDROCK_MODEL)).catch((e: unknown) => e);
    expect(p.translateError(error)?.reason).toBe(reason);
  });

  it("refuses images by URL: Bedrock fetches nothing", () => {
    const image = ask(BEDROCK_MODEL, {
      messages: [{ role: "user", content: "", parts: [{ type: "image", url: "https://example.com/cat.png" }] }],
    });
    expect(() => bedrock().check?.(image)).toThrow(/messages\[0\]\.parts\[0\]\.url/);
  });
});
