import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest } from "../support/auth.js";
import { type Harness, startHarness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();
let h: Harness;
let secured: Harness;
const KEYS = { ann: "sk-resp-ann", bob: "sk-resp-bob", slow: "sk-resp-slow" };
beforeAll(async () => {
  h = await startHarness();
  secured = await startHarness({
    auth: {
      tenants: [
        { name: "ann", keys: [{ sha256: digest(KEYS.ann) }] },
        { name: "bob", keys: [{ sha256: digest(KEYS.bob) }] },
        { name: "slow", keys: [{ sha256: digest(KEYS.slow) }], limits: { requestsPerMinute: 1 } },
      ],
    },
  });
});
afterAll(async () => {
  await h.close();
  await secured.close();
});

/** The official SDK, with the gateway as its base URL. */
const sdk = (harness = h, apiKey = "unused") => new OpenAI({ apiKey, baseURL: `${harness.httpUrl}/v1`, maxRetries: 0 });
const upstreamBody = (harness = h) => harness.upstream.requests.at(-1)!.body;

async function failure(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

describe("OpenAI Responses, through the official openai SDK's responses client", () => {
  it("answers a unary request: output_text, usage, the echoed settings, and what the upstream received", async () => {
    h.upstream.enqueue({ text: "Hello from the gateway" });
    const r = await sdk().responses.create({
      model: "gpt-test",
      instructions: "Be nice.",
      input: "Hi",
      temperature: 0.3,
      max_output_tokens: 50,
      metadata: { app: "docs" },
    });
    expect(r.object).toBe("response");
    expect(r.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(r.status).toBe("completed");
    expect(r.output_text).toBe("Hello from the gateway");
    expect(r.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(r.usage).toMatchObject({ input_tokens: 11, output_tokens: 4, total_tokens: 15, input_tokens_details: { cached_tokens: 0 } });
    expect(r).toMatchObject({ instructions: "Be nice.", temperature: 0.3, max_output_tokens: 50, metadata: { app: "docs" }, store: true });
    expect(upstreamBody()["messages"]).toEqual([
      { role: "system", content: "Be nice." },
      { role: "user", content: "Hi" },
    ]);
    expect(upstreamBody()["max_tokens"] ?? upstreamBody()["max_completion_tokens"]).toBe(50);
  });

  it("streams the Responses events in order, numbered, and the stream's final response is retrievable", async () => {
    h.upstream.enqueue({ text: "one two three" });
    const stream = await sdk().responses.create({ model: "gpt-test", input: "count", stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e) => e.type === "response.output_text.delta");
    expect(deltas.map((d) => d.delta).join("")).toBe("one two three");
    const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    const messageId = (events[2] as OpenAI.Responses.ResponseOutputItemAddedEvent).item.id;
    expect(deltas.every((d) => d.item_id === messageId && d.output_index === 0 && d.content_index === 0)).toBe(true);
    // output_text is the SDK's sum of a response's text (the wire object has none): read the item itself.
    expect(done.response.output[0]).toMatchObject({ id: messageId, content: [{ type: "output_text", text: "one two three" }] });
    const stored = await sdk().responses.retrieve(done.response.id);
    expect(stored.output_text).toBe("one two three");
    expect(stored.output[0]?.id).toBe(messageId);
  });

  it("responses.stream() gives the final response through the SDK's own accumulator", async () => {
    h.upstream.enqueue({ text: "streamed and collected" });
    const stream = sdk().responses.stream({ model: "gpt-test", input: "go" });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("streamed and collected");
    expect(final.status).toBe("completed");
  });

  it("continues a chain with previous_response_id: the second upstream call carries the first turn, not its instructions", async () => {
    h.upstream.enqueue({ text: "Nice to meet you, Ann." }, { text: "Your name is Ann." });
    const first = await sdk().responses.create({ model: "gpt-test", instructions: "Be brief.", input: "My name is Ann." });
    const second = await sdk().responses.create({ model: "gpt-test", input: "What is my name?", previous_response_id: first.id });
    expect(second.output_text).toBe("Your name is Ann.");
    expect(second.previous_response_id).toBe(first.id);
    expect(upstreamBody()["messages"]).toEqual([
      { role: "user", content: "My name is Ann." },
      { role: "assistant", content: "Nice to meet you, Ann." },
      { role: "user", content: "What is my name?" },
    ]);
  });

  it("round-trips a function call: function_call out, function_call_output back on the chain", async () => {
    h.upstream.enqueue(
      { text: "", toolCalls: [{ id: "call_7", name: "get_weather", arguments: '{"city":"Oslo"}' }] },
      { text: "Sunny in Oslo." },
    );
    const first = await sdk().responses.create({ model: "gpt-test", input: "Weather in Oslo?", tools: [weatherTool] });
    const call = first.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({
      type: "function_call",
      call_id: "call_7",
      name: "get_weather",
      arguments: '{"city":"Oslo"}',
      status: "completed",
    });
    expect(first.output.some((o) => o.type === "message")).toBe(false);
    expect(upstreamBody()["tools"]).toEqual([
      {
        type: "function",
        function: { name: "get_weather", description: "The weather in a city", parameters: weatherTool.parameters, strict: true },
      },
    ]);
    const second = await sdk().responses.create({
      model: "gpt-test",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: "call_7", output: '{"sky":"sunny"}' }],
      tools: [weatherTool],
    });
    expect(second.output_text).toBe("Sunny in Oslo.");
    const messages = upstreamBody()["messages"] as Record<string, unknown>[];
    expect(messages.slice(-2)).toMatchObject([
      {
        role: "assistant",
        tool_calls: [{ id: "call_7", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }],
      },
      { role: "tool", tool_call_id: "call_7", content: '{"sky":"sunny"}' },
    ]);
  });

  it("streams a function call as its item and argument events", async () => {
    h.upstream.enqueue({ text: "", toolCalls: [{ id: "call_9", name: "get_weather", arguments: '{"city":"Rome"}' }] });
    const stream = sdk().responses.stream({ model: "gpt-test", input: "Weather in Rome?", tools: [weatherTool] });
    const types: string[] = [];
    stream.on("event", (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(types).toContain("response.function_call_arguments.delta");
    expect(types).toContain("response.function_call_arguments.done");
    expect(final.output).toEqual([expect.objectContaining({ type: "function_call", call_id: "call_9", arguments: '{"city":"Rome"}' })]);
  });

  it("takes a message list with input parts and a json_schema text format", async () => {
    h.upstream.enqueue({ text: '{"city":"Paris"}' });
    const r = await sdk().responses.create({
      model: "gpt-test",
      input: [
        { role: "developer", content: "Answer in JSON." },
        { role: "user", content: [{ type: "input_text", text: "Capital of France?" }] },
      ],
      text: {
        format: {
          type: "json_schema",
          name: "city",
          schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
          strict: true,
        },
      },
    });
    expect(JSON.parse(r.output_text)).toEqual({ city: "Paris" });
    expect(r.text?.format).toMatchObject({ type: "json_schema", name: "city" });
    expect(upstreamBody()["response_format"]).toMatchObject({ type: "json_schema", json_schema: { name: "city", strict: true } });
    expect(upstreamBody()["messages"]).toEqual([
      { role: "system", content: "Answer in JSON." },
      { role: "user", content: "Capital of France?" },
    ]);
  });

  it("reports an answer cut at max_output_tokens as incomplete", async () => {
    h.upstream.enqueue({ text: "cut short", finishReason: "length" });
    const r = await sdk().responses.create({ model: "gpt-test", input: "long story", max_output_tokens: 2 });
    expect(r.status).toBe("incomplete");
    expect(r.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("retrieves and deletes a stored response; store: false keeps nothing", async () => {
    h.upstream.enqueue({ text: "kept" }, { text: "not kept" });
    const kept = await sdk().responses.create({ model: "gpt-test", input: "a" });
    expect((await sdk().responses.retrieve(kept.id)).output_text).toBe("kept");
    await sdk().responses.delete(kept.id);
    expect((await failure(sdk().responses.retrieve(kept.id))).status).toBe(404);
    expect((await failure(sdk().responses.delete(kept.id))).status).toBe(404);
    const unkept = await sdk().responses.create({ model: "gpt-test", input: "b", store: false });
    expect((unkept as unknown as { store: boolean }).store).toBe(false);
    expect((await failure(sdk().responses.retrieve(unkept.id))).status).toBe(404);
    const err = await failure(sdk().responses.create({ model: "gpt-test", input: "c", previous_response_id: unkept.id }));
    expect(err.status).toBe(404);
    expect(err.param).toBe("previous_response_id");
  });
});

describe("Responses: tenants, errors and replicas", () => {
  it("scopes stored responses to their tenant: another tenant's id is 404, for reading, deleting and chaining", async () => {
    secured.upstream.enqueue({ text: "ann's secret" });
    const mine = await sdk(secured, KEYS.ann).responses.create({ model: "gpt-test", input: "remember" });
    const bob = sdk(secured, KEYS.bob);
    expect((await failure(bob.responses.retrieve(mine.id))).status).toBe(404);
    expect((await failure(bob.responses.delete(mine.id))).status).toBe(404);
    expect((await failure(bob.responses.create({ model: "gpt-test", input: "x", previous_response_id: mine.id }))).status).toBe(404);
    expect((await sdk(secured, KEYS.ann).responses.retrieve(mine.id)).output_text).toBe("ann's secret");
  });

  it("answers 401 without a key, 404 for an unknown model, 429 past the tenant's limit, in OpenAI's error shape", async () => {
    const noKey = await failure(sdk(secured, "sk-wrong").responses.create({ model: "gpt-test", input: "x" }));
    expect(noKey.status).toBe(401);
    const noModel = await failure(sdk().responses.create({ model: "no-such-model", input: "x" }));
    expect(noModel.status).toBe(404);
    expect(noModel.code).toBe("model_not_found");
    secured.upstream.enqueue({ text: "first" });
    await sdk(secured, KEYS.slow).responses.create({ model: "gpt-test", input: "1" });
    const limited = await failure(sdk(secured, KEYS.slow).responses.create({ model: "gpt-test", input: "2" }));
    expect(limited.status).toBe(429);
    expect(limited.headers?.get("retry-after")).toBeTruthy();
  });

  it("refuses what it would not honour with 400 naming the field", async () => {
    const cases: [object, string][] = [
      [{ tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }] }, "tools[0].type"],
      [{ tools: [{ type: "web_search", filters: { allowed_domains: ["example.com"] } }] }, "tools[0].filters"],
      [{ tools: [{ type: "namespace", name: "ns", description: "d", tools: [{ type: "custom", name: "c" }] }] }, "tools[0].tools[0].type"],
      [{ background: true }, "background"],
      [{ conversation: "conv_1" }, "conversation"],
      [{ include: ["file_search_call.results"] }, "include[0]"],
      [{ input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1", detail: "auto" }] }] }, "input[0].content[0].file_id"],
      [{ reasoning: { effort: "extreme" } }, "reasoning.effort"],
      [{ surprise: 1 }, "surprise"],
    ];
    for (const [extra, param] of cases) {
      const err = await failure(sdk().responses.create({ model: "gpt-test", input: "x", ...extra } as never));
      expect([err.status, err.param]).toEqual([400, param]);
    }
  });

  it("continues a chain on a second replica sharing one Redis", async () => {
    const sessions = { store: "redis" };
    const a = redis.track(await startHarness({ sessions, redisUrl: redis.server.url }));
    const b = redis.track(await startHarness({ sessions, redisUrl: redis.server.url }));
    a.upstream.enqueue({ text: "Noted: blue." });
    b.upstream.enqueue({ text: "Blue." });
    const first = await sdk(a).responses.create({ model: "gpt-test", input: "My colour is blue." });
    const second = await sdk(b).responses.create({ model: "gpt-test", input: "My colour?", previous_response_id: first.id });
    expect(second.output_text).toBe("Blue.");
    expect(upstreamBody(b)["messages"]).toEqual([
      { role: "user", content: "My colour is blue." },
      { role: "assistant", content: "Noted: blue." },
      { role: "user", content: "My colour?" },
    ]);
    expect((await sdk(a).responses.retrieve(second.id)).output_text).toBe("Blue.");
  });
});
