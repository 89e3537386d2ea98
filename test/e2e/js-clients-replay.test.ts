import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";

/*
 * What the Vercel AI SDK (ai 6, @ai-sdk/openai and @ai-sdk/anthropic 3) and LangChain JS
 * (@langchain/openai and @langchain/anthropic 1) send, replayed as they sent it, and the wire shape
 * their parsers need back. scripts/try-ai-sdk.sh and scripts/try-langchain-js.sh run the clients
 * themselves; these tests hold what they found without them.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const last = () => h.upstream.requests.at(-1)!;

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await fetch(`${h.httpUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A stream: read as text.
  }
  return { status: res.status, json, text };
}

// The AI SDK's tool schemas, as zod-to-JSON-Schema writes them.
const weather = {
  name: "weather",
  description: "The weather in a city",
  schema: {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
};

describe("the AI SDK's Anthropic provider", () => {
  it("streams a tool call asked with eager_input_streaming, which it sets on every tool", async () => {
    h.upstream.enqueue({ toolCalls: [{ id: "toolu_1", name: "weather", arguments: '{"city":"Rome"}' }] });
    const { status, text } = await post("/v1/messages", {
      model: "claude-test",
      max_tokens: 1024,
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Rome?" }] }],
      tools: [{ name: weather.name, description: weather.description, input_schema: weather.schema, eager_input_streaming: true }],
      tool_choice: { type: "auto" },
      stream: true,
    });
    expect(status).toBe(200);
    expect(text).toContain('"partial_json":"{\\"city\\":\\"Rome\\"}"');
    // A way of streaming the input, not a part of the tool: nothing of it reaches the upstream.
    expect(last().body["tools"]).toEqual([{ name: "weather", description: "The weather in a city", input_schema: weather.schema }]);
  });

  it("gets text blocks without a citations key, which its schema takes as an array or nothing, never null", async () => {
    h.upstream.enqueue({ text: "Paris." });
    const unary = await post("/v1/messages", { model: "claude-test", max_tokens: 1024, messages: [{ role: "user", content: "Capital?" }] });
    expect(unary.json["content"]).toEqual([{ type: "text", text: "Paris." }]);
    h.upstream.enqueue({ text: "Paris." });
    const streamed = await post("/v1/messages", {
      model: "claude-test",
      max_tokens: 1024,
      messages: [{ role: "user", content: "Capital?" }],
      stream: true,
    });
    expect(streamed.text).toContain('"content_block":{"type":"text","text":""}');
  });
});

describe("the AI SDK's OpenAI provider (Responses API, store on by default)", () => {
  const ask = (input: unknown[], stream = false) => post("/v1/responses", { model: "gpt-test", input, stream, max_output_tokens: 1000 });
  const user = { role: "user", content: [{ type: "input_text", text: "Weather in Oslo?" }] };
  const call = { type: "function_call", call_id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' };
  const result = { type: "function_call_output", call_id: "call_1", output: "sunny in Oslo" };

  it("sends an earlier answer's message back as an item_reference, which the stored response answers", async () => {
    h.upstream.enqueue({ text: "Let me look.", toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' }] });
    const first = await ask([user]);
    const output = first.json["output"] as { type: string; id: string }[];
    const message = output.find((x) => x.type === "message")!;
    h.upstream.enqueue({ text: "Sunny." });
    const second = await ask([user, { type: "item_reference", id: message.id }, call, result]);
    expect(second.status).toBe(200);
    expect(last().body["messages"]).toMatchObject([
      { role: "user", content: "Weather in Oslo?" },
      { role: "assistant", content: "Let me look.", tool_calls: [{ id: "call_1", function: { name: "weather" } }] },
      { role: "tool", tool_call_id: "call_1", content: "sunny in Oslo" },
    ]);
  });

  it("resolves the ids a stream gave as well, and the items GET input_items lists", async () => {
    h.upstream.enqueue({ text: "Streamed answer." });
    const { text } = await ask([user], true);
    const done = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)) as { type: string; item?: { type: string; id: string }; response?: { id: string } });
    const item = done.find((e) => e.type === "response.output_item.done" && e.item?.type === "message")!.item!;
    const responseId = done.find((e) => e.type === "response.completed")!.response!.id;
    h.upstream.enqueue({ text: "ok" });
    expect((await ask([user, { type: "item_reference", id: item.id }, { role: "user", content: "And?" }])).status).toBe(200);
    expect(last().body["messages"]).toMatchObject([{ role: "user" }, { role: "assistant", content: "Streamed answer." }, { role: "user" }]);

    const listed = (await (await fetch(`${h.httpUrl}/v1/responses/${responseId}/input_items`)).json()) as { data: { id: string }[] };
    h.upstream.enqueue({ text: "ok" });
    expect((await ask([{ type: "item_reference", id: listed.data[0]!.id }])).status).toBe(200);
    expect(last().body["messages"]).toEqual([{ role: "user", content: "Weather in Oslo?" }]);
  });

  it.each([
    ["by reference (the AI SDK)", "reference"],
    ["whole without its encrypted_content (LangChain JS)", "whole"],
  ])("a reasoning model's thinking, sent back %s, reaches Anthropic with its signature", async (_, style) => {
    // What an Anthropic deployment streams: signed thinking, text, a tool call.
    const block = (index: number, content_block: object, delta: object) => [
      { event: "content_block_start", data: { type: "content_block_start", index, content_block } },
      { event: "content_block_delta", data: { type: "content_block_delta", index, delta } },
      { event: "content_block_stop", data: { type: "content_block_stop", index } },
    ];
    const message = {
      id: "msg_u",
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      content: [],
      usage: { input_tokens: 5, output_tokens: 0 },
    };
    h.upstream.enqueue({
      rawEvents: [
        { event: "message_start", data: { type: "message_start", message } },
        ...block(0, { type: "thinking", thinking: "", signature: "" }, { type: "thinking_delta", thinking: "Check the weather." }),
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig-r" } },
        },
        ...block(1, { type: "text", text: "" }, { type: "text_delta", text: "Looking." }),
        ...block(
          2,
          { type: "tool_use", id: "call_1", name: "weather", input: {} },
          { type: "input_json_delta", partial_json: '{"city":"Oslo"}' },
        ),
        { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } } },
        { event: "message_stop", data: { type: "message_stop" } },
      ],
    });
    // As the AI SDK asks a model it takes for a reasoning one: no encrypted_content, store on.
    const reasoning = { effort: "low", summary: "auto" };
    const first = await post("/v1/responses", { model: "claude-test", input: [user], reasoning, max_output_tokens: 2000 });
    const output = first.json["output"] as { type: string; id: string; encrypted_content?: string }[];
    expect([output[0]!.type, output[0]!.encrypted_content]).toEqual(["reasoning", undefined]);
    h.upstream.enqueue({ text: "Sunny." });
    const back =
      style === "reference"
        ? [...output.filter((x) => x.type !== "function_call").map(({ id }) => ({ type: "item_reference", id })), call]
        : output;
    const second = await post("/v1/responses", {
      model: "claude-test",
      input: [user, ...back, result],
      reasoning,
      max_output_tokens: 2000,
    });
    expect(second.status).toBe(200);
    expect((last().body["messages"] as { content: unknown }[])[1]!.content).toEqual([
      { type: "thinking", thinking: "Check the weather.", signature: "sig-r" },
      { type: "text", text: "Looking." },
      { type: "tool_use", id: "call_1", name: "weather", input: { city: "Oslo" } },
    ]);
  });

  it.each([
    ["an id never given", "msg_0123"],
    ["an unknown response's item", `msg_${"ab".repeat(24)}`],
  ])("answers a reference to %s with OpenAI's 404, naming the item", async (_, id) => {
    const { status, json } = await ask([user, { type: "item_reference", id }]);
    expect(status).toBe(404);
    expect(json["error"]).toMatchObject({ message: `Item with id "${id}" not found.`, param: "input[1].id" });
  });
});

describe("LangChain JS's structured output (Zod 4 schemas name JSON Schema 2020-12)", () => {
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: { name: { type: "string" }, age: { type: "number" } },
    required: ["name", "age"],
    additionalProperties: false,
  };

  it("ChatOpenAI's response_format on chat completions", async () => {
    h.upstream.enqueue({ text: '{"name":"Ada","age":36}' });
    const { status, json } = await post("/v1/chat/completions", {
      model: "gpt-test",
      messages: [{ role: "user", content: "A person" }],
      response_format: { type: "json_schema", json_schema: { name: "extract", strict: true, schema } },
    });
    expect(status).toBe(200);
    expect((json["choices"] as { message: { content: string } }[])[0]!.message.content).toBe('{"name":"Ada","age":36}');
  });

  it("ChatOpenAI's text.format with useResponsesApi", async () => {
    h.upstream.enqueue({ text: '{"name":"Ada","age":36}' });
    const { status, json } = await post("/v1/responses", {
      model: "gpt-test",
      input: [{ role: "user", content: "A person" }],
      text: { format: { type: "json_schema", name: "extract", strict: true, schema } },
    });
    expect(status).toBe(200);
    expect((json["output"] as { content: { text: string }[] }[])[0]!.content[0]!.text).toBe('{"name":"Ada","age":36}');
  });
});
