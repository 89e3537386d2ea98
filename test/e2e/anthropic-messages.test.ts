import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ev, messageEnd, messageStart, signedThinkingThenText } from "../support/anthropic-events.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * Anthropic's Messages API on the gateway, through the official @anthropic-ai/sdk pointed at it:
 * unary and streamed answers, tool use both ways, images, cached system blocks, thinking with its
 * signature, count_tokens, and a Claude-shaped request answered by an OpenAI-format deployment.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sdk = (headers: Record<string, string> = {}) =>
  new Anthropic({ apiKey: "unused", baseURL: h.httpUrl, maxRetries: 0, defaultHeaders: headers });
const last = () => h.upstream.requests.at(-1)!;
const startEvent = messageStart;

/** Reads a raw event stream: each event's name and data. */
async function rawEvents(body: object, headers: Record<string, string> = {}): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const res = await fetch(`${h.httpUrl}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const text = await res.text();
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split("\n");
      return { event: eventLine!.slice("event: ".length), data: JSON.parse(dataLine!.slice("data: ".length)) };
    });
}

describe("POST /v1/messages", () => {
  it("answers a unary call as Anthropic's Message, usage without the cache's reads and writes in input_tokens", async () => {
    h.upstream.enqueue({ text: "Hello there." });
    const { data: msg, response } = await sdk()
      .messages.create({
        model: "claude-test",
        max_tokens: 100,
        system: "Be brief.",
        messages: [{ role: "user", content: "Hi" }],
        stop_sequences: ["END"],
        metadata: { user_id: "user-42" },
      })
      .withResponse();
    expect(msg).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-test",
      content: [{ type: "text", text: "Hello there." }],
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(response.headers.get("request-id")).toBe(response.headers.get("x-request-id"));
    // The fake upstream reports 13 input tokens, 2 written to and 3 read from the cache: Anthropic's own split comes back.
    expect(msg.usage).toMatchObject({
      input_tokens: 13,
      cache_creation_input_tokens: 2,
      cache_read_input_tokens: 3,
      cache_creation: { ephemeral_5m_input_tokens: 2, ephemeral_1h_input_tokens: 0 },
      output_tokens: 2,
    });
    const sent = last().body;
    expect(sent).toMatchObject({
      model: "claude-haiku-4-5",
      max_tokens: 100,
      system: "Be brief.",
      stop_sequences: ["END"],
      metadata: { user_id: "user-42" },
    });
    expect(sent["messages"]).toEqual([{ role: "user", content: "Hi" }]);
  });

  it("streams Anthropic's exact event sequence, which the SDK's stream helpers accumulate", async () => {
    h.upstream.enqueue({ text: "One two three." });
    const stream = sdk().messages.stream({ model: "claude-test", max_tokens: 50, messages: [{ role: "user", content: "Count" }] });
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const final = await stream.finalMessage();
    expect(texts.join("")).toBe("One two three.");
    expect(final.content).toEqual([{ type: "text", text: "One two three." }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage).toMatchObject({ input_tokens: 13, cache_read_input_tokens: 3, cache_creation_input_tokens: 2, output_tokens: 3 });

    h.upstream.enqueue({ text: "A b." });
    const events = await rawEvents({ model: "claude-test", max_tokens: 50, messages: [{ role: "user", content: "x" }] });
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect(e.data["type"]).toBe(e.event);
    expect(events[0]!.data["message"]).toMatchObject({ content: [], stop_reason: null, model: "claude-test" });
    expect(events[6]!.data).toMatchObject({ delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 2 } });
  });

  it("says which stop sequence ended the answer when Anthropic said, unary and streamed", async () => {
    const stoppedAt = [
      startEvent(),
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "One, two" } }),
      ev("content_block_stop", { index: 0 }),
      ev("message_delta", { delta: { stop_reason: "stop_sequence", stop_sequence: "three" }, usage: { output_tokens: 3 } }),
      ev("message_stop"),
    ];
    const ask = {
      model: "claude-test",
      max_tokens: 50,
      stop_sequences: ["three"],
      messages: [{ role: "user" as const, content: "Count" }],
    };
    h.upstream.enqueue({ rawEvents: stoppedAt });
    expect(await sdk().messages.create(ask)).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "three" });
    h.upstream.enqueue({ rawEvents: stoppedAt });
    expect(await sdk().messages.stream(ask).finalMessage()).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "three" });
  });

  it("round-trips tool use: tool_use blocks out (unary and streamed), tool_result blocks back with is_error", async () => {
    const tools: Anthropic.Tool[] = [
      { name: "get_weather", description: "Weather by city", input_schema: { type: "object", properties: { city: { type: "string" } } } },
    ];
    h.upstream.enqueue({ text: "Let me look.", toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' }] });
    const first = await sdk().messages.create({
      model: "claude-test",
      max_tokens: 200,
      tools,
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" }, caller: { type: "direct" } },
    ]);
    expect(last().body["tool_choice"]).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(last().body["tools"]).toEqual([
      { name: "get_weather", description: "Weather by city", input_schema: { type: "object", properties: { city: { type: "string" } } } },
    ]);

    h.upstream.enqueue({ toolCalls: [{ id: "toolu_2", name: "get_weather", arguments: '{"city":"Rome"}' }], text: "" });
    const streamed = await sdk()
      .messages.stream({ model: "claude-test", max_tokens: 200, tools, messages: [{ role: "user", content: "And Rome?" }] })
      .finalMessage();
    expect(streamed.content).toEqual([
      { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Rome" }, caller: { type: "direct" } },
    ]);
    expect(streamed.stop_reason).toBe("tool_use");

    h.upstream.enqueue({ text: "Sunny." });
    await sdk().messages.create({
      model: "claude-test",
      max_tokens: 200,
      tools,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content as Anthropic.ContentBlockParam[] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "city not found", is_error: true },
            { type: "text", text: "Try again?" },
          ],
        },
      ],
    });
    expect(last().body["messages"]).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me look." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "city not found", is_error: true }] },
      { role: "user", content: "Try again?" },
    ]);
  });

  it("carries images (base64 and URL) and a PDF, and system blocks with cache_control, to an Anthropic upstream", async () => {
    h.upstream.enqueue({ text: "A cat." });
    const png = Buffer.from("not really a png").toString("base64");
    await sdk().messages.create({
      model: "claude-test",
      max_tokens: 100,
      system: [
        { type: "text", text: "Long stable rules.", cache_control: { type: "ephemeral", ttl: "1h" } },
        { type: "text", text: "Today's note." },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
            { type: "document", source: { type: "url", url: "https://example.com/a.pdf" }, title: "a.pdf" },
            { type: "text", text: "What is this?", cache_control: { type: "ephemeral" } },
          ],
        },
      ],
    });
    const sent = last().body;
    expect(sent["system"]).toEqual([
      { type: "text", text: "Long stable rules.", cache_control: { type: "ephemeral", ttl: "1h" } },
      { type: "text", text: "Today's note." },
    ]);
    expect(sent["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          { type: "document", source: { type: "url", url: "https://example.com/a.pdf" }, title: "a.pdf" },
          { type: "text", text: "What is this?", cache_control: { type: "ephemeral" } },
        ],
      },
    ]);
  });

  it("carries thinking: budget up, thinking blocks with their signatures back (unary and streamed), and signed thinking round-trips", async () => {
    // The gateway streams from its upstream even for a unary caller, and collects.
    const thinkingThenText = [startEvent(), ...signedThinkingThenText("Weigh it.", "sig-unary", "42."), ...messageEnd(9)];
    h.upstream.enqueue({ rawEvents: thinkingThenText });
    const unary = await sdk().messages.create({
      model: "claude-test",
      max_tokens: 4000,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "Meaning?" }],
    });
    expect(last().body["thinking"]).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(unary.content).toEqual([
      { type: "thinking", thinking: "Weigh it.", signature: "sig-unary" },
      { type: "text", text: "42." },
    ]);

    // Streamed, the signature reaches the caller as it came: closing the thinking block, before the text.
    h.upstream.enqueue({ rawEvents: thinkingThenText });
    const events = await rawEvents({
      model: "claude-test",
      max_tokens: 4000,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "Meaning?" }],
    });
    expect(events.map((e) => (e.event === "content_block_delta" ? (e.data["delta"] as { type: string }).type : e.event))).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "thinking_delta",
      "signature_delta",
      "content_block_stop",
      "content_block_start",
      "text_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);

    h.upstream.enqueue({
      rawEvents: [
        startEvent(),
        ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "Hmm, " } }),
        ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "tools." } }),
        ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig-stream" } }),
        ev("content_block_stop", { index: 0 }),
        ev("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_9", name: "calc", input: {} } }),
        ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"x":1}' } }),
        ev("content_block_stop", { index: 1 }),
        ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 30 } }),
        ev("message_stop"),
      ],
    });
    const tools: Anthropic.Tool[] = [{ name: "calc", input_schema: { type: "object" } }];
    const streamed = await sdk()
      .messages.stream({
        model: "claude-test",
        max_tokens: 4000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        tools,
        messages: [{ role: "user", content: "Compute" }],
      })
      .finalMessage();
    expect(streamed.content).toEqual([
      { type: "thinking", thinking: "Hmm, tools.", signature: "sig-stream" },
      { type: "tool_use", id: "toolu_9", name: "calc", input: { x: 1 }, caller: { type: "direct" } },
    ]);

    h.upstream.enqueue({ text: "Done." });
    await sdk().messages.create({
      model: "claude-test",
      max_tokens: 4000,
      thinking: { type: "enabled", budget_tokens: 1024 },
      tools,
      messages: [
        { role: "user", content: "Compute" },
        { role: "assistant", content: streamed.content as Anthropic.ContentBlockParam[] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_9", content: [{ type: "text", text: "2" }] }] },
      ],
    });
    expect((last().body["messages"] as { content: unknown }[])[1]!.content).toEqual([
      { type: "thinking", thinking: "Hmm, tools.", signature: "sig-stream" },
      { type: "tool_use", id: "toolu_9", name: "calc", input: { x: 1 } },
    ]);
  });

  it("counts tokens for the model's tokenizer: system, messages and tools", async () => {
    const client = sdk();
    const base = { model: "gpt-test", messages: [{ role: "user" as const, content: "How many tokens is this sentence?" }] };
    const plain = await client.messages.countTokens(base);
    const withSystem = await client.messages.countTokens({ ...base, system: "You answer in French, briefly and politely." });
    const withTools = await client.messages.countTokens({
      ...base,
      tools: [
        {
          name: "lookup",
          description: "Finds a thing by its name",
          input_schema: { type: "object", properties: { name: { type: "string" } } },
        },
      ],
    });
    expect(plain.input_tokens).toBeGreaterThan(5);
    expect(withSystem.input_tokens).toBeGreaterThan(plain.input_tokens + 5);
    expect(withTools.input_tokens).toBeGreaterThan(plain.input_tokens + 10);
    // Counting asks no upstream.
    const before = h.upstream.requests.length;
    await client.messages.countTokens(base);
    expect(h.upstream.requests.length).toBe(before);
  });

  it("answers a Claude-shaped request from an OpenAI-format deployment through the core's translation", async () => {
    h.upstream.enqueue({ toolCalls: [{ id: "call_7", name: "lookup", arguments: '{"q":"x"}' }], text: "" });
    const client = sdk({ "anthropic-version": "2023-06-01" });
    const r = await client.messages.create({
      model: "gpt-test",
      max_tokens: 64,
      system: [{ type: "text", text: "Rules." }],
      tools: [{ name: "lookup", input_schema: { type: "object" } }],
      tool_choice: { type: "any" },
      messages: [
        { role: "user", content: "Find x" },
        { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "lookup", input: { q: "y" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "nothing" }] },
      ],
      ...({ top_k: 40, temperature: 0.2 } as object),
    });
    expect(r.content).toEqual([{ type: "tool_use", id: "call_7", name: "lookup", input: { q: "x" }, caller: { type: "direct" } }]);
    expect(r.stop_reason).toBe("tool_use");
    const sent = last();
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 64, top_k: 40, temperature: 0.2, tool_choice: "required" });
    expect(sent.body["messages"]).toEqual([
      { role: "system", content: "Rules." },
      { role: "user", content: "Find x" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"y"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: "nothing" },
    ]);
  });
});
