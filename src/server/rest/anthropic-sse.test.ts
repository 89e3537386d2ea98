import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../core/clock.js";
import { systemClock } from "../../core/clock.js";
import type { ChatMessage, ChatResult, ChatStreamEvent, FinishReason } from "../../core/types.js";
import { anthropicStream, createEventWriter } from "./anthropic-sse.js";

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
      { type: "text", text: "" },
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

  it("begins a quiet stream and pings while it stays quiet, then carries on where the answer resumes", () => {
    const write = createEventWriter({ id: "msg_1", model: "m", estimatedInputTokens: 7 });
    const names = (frames: string[]) => frames.map((f) => f.split("\n")[0]!.slice("event: ".length));
    expect(names(write({ type: "idle" }))).toEqual(["message_start", "ping"]);
    expect(names(write({ type: "idle" }))).toEqual(["ping"]);
    expect(names(write({ type: "delta", text: "Hi" }))).toEqual(["content_block_start", "content_block_delta"]);
    expect(names(write(done({ content: "Hi" })))).toEqual(["content_block_stop", "message_delta", "message_stop"]);
  });
});

/** A clock whose timers fire only when the test says so. */
function heldClock(): Clock & { fire(): void } {
  let timers: (() => void)[] = [];
  const clock = {
    ...systemClock,
    after: (_ms: number, fn: () => void) => {
      timers.push(fn);
      return () => {
        timers = timers.filter((t) => t !== fn);
      };
    },
    fire: () => {
      const due = timers;
      timers = [];
      for (const t of due) t();
    },
  };
  return clock;
}

describe("anthropicStream on a quiet upstream", () => {
  it("sends the head, message_start and pings while the answer is slow to come (a long tool call), then the answer", async () => {
    const clock = heldClock();
    let resume: () => void = () => {};
    let waiting: () => void = () => {};
    const reachedQuiet = new Promise<void>((r) => (waiting = r));
    async function* events(): AsyncGenerator<ChatStreamEvent> {
      yield { type: "cache", status: "miss" };
      waiting();
      await new Promise<void>((r) => (resume = r));
      yield done({ content: "", toolCalls: [{ id: "t1", name: "Write", argumentsJson: '{"path":"a"}' }] }, "tool_calls");
    }
    const server = http.createServer((_req, res) => {
      void anthropicStream(res, events(), { id: "msg_1", model: "m", estimatedInputTokens: 7 }, { clock, everyMs: 10_000 });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const res = await new Promise<http.IncomingMessage>((resolve) => {
      http.get({ port, host: "127.0.0.1" }, resolve);
      // The head is written by the first ping: nothing comes before the stream has been quiet once.
      void reachedQuiet.then(() => clock.fire());
    });
    expect(res.statusCode).toBe(200);
    // One reader for the whole stream; each wait resolves once so many pings have come.
    let text = "";
    let wanted: { pings: number; resolve: () => void } | undefined;
    const ended = new Promise<void>((r) => res.on("end", r));
    res.on("data", (c: Buffer) => {
      text += c.toString();
      if (wanted && (text.match(/event: ping/g) ?? []).length >= wanted.pings) wanted.resolve();
    });
    const pings = (n: number) => new Promise<void>((resolve) => (wanted = { pings: n, resolve }));
    await pings(1);
    clock.fire();
    await pings(2);
    resume();
    await ended;
    server.close();
    expect([...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual([
      "message_start",
      "ping",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });
});
