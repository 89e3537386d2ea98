import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * Issue 15 through the official openai SDK against the REST face: each feature reaches the
 * upstream in OpenAI's (or Anthropic's) wire format, and the answer the upstream gives (scripted
 * exactly) comes back in OpenAI's shape. The gateway streams from the upstream even for unary
 * calls, so answers are scripted as SSE events.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterEach(() => h.upstream.setDefault({}));
afterAll(() => h.close());

const sdk = () => new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
const last = () => h.upstream.requests.at(-1)!.body;

/** Fields the SDK's types do not know (the gateway's extensions, LiteLLM's cache_control) go as they are. */
const unary = (body: object) => sdk().chat.completions.create(body as ChatCompletionCreateParamsNonStreaming);
const streamed = (body: object) => sdk().chat.completions.create({ ...body, stream: true } as ChatCompletionCreateParamsStreaming);

/** One OpenAI chat.completion.chunk with this delta (and choice fields). */
const chunk = (delta: object, choice: object = {}) => ({
  id: "up-1",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: null, logprobs: null, ...choice }],
});
const usage = (u: object) => ({ id: "up-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [], usage: u });
const answer = (...events: object[]) => ({ rawEvents: [...events, "[DONE]"] });

const PNG = Buffer.from("\x89PNG fake bytes").toString("base64");
const PDF = Buffer.from("%PDF-1.4 fake").toString("base64");

describe("content parts reach the upstream as OpenAI content arrays", () => {
  it("vision: an image as a data: URL and as an https URL", async () => {
    const r = await unary({
      model: "gpt-test",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "high" } },
            { type: "image_url", image_url: { url: "https://images.example.test/cat.jpg" } },
          ],
        },
      ],
    });
    expect(r.choices[0]?.message.content).toBeTruthy();
    expect(last()["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "high" } },
          { type: "image_url", image_url: { url: "https://images.example.test/cat.jpg" } },
        ],
      },
    ]);
  });

  it("a PDF as a file part", async () => {
    await unary({
      model: "gpt-test",
      messages: [
        {
          role: "user",
          content: [
            { type: "file", file: { file_data: `data:application/pdf;base64,${PDF}`, filename: "report.pdf" } },
            { type: "text", text: "Summarise" },
          ],
        },
      ],
    });
    expect(last()["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "file", file: { file_data: `data:application/pdf;base64,${PDF}`, filename: "report.pdf" } },
          { type: "text", text: "Summarise" },
        ],
      },
    ]);
  });

  it("refuses an image for a model without vision, naming the part", async () => {
    const err = await unary({
      model: "local-echo",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x.test/a.png" } }] }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("capability_unsupported");
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages[0].content[0]");
  });
});

describe("structured outputs", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
  const format = { type: "json_schema", json_schema: { name: "place", schema, strict: true } };

  it("json_schema: sent upstream, and a conforming answer passes", async () => {
    h.upstream.setDefault({ text: '{"city":"Paris"}' });
    const r = await unary({ model: "gpt-test", messages: [{ role: "user", content: "Where?" }], response_format: format });
    expect(JSON.parse(r.choices[0]!.message.content!)).toEqual({ city: "Paris" });
    expect(last()["response_format"]).toEqual(format);
  });

  it("json_schema: an answer that does not conform is 502 invalid_output, never passed off as valid", async () => {
    h.upstream.setDefault({ text: '{"town":"Paris"}' });
    const err = await unary({ model: "gpt-test", messages: [{ role: "user", content: "Where?" }], response_format: format }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("invalid_output");
  });

  it("json_object: an answer that is not JSON ends the stream with invalid_output", async () => {
    h.upstream.setDefault({ text: "not json at all" });
    const stream = await streamed({
      model: "gpt-test",
      messages: [{ role: "user", content: "JSON please" }],
      response_format: { type: "json_object" },
    });
    const err = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String((err as Error).message)).toMatch(/json|JSON/);
  });
});

describe("tool control", () => {
  const tools = [
    { type: "function", function: { name: "lookup", description: "finds", parameters: { type: "object", properties: {} }, strict: true } },
    { type: "function", function: { name: "other", parameters: { type: "object", properties: {} } } },
  ];

  it("a named tool_choice, parallel_tool_calls and strict reach the upstream; the call comes back", async () => {
    h.upstream.setDefault({ toolCalls: [{ id: "call_1", name: "lookup", arguments: "{}" }] });
    const r = await unary({
      model: "gpt-test",
      messages: [{ role: "user", content: "look it up" }],
      tools,
      tool_choice: { type: "function", function: { name: "lookup" } },
      parallel_tool_calls: false,
    });
    expect(r.choices[0]?.message.tool_calls?.[0]).toMatchObject({ id: "call_1", function: { name: "lookup" } });
    expect(last()["tool_choice"]).toEqual({ type: "function", function: { name: "lookup" } });
    expect(last()["parallel_tool_calls"]).toBe(false);
    expect((last()["tools"] as { function: { strict?: boolean } }[])[0]?.function.strict).toBe(true);
  });

  it('tool_choice "required" reaches the upstream', async () => {
    h.upstream.setDefault({ toolCalls: [{ id: "call_2", name: "other", arguments: "{}" }] });
    await unary({ model: "gpt-test", messages: [{ role: "user", content: "use a tool" }], tools, tool_choice: "required" });
    expect(last()["tool_choice"]).toBe("required");
  });
});

describe("reasoning", () => {
  it("reasoning_effort reaches the upstream; the reasoning comes back as reasoning_content, apart from content", async () => {
    h.upstream.enqueue(
      answer(
        chunk({ role: "assistant", content: null, reasoning_content: "France's capital " }),
        chunk({ reasoning_content: "is Paris." }),
        chunk({ content: "Paris" }),
        chunk({}, { finish_reason: "stop" }),
        usage({ prompt_tokens: 9, completion_tokens: 30, total_tokens: 39, completion_tokens_details: { reasoning_tokens: 25 } }),
      ),
    );
    const r = await unary({ model: "gpt-test", messages: [{ role: "user", content: "Capital of France?" }], reasoning_effort: "high" });
    expect(last()["reasoning_effort"]).toBe("high");
    const message = r.choices[0]!.message as (typeof r.choices)[0]["message"] & { reasoning_content?: string };
    expect(message.content).toBe("Paris");
    expect(message.reasoning_content).toBe("France's capital is Paris.");
    expect(r.usage?.completion_tokens_details?.reasoning_tokens).toBe(25);
  });

  it("streams reasoning as delta.reasoning_content chunks, never in delta.content", async () => {
    h.upstream.enqueue(
      answer(
        chunk({ role: "assistant", content: null, reasoning_content: "thinking " }),
        chunk({ reasoning_content: "hard" }),
        chunk({ content: "Done." }),
        chunk({}, { finish_reason: "stop" }),
      ),
    );
    const stream = await streamed({ model: "gpt-test", messages: [{ role: "user", content: "think" }], reasoning_effort: "low" });
    let content = "";
    let reasoning = "";
    for await (const c of stream) {
      const delta = c.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined;
      content += delta?.content ?? "";
      reasoning += delta?.reasoning_content ?? "";
    }
    expect(reasoning).toBe("thinking hard");
    expect(content).toBe("Done.");
  });
});

describe("the rest of the surface", () => {
  const top = [
    { token: "Hi", logprob: -0.01, bytes: [72, 105], top_logprobs: [{ token: "Hello", logprob: -4.2, bytes: [72, 101, 108, 108, 111] }] },
  ];

  it("logprobs and top_logprobs: asked of the upstream, returned unary and streamed", async () => {
    const events = () =>
      answer(
        chunk({ role: "assistant", content: "Hi" }, { logprobs: { content: top, refusal: null } }),
        chunk({}, { finish_reason: "stop" }),
      );
    h.upstream.enqueue(events());
    const body = { model: "gpt-test", messages: [{ role: "user", content: "greet" }], logprobs: true, top_logprobs: 1 };
    const r = await unary(body);
    expect(last()).toMatchObject({ logprobs: true, top_logprobs: 1 });
    expect(r.choices[0]?.logprobs?.content).toEqual(top);
    h.upstream.enqueue(events());
    const seen: unknown[] = [];
    for await (const c of await streamed(body)) if (c.choices[0]?.logprobs) seen.push(...(c.choices[0].logprobs.content ?? []));
    expect(seen).toEqual(top);
  });

  it("penalties, seed, stop, service_tier, prompt_cache_key and user reach the upstream", async () => {
    await unary({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
      presence_penalty: 0.4,
      frequency_penalty: -0.3,
      seed: 7,
      stop: ["END"],
      service_tier: "flex",
      prompt_cache_key: "tenant-a",
      user: "u-9",
    });
    expect(last()).toMatchObject({
      presence_penalty: 0.4,
      frequency_penalty: -0.3,
      seed: 7,
      stop: ["END"],
      service_tier: "flex",
      prompt_cache_key: "tenant-a",
      user: "u-9",
    });
  });

  it("cached input tokens come back in prompt_tokens_details", async () => {
    h.upstream.enqueue(
      answer(
        chunk({ role: "assistant", content: "ok" }),
        chunk({}, { finish_reason: "stop" }),
        usage({ prompt_tokens: 2000, completion_tokens: 1, total_tokens: 2001, prompt_tokens_details: { cached_tokens: 1536 } }),
      ),
    );
    const r = await unary({ model: "gpt-test", messages: [{ role: "user", content: "again" }] });
    expect(r.usage).toMatchObject({ prompt_tokens: 2000, prompt_tokens_details: { cached_tokens: 1536 } });
  });

  it("extra_body reaches an openai-compatible upstream as top-level fields, and is refused for OpenAI's own API", async () => {
    const extra = { top_k: 20, chat_template_kwargs: { enable_thinking: false } };
    await unary({ model: "gpt-test", messages: [{ role: "user", content: "hi" }], extra_body: extra });
    expect(last()).toMatchObject(extra);
    expect(last()).not.toHaveProperty("extra_body");
    const before = h.upstream.requests.length;
    const err = await unary({ model: "gpt-native", messages: [{ role: "user", content: "hi" }], extra_body: extra }).catch(
      (e: unknown) => e,
    );
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toMatch(/^extra_body/);
    expect(h.upstream.requests.length).toBe(before);
  });
});
