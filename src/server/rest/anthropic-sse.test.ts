import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatResult, ChatStreamEvent, FinishReason } from "../../core/types.js";
import { createEventWriter } from "./anthropic-sse.js";

/** The events a writer makes of core events: each one's name and data, checked to agree. */
function run(events: ChatStreamEvent[]): { event: string; data: Record<string, unknown> }[] {
  const write = createEventWriter({ id: "msg_1", model: "m", estimatedInputTokens: 7 });
  return events.flatMap(write).map((frame) => {
    const [name, data] = frame.split("\n");
    const parsed = JSON.parse(data!.slice("data: ".length)) as Record<string, unknown>;
    expect(parsed["type"]).toBe(name!.slice("event: ".length));
    return { event: name!.slice("event: ".length), data: parsed };
  });
}

const done = (message: Partial<ChatMessage>, finishReason: FinishReason = "stop"): ChatStreamEvent => ({
  type: "done",
  result: {
    message: { role: "assistant", content: "", ...message },
    finishReason,
    usage: { inputTokens: 100, outputTokens: 20, estimated: false, cachedInputTokens: 60, cacheWriteTokens: 30, cacheWrite1hTokens: 10 },
  } as ChatResult,
});

/** The sequence as names, with each delta's kind. */
const shape = (out: ReturnType<typeof run>) =>
  out.map((e) => (e.event === "content_block_delta" ? `delta:${(e.data["delta"] as { type: string }).type}` : e.event));

describe("Anthropic's event stream", () => {
  it("closes the thinking block with its signature before the text begins, as Anthropic does", () => {
    const out = run([
      { type: "cache", status: "miss" },
      { type: "reasoning", text: "Think" },
      { type: "reasoning", text: "", signature: "sig" },
      { type: "delta", text: "Hi" },
      done({ content: "Hi", reasoning: "Think", reasoningSignature: "sig" }),
    ]);
    expect(shape(out)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "delta:thinking_delta",
      "delta:signature_delta",
      "content_block_stop",
      "content_block_start",
      "delta:text_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(out.filter((e) => e.event === "content_block_start").map((e) => e.data["index"])).toEqual([0, 1]);
    expect(out.at(-2)!.data["usage"]).toMatchObject({
      input_tokens: 10,
      cache_read_input_tokens: 60,
      cache_creation_input_tokens: 30,
      cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 10 },
      output_tokens: 20,
    });
  });

  it("gives the signature known only at the end before the thinking block closes, when no text came", () => {
    const out = run([{ type: "reasoning", text: "Think" }, done({ reasoning: "Think", reasoningSignature: "late" }, "tool_calls")]);
    expect(shape(out)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "delta:thinking_delta",
      "delta:signature_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("sends client tool calls, known at the end, as tool_use blocks with their input in one delta", () => {
    const out = run([
      { type: "delta", text: "Let me see." },
      done(
        {
          content: "Let me see.",
          toolCalls: [
            { id: "t1", name: "f", argumentsJson: '{"a":1}' },
            { id: "t2", name: "g", argumentsJson: "" },
          ],
        },
        "tool_calls",
      ),
    ]);
    const starts = out.filter((e) => e.event === "content_block_start").map((e) => e.data["content_block"]);
    expect(starts).toEqual([
      { type: "text", text: "", citations: null },
      { type: "tool_use", id: "t1", name: "f", input: {}, caller: { type: "direct" } },
      { type: "tool_use", id: "t2", name: "g", input: {}, caller: { type: "direct" } },
    ]);
    const json = out.filter((e) => (e.data["delta"] as { type?: string } | undefined)?.type === "input_json_delta");
    expect(json.map((e) => [e.data["index"], (e.data["delta"] as { partial_json: string }).partial_json])).toEqual([
      [1, '{"a":1}'],
      [2, "{}"],
    ]);
    expect(out.at(-2)!.data["delta"]).toMatchObject({ stop_reason: "tool_use", stop_sequence: null });
  });

  it("writes nothing before the first block or the end: a failure before then keeps its own status", () => {
    const write = createEventWriter({ id: "msg_1", model: "m", estimatedInputTokens: 7 });
    expect(write({ type: "cache", status: "miss" })).toEqual([]);
    expect(write({ type: "answering", provider: "p" })).toEqual([]);
    expect(write({ type: "tool_call", id: "x", name: "calc", argumentsJson: "{}", round: 1 })).toEqual([]);
  });

  it("answers an empty answer with the message's frame alone, and a refusal with its stop details", () => {
    const out = run([done({}, "content_filter")]);
    expect(shape(out)).toEqual(["message_start", "ping", "message_delta", "message_stop"]);
    expect(out[0]!.data["message"]).toMatchObject({ id: "msg_1", model: "m", content: [], usage: { input_tokens: 7, output_tokens: 0 } });
    expect(out[2]!.data["delta"]).toMatchObject({ stop_reason: "refusal", stop_details: { type: "refusal" } });
  });
});
