import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import { startHarness, type Harness } from "../support/harness.js";
import { digest } from "../support/auth.js";

let h: Harness;
let secured: Harness;
const KEY = "sk-rest-tenant";
beforeAll(async () => {
  h = await startHarness();
  secured = await startHarness({
    auth: { tenants: [{ name: "rest", keys: [{ sha256: digest(KEY) }], limits: { requestsPerMinute: 1 } }] },
  });
});
afterAll(async () => {
  await h.close();
  await secured.close();
});

/** The official SDK, with the gateway as its base URL. */
const sdk = (harness = h, apiKey = "unused") => new OpenAI({ apiKey, baseURL: `${harness.httpUrl}/v1`, maxRetries: 0 });

describe("OpenAI-compatible REST, through the official openai SDK", () => {
  it("answers chat completions with usage, and the gateway's own fields beside them", async () => {
    h.upstream.enqueue({ text: "Hello from the gateway" });
    const { data, response } = await sdk()
      .chat.completions.create({
        model: "gpt-test",
        messages: [
          { role: "system", content: "Be nice." },
          { role: "user", content: "Hi" },
        ],
        temperature: 0,
      })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]?.message).toMatchObject({ role: "assistant", content: "Hello from the gateway" });
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });
    expect((data as unknown as { llm_gateway: { provider: string; cost_usd: number } }).llm_gateway).toMatchObject({
      provider: "fake-openai",
    });
    expect(response.headers.get("x-cache-status")).toBe("miss");
    expect(response.headers.get("x-request-id")).toBeTruthy();
    // The upstream got what the SDK sent, through the same core.
    expect(h.upstream.requests.at(-1)?.body["messages"]).toEqual([
      { role: "system", content: "Be nice." },
      { role: "user", content: "Hi" },
    ]);
  });

  it("streams over SSE, ending with the usage chunk when asked", async () => {
    h.upstream.enqueue({ text: "one two three four" });
    const stream = await sdk().chat.completions.create({
      model: "fast",
      messages: [{ role: "user", content: "count" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("one two three four");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 4 });
  });

  it("passes the caller's tools through and returns the model's tool calls", async () => {
    h.upstream.enqueue({ text: "", toolCalls: [{ id: "call_7", name: "get_weather", arguments: '{"city":"Oslo"}' }] });
    const res = await sdk().chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "Weather in Oslo?" }],
      tools: [
        { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
      ],
    });
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    expect(res.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: "call_7",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
    });
    expect((h.upstream.requests.at(-1)!.body["tools"] as { function: { name: string } }[])[0]?.function.name).toBe("get_weather");
  });

  it("lists models with their aliases", async () => {
    const ids = (await sdk().models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["gpt-test", "fast", "claude-test", "local-echo"]));
  });

  it("continues a session named by the session_id extension", async () => {
    const sessions = createClient(SessionService, h.rpcTransport());
    const id = (await sessions.createSession({ user: "ann", systemPrompt: "Remember everything." })).session!.id;
    const ask = (content: string) =>
      sdk().chat.completions.create({
        model: "gpt-test",
        user: "ann",
        messages: [{ role: "user", content }],
        session_id: id,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await ask("My name is Ann.");
    await ask("What is my name?");
    expect((h.upstream.requests.at(-1)!.body["messages"] as { role: string }[]).map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
    expect((await sessions.getSession({ user: "ann", sessionId: id })).session?.messageCount).toBe(4n);
  });

  it.each([
    [
      "an unknown model",
      { model: "gpt-9", messages: [{ role: "user" as const, content: "x" }] },
      OpenAI.NotFoundError,
      404,
      "model_not_found",
    ],
    ["no messages", { model: "gpt-test", messages: [] }, OpenAI.BadRequestError, 400, "invalid_request"],
    ["a bad role", { model: "gpt-test", messages: [{ role: "robot", content: "x" }] }, OpenAI.BadRequestError, 400, "invalid_request"],
  ])("answers %s in OpenAI's error format and status", async (_what, body, type, status, code) => {
    const err = await sdk()
      .chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe(code);
  });

  it("gives an upstream failure as 503, not a success", async () => {
    h.upstream.enqueue({ status: 500 });
    const err = await sdk()
      .chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });

  it("checks API keys and limits like every other protocol: 401, then 429 with retry-after", async () => {
    const wrong = await sdk(secured, "sk-wrong")
      .models.list()
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    const client = sdk(secured, KEY);
    await client.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: "one" }] });
    const limited = await client.chat.completions
      .create({ model: "gpt-test", messages: [{ role: "user", content: "two" }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number((limited as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after"))).toBeGreaterThan(0);
  });
});
