import { describe, expect, it } from "vitest";
import type { CallContext } from "../core/call.js";
import { GatewayError } from "../core/errors.js";
import type { ChatRequest, ChatResult, ChatStreamEvent } from "../core/types.js";
import { manualClock } from "../../test/support/manual-clock.js";
import { canonicalJson, createDurableCalls, type StreamSource } from "./durable.js";
import { encodeEntry, type JournalEntry } from "./journal.js";
import { createMemoryDurableStore } from "./memory-store.js";
import type { DurableStore } from "./store.js";

const request = (prompt: string) =>
  ({ model: "m", messages: [{ role: "user", content: prompt }], user: "", metadata: {}, routing: {} }) as ChatRequest;
const result = (text: string) =>
  ({ id: `r-${text}`, message: { role: "assistant", content: text }, finishReason: "stop", attempts: [] }) as unknown as ChatResult;
const callFor = (tenant: string): CallContext => ({
  signal: new AbortController().signal,
  requestId: "req",
  receivedAt: 0,
  tenant: { name: tenant, admin: false, allowedModels: undefined, limits: undefined, budget: undefined },
});
const settings = { graceMs: 1_000, leaseMs: 300, flushMs: 0, ttlMs: 60_000, idempotencyTtlMs: 60_000 };

/** A source that records what it was asked and answers with `text` (or fails, when told to). */
function recording(answer: (continueFrom?: string) => string | GatewayError | Promise<string | GatewayError>) {
  const asked: { request: ChatRequest; continueFrom?: string | undefined }[] = [];
  const source: StreamSource = async function* (req, _call, continueFrom): AsyncGenerator<ChatStreamEvent> {
    asked.push({ request: req, continueFrom });
    yield { type: "cache", status: "miss" };
    const a = await answer(continueFrom);
    if (a instanceof GatewayError) throw a;
    yield { type: "delta", text: a };
    yield { type: "done", result: result((continueFrom ?? "") + a) };
  };
  return { asked, source };
}

async function texts(events: AsyncIterable<{ event: ChatStreamEvent }>): Promise<string> {
  let text = "";
  for await (const { event } of events) if (event.type === "delta") text += event.text;
  return text;
}

/** A call a dead replica left behind: its record (lease lapsed) and what it journaled. */
async function leftBehind(store: DurableStore, id: string, entries: JournalEntry[]): Promise<void> {
  await store.create(
    id,
    {
      tenant: "acme",
      digest: "d",
      request: JSON.stringify(request("go")),
      owner: "dead",
      leaseUntil: 0,
      seenUntil: 0,
      retentionMs: 60_000,
      state: "running",
    },
    60_000,
  );
  await store.append(id, "dead", entries.map(encodeEntry), false, 60_000);
}

describe("durable calls", () => {
  it("takes over a call whose replica died, continuing from the text it had sent", async () => {
    const clock = manualClock(1_000_000);
    const store = createMemoryDurableStore(clock);
    const { asked, source } = recording(() => " world.");
    const calls = createDurableCalls({ store, source, clock, settings });
    await leftBehind(store, "c1", [
      { type: "cache", status: "miss" },
      { type: "delta", text: "Hello" },
    ]);
    const resumed = await calls.resume("c1", 2, callFor("acme"));
    expect(await texts(resumed.events)).toBe(" world.");
    expect(asked).toEqual([{ request: request("go"), continueFrom: "Hello" }]);
    // The journal now holds the whole stream, for any later reader.
    expect(await texts((await calls.resume("c1", 0, callFor("acme"))).events)).toBe("Hello world.");
  });

  it("does not continue a call whose journal holds more than text, and says why", async () => {
    const clock = manualClock(1_000_000);
    const store = createMemoryDurableStore(clock);
    const { asked, source } = recording(() => "never");
    const calls = createDurableCalls({ store, source, clock, settings });
    await leftBehind(store, "c2", [
      { type: "reasoning", text: "thinking" },
      { type: "delta", text: "Hel" },
    ]);
    const resumed = await calls.resume("c2", 0, callFor("acme"));
    await expect(texts(resumed.events)).rejects.toMatchObject({ reason: "STREAM_INTERRUPTED" });
    expect(asked).toEqual([]);
  });

  it("lets a failed call's key run again, while a caller that joined it gets its error", async () => {
    const clock = manualClock(1_000_000);
    let fail = true;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { asked, source } = recording(async () => {
      if (!fail) return "ok";
      await gate;
      return new GatewayError("UPSTREAM_UNAVAILABLE", "down");
    });
    const calls = createDurableCalls({ store: createMemoryDurableStore(clock), source, clock, settings });
    const first = await calls.start(request("pay"), callFor("acme"), "k1");
    const joined = await calls.start(request("pay"), callFor("acme"), "k1");
    expect(joined.token).toBe(first.token);
    release();
    await expect(texts(first.events)).rejects.toMatchObject({ reason: "UPSTREAM_UNAVAILABLE" });
    await expect(texts(joined.events)).rejects.toMatchObject({ reason: "UPSTREAM_UNAVAILABLE" });
    fail = false;
    expect((await calls.complete(request("pay"), callFor("acme"), "k1")).message.content).toBe("ok");
    expect(asked).toHaveLength(2);
  });

  it("scopes a key to its tenant, and refuses it with another request", async () => {
    const clock = manualClock(1_000_000);
    const { asked, source } = recording(() => "done");
    const calls = createDurableCalls({ store: createMemoryDurableStore(clock), source, clock, settings });
    const a = await calls.complete(request("x"), callFor("acme"), "k");
    const b = await calls.complete(request("x"), callFor("globex"), "k");
    expect(asked).toHaveLength(2);
    expect(a.message.content).toBe("done");
    expect(b.message.content).toBe("done");
    await expect(calls.complete(request("y"), callFor("acme"), "k")).rejects.toMatchObject({ reason: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("tells another tenant a token is not found", async () => {
    const clock = manualClock(1_000_000);
    const calls = createDurableCalls({ store: createMemoryDurableStore(clock), source: recording(() => "t").source, clock, settings });
    const s = await calls.start(request("mine"), callFor("acme"));
    await texts(s.events);
    await expect(calls.resume(s.token, 0, callFor("globex"))).rejects.toMatchObject({ reason: "NOT_FOUND" });
    await expect(calls.resume("made-up", 0, callFor("acme"))).rejects.toMatchObject({ reason: "NOT_FOUND" });
  });

  it("refuses to resume after an event the stream never had", async () => {
    const clock = manualClock(1_000_000);
    const calls = createDurableCalls({ store: createMemoryDurableStore(clock), source: recording(() => "t").source, clock, settings });
    const s = await calls.start(request("short"), callFor("acme"));
    await texts(s.events);
    await expect(calls.resume(s.token, 99, callFor("acme"))).rejects.toMatchObject({ reason: "INVALID_REQUEST" });
    // The last event (3: cache, delta, done) is one to resume after: nothing follows it.
    expect(await texts((await calls.resume(s.token, 3, callFor("acme"))).events)).toBe("");
  });

  it("compares requests by content, whatever their fields' order", () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, z: "s" }] })).toBe('{"a":[{"y":2,"z":"s"}],"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});
