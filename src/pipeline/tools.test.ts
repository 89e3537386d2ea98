import { describe, expect, it } from "vitest";
import { manualClock } from "../../test/support/manual-clock.js";
import type { CallContext } from "../core/call.js";
import type { ChatRequest, ChatResult, ChatStreamEvent, ToolRequest } from "../core/types.js";
import type { RegisteredTool, ToolContext, ToolOutcome, Tools } from "../tools/registry.js";
import type { Ask, AskHandler } from "./stage.js";
import { toolStage } from "./tools.js";

const registered = (name: string): RegisteredTool => ({
  definition: { name, description: `the ${name} tool`, parametersJson: '{"type":"object"}' },
  kind: "builtin",
  timeoutMs: 1000,
  maxOutputBytes: 1000,
  run: async () => "unused",
});

/** A registry of two tools whose calls answer from a table, recording what they were asked. */
function fakeTools(outputs: Record<string, ToolOutcome>) {
  const calls: { name: string; args: string; context: ToolContext; signal: AbortSignal | undefined }[] = [];
  const byName = new Map(["weather", "time"].map((n) => [n, registered(n)]));
  const tools: Tools = {
    list: () => [...byName.values()],
    get: (name) => byName.get(name),
    breakerState: () => "closed",
    execute: () => Promise.reject(new Error("unused")),
    async call(name, args, context, signal) {
      calls.push({ name, args, context, signal });
      const out = outputs[name];
      if (!out) throw new Error(`no output scripted for ${name}`);
      return out;
    },
  };
  return { tools, calls };
}

const result = (over: Partial<ChatResult>): ChatResult => ({
  id: "r",
  message: { role: "assistant", content: "" },
  finishReason: "stop",
  usage: { inputTokens: 0, outputTokens: 0, estimated: false },
  costUsd: 0,
  provider: "p1",
  model: "m",
  cacheStatus: "miss",
  latencyMs: 1,
  gatewayOverheadMs: 1,
  attempts: [],
  ...over,
});

/** A model that answers round by round from a script, recording the asks it got. */
function scriptedModel(rounds: ChatResult[]) {
  const asks: Ask[] = [];
  const next: AskHandler = async function* (ask) {
    const r = rounds[asks.length];
    asks.push(ask);
    if (!r) throw new Error("more rounds than scripted");
    yield { type: "cache", status: asks.length === 1 ? "miss" : "hit_exact" };
    yield { type: "answering", provider: r.provider };
    if (r.message.content) yield { type: "delta", text: r.message.content };
    yield { type: "done", result: r };
  };
  return { next, asks };
}

const askOf = (tools?: ToolRequest): Ask => {
  const request: ChatRequest = {
    model: "m",
    messages: [{ role: "user", content: "weather in Paris?" }],
    user: "bob",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
    stop: [],
    sessionId: "s-9",
  };
  if (tools) request.tools = tools;
  const call: CallContext = { signal: new AbortController().signal, requestId: "r", receivedAt: 1_000 };
  return { request, call, buffered: false };
};

const offer = (over: Partial<ToolRequest> = {}): ToolRequest => ({
  names: ["weather", "time"],
  all: false,
  definitions: [],
  execution: "default",
  ...over,
});

async function drain(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const outcome = (output: string, isError = false): ToolOutcome => ({ output, isError, truncated: false, latencyMs: 3 });

describe("tool stage", () => {
  it("passes a call without tools through untouched", () => {
    const { tools } = fakeTools({});
    const stream: AsyncIterable<ChatStreamEvent> = (async function* () {})();
    const ask = askOf();
    let given: Ask | undefined;
    const handler = toolStage({ tools, maxRounds: 4, clock: manualClock() })((a) => {
      given = a;
      return stream;
    });
    expect(handler(ask)).toBe(stream);
    expect(given).toBe(ask);
  });

  it("offers tools the caller runs itself without running a loop", async () => {
    const { tools, calls } = fakeTools({});
    const asked = result({
      finishReason: "tool_calls",
      message: { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "weather", argumentsJson: "{}" }] },
    });
    const model = scriptedModel([asked]);
    const events = await drain(toolStage({ tools, maxRounds: 4, clock: manualClock() })(model.next)(askOf(offer({ execution: "client" }))));
    expect(model.asks).toHaveLength(1);
    expect(model.asks[0]!.tools?.definitions.map((d) => d.name)).toEqual(["weather", "time"]);
    expect(model.asks[0]!.tools?.serverSide.size).toBe(0);
    expect(calls).toEqual([]);
    expect(events.at(-1)).toEqual({ type: "done", result: asked });
  });

  it("holds a caller's forcing tool choice for the first round only, and forbids tools on the last", async () => {
    const { tools } = fakeTools({ weather: outcome("18C") });
    const call = (id: string) =>
      result({
        finishReason: "tool_calls",
        message: { role: "assistant", content: "", toolCalls: [{ id, name: "weather", argumentsJson: "{}" }] },
      });
    const model = scriptedModel([call("c1"), call("c2"), result({ message: { role: "assistant", content: "18C" } })]);
    const ask = askOf(offer());
    ask.request.toolChoice = { name: "weather" };
    ask.request.parallelToolCalls = false;
    await drain(toolStage({ tools, maxRounds: 3, clock: manualClock() })(model.next)(ask));
    expect(model.asks.map((a) => a.request.toolChoice)).toEqual([{ name: "weather" }, "auto", "none"]);
    expect(model.asks.every((a) => a.request.parallelToolCalls === false)).toBe(true);
  });

  it("runs the tools the model asks for, then asks again, adding up every round", async () => {
    const clock = manualClock(1_000);
    const { tools, calls } = fakeTools({ weather: outcome("18C and sunny"), time: outcome("no clock", true) });
    const first = result({
      finishReason: "tool_calls",
      message: {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "c1", name: "weather", argumentsJson: '{"city":"Paris"}' },
          { id: "c2", name: "time", argumentsJson: "{}" },
        ],
      },
      usage: { inputTokens: 10, outputTokens: 5, estimated: false, cachedInputTokens: 4, reasoningTokens: 2 },
      costUsd: 0.001,
      attempts: [{ provider: "p1", model: "m", latencyMs: 5 }],
    });
    const second = result({
      message: { role: "assistant", content: "It is 18C and sunny." },
      usage: { inputTokens: 30, outputTokens: 7, estimated: true, cachedInputTokens: 20, cacheWriteTokens: 3 },
      costUsd: 0.002,
      provider: "p2",
      attempts: [{ provider: "p2", model: "m", latencyMs: 6 }],
    });
    const model = scriptedModel([first, second]);
    const ask = askOf(offer({ maxIterations: 2 }));
    ask.call.tenant = { name: "acme", admin: false, allowedModels: undefined, limits: undefined, budget: undefined };
    const events = await drain(toolStage({ tools, maxRounds: 8, clock })(model.next)(ask));

    expect(events.map((e) => e.type)).toEqual([
      "cache",
      "answering",
      "tool_call",
      "tool_call",
      "tool_result",
      "tool_result",
      "answering",
      "delta",
      "done",
    ]);
    // Only the first round's cache status goes out: it is the one the headers carry.
    expect(events[0]).toEqual({ type: "cache", status: "miss" });
    expect(events.filter((e) => e.type === "tool_call")).toEqual([
      { type: "tool_call", id: "c1", name: "weather", argumentsJson: '{"city":"Paris"}', round: 1 },
      { type: "tool_call", id: "c2", name: "time", argumentsJson: "{}", round: 1 },
    ]);
    expect(events.filter((e) => e.type === "tool_result")).toEqual(
      expect.arrayContaining([
        { type: "tool_result", id: "c1", name: "weather", output: "18C and sunny", isError: false, latencyMs: 3 },
        { type: "tool_result", id: "c2", name: "time", output: "no clock", isError: true, latencyMs: 3 },
      ]),
    );
    expect(calls.map((c) => [c.name, c.args, c.context])).toEqual([
      ["weather", '{"city":"Paris"}', { owner: "acme/bob", sessionId: "s-9" }],
      ["time", "{}", { owner: "acme/bob", sessionId: "s-9" }],
    ]);
    expect(calls[0]!.signal).toBe(ask.call.signal);

    // The second round sees the model's request and the results, in call order; as the last round it must answer in text.
    const toolTurns = [
      first.message,
      { role: "tool", content: "18C and sunny", toolCallId: "c1", name: "weather" },
      { role: "tool", content: "no clock", toolCallId: "c2", name: "time" },
    ];
    expect(model.asks).toHaveLength(2);
    expect(model.asks[1]!.request.messages).toEqual([...ask.request.messages, ...toolTurns]);
    expect(model.asks[1]!.request.toolChoice).toBe("none");
    expect(model.asks[0]!.request.toolChoice).toBeUndefined();
    expect(model.asks[1]!.tools?.serverSide).toEqual(new Set(["weather", "time"]));

    const done = events.at(-1);
    if (done?.type !== "done") throw new Error("no done");
    expect(done.result).toMatchObject({
      message: second.message,
      provider: "p2",
      usage: { inputTokens: 40, outputTokens: 12, estimated: true, cachedInputTokens: 24, cacheWriteTokens: 3, reasoningTokens: 2 },
      rounds: 2,
      toolTurns,
      attempts: [...first.attempts, ...second.attempts],
    });
    expect(done.result.costUsd).toBeCloseTo(0.003, 10);
  });

  it("stops at the round limit even when the model keeps asking for tools", async () => {
    const { tools, calls } = fakeTools({ weather: outcome("x") });
    const asking = result({
      finishReason: "tool_calls",
      message: { role: "assistant", content: "", toolCalls: [{ id: "c", name: "weather", argumentsJson: "{}" }] },
    });
    const model = scriptedModel([asking]);
    const events = await drain(toolStage({ tools, maxRounds: 1, clock: manualClock() })(model.next)(askOf(offer())));
    expect(model.asks).toHaveLength(1);
    expect(calls).toEqual([]);
    const done = events.at(-1);
    expect(done?.type === "done" && done.result.rounds).toBe(1);
  });

  it("refuses an unknown tool before asking the model", () => {
    const { tools } = fakeTools({});
    const model = scriptedModel([]);
    expect(() => toolStage({ tools, maxRounds: 4, clock: manualClock() })(model.next)(askOf(offer({ names: ["nope"] })))).toThrow(
      expect.objectContaining({ reason: "TOOL_NOT_FOUND" }),
    );
    expect(model.asks).toEqual([]);
  });
});
