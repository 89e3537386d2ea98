import { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { GatewayError } from "../../src/core/errors.js";
import { createBedrockProvider } from "../../src/providers/bedrock.js";
import type { Provider, ProviderChunk, ProviderRequest } from "../../src/providers/provider.js";
import { FAKE_AWS_SECRET } from "../support/fake-bedrock.js";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.js";

/*
 * The Bedrock provider's failures through the real @aws-sdk/client-bedrock-runtime against the fake
 * upstream: Bedrock's exceptions (before and inside a stream), missing credentials, the caller's cancel,
 * and what Converse cannot carry, refused before any call.
 */

let upstream: FakeUpstream;
let provider: Provider;
const MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";
const base: ProviderRequest = {
  model: MODEL,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ],
  maxTokens: 64,
  stop: [],
};
const signal = () => new AbortController().signal;

async function chunksOf(request: ProviderRequest, s = signal()): Promise<ProviderChunk[]> {
  const out: ProviderChunk[] = [];
  for await (const c of provider.stream(request, s)) out.push(c);
  return out;
}

/** The gateway error a call fails with. */
async function failure(request: ProviderRequest): Promise<GatewayError> {
  const error = await chunksOf(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  const translated = provider.translateError(error);
  if (!translated) throw new Error(`not translated: ${String(error)}`);
  return translated;
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  provider = createBedrockProvider({
    name: "bedrock",
    region: "eu-west-3",
    endpoint: upstream.anthropicBaseUrl,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: FAKE_AWS_SECRET, sessionToken: "session" },
    headers: { "x-proxy-key": "pk" },
    dispatcher: new Agent(),
  });
});
afterAll(() => upstream.close());

describe("Bedrock provider failures", () => {
  it.each([
    ["ThrottlingException", 429, "UPSTREAM_RATE_LIMITED"],
    ["AccessDeniedException", 403, "UPSTREAM_AUTH_FAILED"],
    ["UnrecognizedClientException", 403, "UPSTREAM_AUTH_FAILED"],
    ["ValidationException", 400, "UPSTREAM_BAD_REQUEST"],
    // Bedrock answers 429 while a model loads; another deployment may answer now, so it is not a rate limit.
    ["ModelNotReadyException", 429, "UPSTREAM_UNAVAILABLE"],
    ["ServiceUnavailableException", 503, "UPSTREAM_UNAVAILABLE"],
    ["InternalServerException", 500, "UPSTREAM_UNAVAILABLE"],
  ])("translates %s (%i) as %s", async (name, status, reason) => {
    upstream.enqueue({ status, errorCode: name });
    const error = await failure(base);
    expect(error.reason).toBe(reason);
    expect(error.metadata).toMatchObject({ provider: "bedrock", upstream_code: name });
  });

  it("gives throttling a retry delay: the upstream's retry-after, else the SDKs' throttling base delay", async () => {
    upstream.enqueue({ status: 429, retryAfter: "3" });
    expect((await failure(base)).retryAfterMs).toBe(3000);
    upstream.enqueue({ status: 429 });
    expect((await failure(base)).retryAfterMs).toBe(500);
  });

  it.each([
    ["throttlingException", "UPSTREAM_RATE_LIMITED"],
    ["modelStreamErrorException", "UPSTREAM_UNAVAILABLE"],
    ["serviceUnavailableException", "UPSTREAM_UNAVAILABLE"],
  ])("translates %s inside a stream, after its text began, as %s", async (exception, reason) => {
    upstream.enqueue({
      rawEvents: [
        { event: "messageStart", data: { role: "assistant" } },
        { event: "contentBlockDelta", data: { contentBlockIndex: 0, delta: { text: "Hel" } } },
        { exception, data: { message: "mid-stream failure" } },
      ],
    });
    const seen: ProviderChunk[] = [];
    const error = await (async () => {
      for await (const c of provider.stream(base, signal())) seen.push(c);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ type: "started" }, { type: "delta", text: "Hel" }]);
    expect(provider.translateError(error)?.reason).toBe(reason);
  });

  it("aborts the upstream request when the caller cancels", async () => {
    upstream.enqueue({ hang: true });
    const index = upstream.requests.length;
    const controller = new AbortController();
    const pending = chunksOf(base, controller.signal).catch((e: unknown) => e);
    while (upstream.requests.length <= index) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = await pending;
    await upstream.waitForAbort(index);
    expect(upstream.requests[index]!.aborted).toBe(true);
    // The caller's own cancel is not an upstream failure.
    expect(provider.translateError(error)).toBeUndefined();
  });

  it.each<[string, Partial<ProviderRequest>, string]>([
    ["seed", { seed: 1 }, "seed"],
    ["logprobs", { logprobs: true }, "logprobs"],
    [
      "an image by URL",
      { messages: [{ role: "user", content: "", parts: [{ type: "image", url: "https://x/y.png" }] }] },
      "messages[0].parts[0].url",
    ],
    [
      "audio",
      { messages: [{ role: "user", content: "", parts: [{ type: "audio", data: "AA==", format: "wav" }] }] },
      "messages[0].parts[0]",
    ],
    ["parallel_tool_calls false", { parallelToolCalls: false }, "parallel_tool_calls"],
    [
      "a forced tool call while thinking",
      {
        maxTokens: 4096,
        reasoning: { budgetTokens: 2048 },
        tools: [{ name: "t", description: "", parametersJson: '{"type":"object"}' }],
        toolChoice: "required",
      },
      "tool_choice",
    ],
    ["a thinking budget under Claude's least", { reasoning: { budgetTokens: 500 } }, "reasoning.budget_tokens"],
    [
      "tool_choice none once tools were called",
      {
        tools: [{ name: "t", description: "", parametersJson: '{"type":"object"}' }],
        toolChoice: "none",
        messages: [
          { role: "user", content: "Q" },
          { role: "assistant", content: "", toolCalls: [{ id: "c", name: "t", argumentsJson: "{}" }] },
          { role: "tool", content: "A", toolCallId: "c" },
        ],
      },
      "tool_choice",
    ],
    [
      "a system message after the conversation began",
      {
        messages: [
          { role: "user", content: "Q" },
          { role: "system", content: "S" },
        ],
      },
      "messages[1]",
    ],
  ])("refuses %s before any call, naming the field", (_, change, field) => {
    const before = upstream.requests.length;
    expect(() => provider.check?.({ ...base, ...change })).toThrow(
      expect.objectContaining({ reason: "INVALID_REQUEST", metadata: { field } }),
    );
    expect(upstream.requests.length).toBe(before);
  });
});

describe("Bedrock provider with the wrong secret key", () => {
  it("is refused by the signature check, as UPSTREAM_AUTH_FAILED", async () => {
    const wrong = createBedrockProvider({
      name: "bedrock",
      region: "us-east-1",
      endpoint: upstream.anthropicBaseUrl,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "not-the-secret" },
      dispatcher: new Agent(),
    });
    const error = await (async () => {
      for await (const _ of wrong.stream(base, signal())) {
        // read to the end
      }
    })().catch((e: unknown) => e);
    expect(wrong.translateError(error)).toMatchObject({
      reason: "UPSTREAM_AUTH_FAILED",
      metadata: { upstream_code: "InvalidSignatureException" },
    });
  });
});

describe("Bedrock provider without credentials", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("fails as UPSTREAM_AUTH_FAILED, without calling Bedrock, when the default chain finds no keys", async () => {
    // Every source of the chain emptied: no keys in the environment, no files, no instance metadata.
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE"])
      vi.stubEnv(name, undefined);
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/config");
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    vi.stubEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", undefined);
    vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", undefined);
    const keyless = createBedrockProvider({
      name: "bedrock",
      region: "us-east-1",
      endpoint: upstream.anthropicBaseUrl,
      dispatcher: new Agent(),
    });
    const before = upstream.requests.length;
    const error = await (async () => {
      for await (const _ of keyless.stream(base, signal())) {
        // read to the end
      }
    })().catch((e: unknown) => e);
    expect(keyless.translateError(error)).toMatchObject({ reason: "UPSTREAM_AUTH_FAILED", metadata: { provider: "bedrock" } });
    expect(upstream.requests.length).toBe(before);
  });
});
