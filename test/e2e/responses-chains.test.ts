import { createClient } from "@connectrpc/connect";
import OpenAI from "openai";
import { SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";
import { manualClock } from "../support/manual-clock.js";

/*
 * Stored chains: their input items as a paged list, their bounds (truncation "disabled" refuses a
 * chain past what a response may hold, "auto" drops its oldest turns), and a chain through the
 * pipeline's cache like any call.
 */

let h: Harness;
let small: Harness;
beforeAll(async () => {
  h = await startHarness();
  // A stored response holds at most 6 messages of its conversation.
  small = await startHarness({ sessions: { maxHistoryMessages: 6 } });
});
afterAll(async () => {
  await h.close();
  await small.close();
});

const sdk = (harness = h) => new OpenAI({ apiKey: "unused", baseURL: `${harness.httpUrl}/v1`, maxRetries: 0 });
const sent = (harness: Harness) =>
  (harness.upstream.requests.at(-1)!.body["messages"] as { role: string; content: string }[]).map((m) => `${m.role}: ${m.content}`);

async function failure(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

describe("Responses input items", () => {
  it("lists what a chained response was asked with, newest first, paged by the SDK's cursor", async () => {
    h.upstream.enqueue({ text: "", toolCalls: [{ id: "call_1", name: "lookup", arguments: "{}" }] }, { text: "Found it." });
    const tools = [{ type: "function" as const, name: "lookup", parameters: { type: "object", properties: {} }, strict: false }];
    const first = await sdk().responses.create({ model: "gpt-test", instructions: "Not an item.", input: "Look it up.", tools });
    const second = await sdk().responses.create({
      model: "gpt-test",
      previous_response_id: first.id,
      tools,
      input: [{ type: "function_call_output", call_id: "call_1", output: "42" }],
    });
    const items: OpenAI.Responses.ResponseItem[] = [];
    for await (const item of sdk().responses.inputItems.list(second.id, { limit: 2 })) items.push(item);
    expect(items.map((i) => i.type)).toEqual(["function_call_output", "function_call", "message"]);
    expect(items[0]).toMatchObject({ call_id: "call_1", output: "42" });
    expect(items[1]).toMatchObject({ call_id: "call_1", name: "lookup" });
    expect(items[2]).toMatchObject({ role: "user", content: [{ type: "input_text", text: "Look it up." }] });
    const asc = await sdk().responses.inputItems.list(second.id, { order: "asc" });
    expect(asc.data.map((i) => i.id)).toEqual(items.map((i) => i.id).reverse());
    expect((await failure(sdk().responses.inputItems.list("resp_nope"))).status).toBe(404);
  });
});

describe("Responses chain bounds", () => {
  /** A chain of `turns` turns on the small harness, each answered "a<n>". */
  async function chain(turns: number, truncation: "auto" | "disabled" = "disabled"): Promise<string> {
    let previous: string | undefined;
    for (let i = 0; i < turns; i++) {
      small.upstream.enqueue({ text: `a${i}` });
      const r = await sdk(small).responses.create({
        model: "gpt-test",
        input: `q${i}`,
        truncation,
        ...(previous ? { previous_response_id: previous } : {}),
      });
      previous = r.id;
    }
    return previous!;
  }

  it('truncation "disabled" refuses a turn that would outgrow what a response keeps, naming previous_response_id', async () => {
    const last = await chain(3);
    expect(sent(small)).toEqual(["user: q0", "assistant: a0", "user: q1", "assistant: a1", "user: q2"]);
    const before = small.upstream.requests.length;
    const err = await failure(sdk(small).responses.create({ model: "gpt-test", input: "q3", previous_response_id: last }));
    expect([err.status, err.param]).toEqual([400, "previous_response_id"]);
    expect(small.upstream.requests.length).toBe(before);
  });

  it('truncation "auto" drops the oldest whole turns and goes on', async () => {
    const last = await chain(3, "auto");
    small.upstream.enqueue({ text: "a3" });
    const r = await sdk(small).responses.create({ model: "gpt-test", input: "q3", previous_response_id: last, truncation: "auto" });
    expect(sent(small)).toEqual(["user: q1", "assistant: a1", "user: q2", "assistant: a2", "user: q3"]);
    // What the response keeps is what it was asked with, so the next turn goes on from there.
    const items = await sdk(small).responses.inputItems.list(r.id, { order: "asc" });
    expect(items.data.map((i) => (i as { content: { text: string }[] }).content[0]?.text)).toEqual(["q1", "a1", "q2", "a2", "q3"]);
  });

  it("refuses an input longer than a response may hold", async () => {
    const input = Array.from({ length: 6 }, (_, i) => ({ role: "user" as const, content: `m${i}` }));
    const err = await failure(sdk(small).responses.create({ model: "gpt-test", input }));
    expect([err.status, err.param]).toEqual([400, "input"]);
    // Not stored, nothing to bound: the same input goes.
    small.upstream.enqueue({ text: "ok" });
    expect((await sdk(small).responses.create({ model: "gpt-test", input, store: false })).output_text).toBe("ok");
  });
});

describe("Responses expiry", () => {
  it("a stored response lives sessions.defaultTtlSeconds: after that it is 404, and a chain from it too", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const timed = await startHarness({ clock, sessions: { defaultTtlSeconds: 60 } });
    try {
      timed.upstream.enqueue({ text: "short-lived" });
      const r = await sdk(timed).responses.create({ model: "gpt-test", input: "x" });
      clock.advance(59_000);
      expect((await sdk(timed).responses.retrieve(r.id)).output_text).toBe("short-lived");
      clock.advance(2_000);
      expect((await failure(sdk(timed).responses.retrieve(r.id))).status).toBe(404);
      const err = await failure(sdk(timed).responses.create({ model: "gpt-test", input: "y", previous_response_id: r.id }));
      expect([err.status, err.param]).toEqual([404, "previous_response_id"]);
    } finally {
      await timed.close();
    }
  });
});

describe("Responses input tokens", () => {
  it("counts what a create would send, the chain's history included, without calling the model", async () => {
    h.upstream.enqueue({ text: "A fairly long answer about the history of the city of Rome and its seven hills." });
    const first = await sdk().responses.create({ model: "gpt-test", input: "Tell me about Rome." });
    const before = h.upstream.requests.length;
    const alone = await sdk().responses.inputTokens.count({ model: "gpt-test", input: "And Milan?" });
    const chained = await sdk().responses.inputTokens.count({ model: "gpt-test", input: "And Milan?", previous_response_id: first.id });
    expect(alone.object).toBe("response.input_tokens");
    expect(alone.input_tokens).toBeGreaterThan(0);
    expect(chained.input_tokens).toBeGreaterThan(alone.input_tokens + 15);
    expect(h.upstream.requests.length).toBe(before);
    expect(
      (await failure(sdk().responses.inputTokens.count({ model: "gpt-test", input: "x", previous_response_id: "resp_gone" }))).status,
    ).toBe(404);
  });
});

describe("Responses through the pipeline", () => {
  it("a deterministic request is answered from the cache the second time, as any other face's", async () => {
    h.upstream.enqueue({ text: "cached answer" });
    const ask = { model: "gpt-test", input: "cache me", temperature: 0 };
    const before = h.upstream.requests.length;
    const first = await sdk().responses.create(ask).withResponse();
    const second = await sdk().responses.create(ask).withResponse();
    expect(first.response.headers.get("x-cache-status")).toBe("miss");
    expect(second.response.headers.get("x-cache-status")).toBe("hit_exact");
    expect(second.data.output_text).toBe("cached answer");
    expect(h.upstream.requests.length).toBe(before + 1);
    // Two responses, each its own id.
    expect(second.data.id).not.toBe(first.data.id);
  });
});

describe("Responses when the store is full of sessions", () => {
  it("answers what was paid for, marked store: false, rather than fail it; a chain from it is then 404", async () => {
    const full = await startHarness({ sessions: { maxSessions: 1 } });
    try {
      // The one record the store may hold is a session someone created: it never gives way to a response.
      await createClient(SessionService, full.rpcTransport()).createSession({ user: "pat" });
      full.upstream.enqueue({ text: "an answer nobody keeps" }, { text: "streamed, not kept either" });
      const unary = await sdk(full).responses.create({ model: "gpt-test", input: "hello" });
      // OpenAI's Response object carries store (the SDK's type leaves it out).
      expect([unary.output_text, (unary as unknown as { store: boolean }).store]).toEqual(["an answer nobody keeps", false]);
      const stream = await sdk(full).responses.create({ model: "gpt-test", input: "hello again", stream: true });
      let completed: { store?: boolean | null; output_text?: string } | undefined;
      for await (const e of stream) if (e.type === "response.completed") completed = e.response as typeof completed;
      expect(completed?.store).toBe(false);
      expect((await failure(sdk(full).responses.retrieve(unary.id))).status).toBe(404);
    } finally {
      await full.close();
    }
  });
});
