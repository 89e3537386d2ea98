import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { messageEnd, messageStart, signedThinkingThenText } from "../support/anthropic-events.js";
import { type Harness, startHarness } from "../support/harness.js";

/*
 * The Responses face's streams and reasoning: reasoning events apart from the text, Anthropic's
 * signed thinking through a chain, failures before the first event (a real status) and after it
 * (an `error` event numbered after the last one).
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const sdk = () => new OpenAI({ apiKey: "unused", baseURL: `${h.httpUrl}/v1`, maxRetries: 0 });
const last = () => h.upstream.requests.at(-1)!.body;

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: null, ...extra }],
});
const stop = chunk({}, { finish_reason: "stop" });
const reasoned = () => ({
  rawEvents: [
    chunk({ role: "assistant", reasoning_content: "Six sevens " }),
    chunk({ reasoning_content: "are 42." }),
    chunk({ content: "42" }),
    stop,
    "[DONE]",
  ],
});

/** A raw POST whose SSE body is read whole and split into its events. */
async function rawStream(body: object): Promise<{ status: number; events: { event: string; data: Record<string, unknown> }[] }> {
  const res = await fetch(`${h.httpUrl}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await res.text();
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) return { status: res.status, events: [] };
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      return { event: eventLine!.slice("event: ".length), data: JSON.parse(dataLine!.slice("data: ".length)) as Record<string, unknown> };
    });
  return { status: res.status, events };
}

describe("Responses streams", () => {
  it("streams reasoning as its own output item before the message, and the final output has both", async () => {
    h.upstream.enqueue(reasoned());
    const { events } = await rawStream({ model: "gpt-test", input: "6*7?", reasoning: { effort: "high" } });
    expect(last()["reasoning_effort"]).toBe("high");
    // How many deltas a piece of text makes depends on the network's reads: runs of them count as one here.
    const types = events.map((e) => e.event).filter((t, i, all) => !(t.endsWith(".delta") && all[i - 1] === t));
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.reasoning_text.delta",
      "response.reasoning_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    // Each event's data names its own type, and the numbers run without a gap.
    expect(events.every((e, i) => e.data["type"] === e.event && e.data["sequence_number"] === i)).toBe(true);
    const itemsDone = events.filter((e) => e.event === "response.output_item.done").map((e) => e.data);
    expect(itemsDone[0]).toMatchObject({
      output_index: 0,
      item: { type: "reasoning", content: [{ type: "reasoning_text", text: "Six sevens are 42." }] },
    });
    expect(events.find((e) => e.event === "response.output_text.delta")?.data).toMatchObject({
      output_index: 1,
      content_index: 0,
      delta: "42",
    });
    const response = events.at(-1)!.data["response"] as { output: { type: string }[] };
    expect(response.output.map((o) => o.type)).toEqual(["reasoning", "message"]);
  });

  it("gives the reasoning as a summary when reasoning.summary asks for one", async () => {
    h.upstream.enqueue(reasoned());
    const stream = sdk().responses.stream({ model: "gpt-test", input: "6*7?", reasoning: { effort: "low", summary: "auto" } });
    const types: string[] = [];
    stream.on("event", (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(types).toEqual(
      expect.arrayContaining([
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
      ]),
    );
    expect(final.output[0]).toMatchObject({ type: "reasoning", summary: [{ type: "summary_text", text: "Six sevens are 42." }] });
    expect(final.output_text).toBe("42");
  });

  it("a failure before the first event is its real status, not a 200 with an error event", async () => {
    h.upstream.enqueue({ status: 500 });
    const { status, events } = await rawStream({ model: "gpt-test", input: "x" });
    expect(status).toBe(503);
    expect(events).toEqual([]);
  });

  it("a failure mid-stream ends it with an `error` event and response.failed, numbered on; the SDK's helper rejects", async () => {
    h.upstream.enqueue({ text: "one two three four five six", abortAfterChunks: 2 });
    const { status, events } = await rawStream({ model: "gpt-test", input: "x" });
    expect(status).toBe(200);
    const [error, failed] = events.slice(-2);
    expect(error).toMatchObject({
      event: "error",
      data: { type: "error", code: "stream_interrupted", sequence_number: events.length - 2 },
    });
    expect(failed).toMatchObject({
      event: "response.failed",
      data: {
        sequence_number: events.length - 1,
        response: { object: "response", status: "failed", error: { code: "stream_interrupted" } },
      },
    });
    expect(events.map((e) => e.event)).not.toContain("response.completed");
    // The SDK yields the error event (as OpenAI's own); its helper has no final response to give.
    h.upstream.enqueue({ text: "one two three four five six", abortAfterChunks: 2 });
    const stream = sdk().responses.stream({ model: "gpt-test", input: "x" });
    const seen: string[] = [];
    stream.on("event", (e) => seen.push(e.type));
    await expect(stream.finalResponse()).rejects.toThrow();
    expect(seen).toEqual(expect.arrayContaining(["response.output_text.delta", "error"]));
  });
});

describe("Responses stream endings", () => {
  it("a caller that goes away mid-stream cancels the upstream call, logged as cancelled, and no provider is blamed", async () => {
    const lines: Record<string, unknown>[] = [];
    const own = await startHarness({ logSink: (l) => lines.push(JSON.parse(l)) });
    try {
      own.upstream.enqueue({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 20 });
      const controller = new AbortController();
      const res = await fetch(`${own.httpUrl}/v1/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-test", input: "long", stream: true }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      await own.upstream.waitForAbort(0);
      // The call has settled once its access log line is written.
      await vi.waitFor(() => expect(lines.filter((l) => l["msg"] === "call")).toHaveLength(1), { timeout: 5000 });
      expect(lines.find((l) => l["msg"] === "call")).toMatchObject({ method: "openai.rest/responses.create", code: "canceled" });
      expect(own.app.gateway.stats.get("fake-openai/gpt-4o-mini")?.failures ?? 0).toBe(0);
    } finally {
      await own.close();
    }
  });
});

describe("Responses to an Anthropic model", () => {
  const thinking = () => ({
    rawEvents: [
      messageStart({ input_tokens: 12, output_tokens: 1 }, "msg_1"),
      ...signedThinkingThenText("Let me think.", "sig-abc", "42"),
      ...messageEnd(30),
    ],
  });

  it("returns signed thinking as a reasoning item with encrypted_content, and a chain sends it back signed", async () => {
    h.upstream.enqueue(thinking(), { text: "Because." });
    const first = await sdk().responses.create({
      model: "claude-test",
      input: "The answer?",
      max_output_tokens: 4000,
      reasoning: { effort: "low" },
      include: ["reasoning.encrypted_content"],
    });
    expect(h.upstream.requests.at(-1)!.path).toContain("/messages");
    expect(first.output[0]).toMatchObject({
      type: "reasoning",
      encrypted_content: "sig-abc",
      content: [{ type: "reasoning_text", text: "Let me think." }],
    });
    expect(first.output_text).toBe("42");
    await sdk().responses.create({
      model: "claude-test",
      input: "Why?",
      previous_response_id: first.id,
      max_output_tokens: 4000,
      reasoning: { effort: "low" },
    });
    expect((last()["messages"] as { content: unknown }[])[1]?.content).toEqual([
      { type: "thinking", thinking: "Let me think.", signature: "sig-abc" },
      { type: "text", text: "42" },
    ]);
  });

  it("streamed: the reasoning item's output_item.done carries the signature, as clients keep items from it (Codex CLI)", async () => {
    h.upstream.enqueue(thinking());
    const stream = await sdk().responses.create({
      model: "claude-test",
      input: "The answer?",
      stream: true,
      store: false,
      max_output_tokens: 4000,
      reasoning: { effort: "low", summary: "auto" },
      include: ["reasoning.encrypted_content"],
    });
    const done: OpenAI.Responses.ResponseOutputItem[] = [];
    for await (const e of stream) if (e.type === "response.output_item.done") done.push(e.item);
    expect(done.map((i) => i.type)).toEqual(["reasoning", "message"]);
    expect(done[0]).toMatchObject({ encrypted_content: "sig-abc", summary: [{ type: "summary_text", text: "Let me think." }] });
  });

  it("a chain started on Claude continues on an OpenAI-format model: the core translates the history", async () => {
    h.upstream.enqueue(thinking(), { text: "Still 42." });
    const first = await sdk().responses.create({
      model: "claude-test",
      input: "The answer?",
      max_output_tokens: 4000,
      reasoning: { effort: "low" },
    });
    const second = await sdk().responses.create({ model: "gpt-test", input: "Sure?", previous_response_id: first.id });
    expect(second.output_text).toBe("Still 42.");
    expect(h.upstream.requests.at(-1)!.path).toContain("/chat/completions");
    expect((last()["messages"] as { role: string; content: string }[]).map((m) => [m.role, m.content])).toEqual([
      ["user", "The answer?"],
      ["assistant", "42"],
      ["user", "Sure?"],
    ]);
  });

  it("stateless: the reasoning item sent back as input (store: false) reaches Anthropic signed", async () => {
    h.upstream.enqueue({ text: "ok" });
    await sdk().responses.create({
      model: "claude-test",
      store: false,
      max_output_tokens: 4000,
      reasoning: { effort: "low" },
      input: [
        { role: "user", content: "The answer?" },
        {
          type: "reasoning",
          id: "rs_1",
          summary: [],
          content: [{ type: "reasoning_text", text: "Let me think." }],
          encrypted_content: "sig-abc",
        },
        {
          type: "message",
          id: "msg_1",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "42", annotations: [] }],
        },
        { role: "user", content: "Why?" },
      ],
    });
    expect((last()["messages"] as { content: unknown }[])[1]?.content).toEqual([
      { type: "thinking", thinking: "Let me think.", signature: "sig-abc" },
      { type: "text", text: "42" },
    ]);
  });
});
