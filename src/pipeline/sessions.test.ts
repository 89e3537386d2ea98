import { describe, expect, it } from "vitest";
import type { CallContext } from "../core/call.js";
import { GatewayError } from "../core/errors.js";
import type { ChatMessage, ChatRequest, ChatResult, ChatStreamEvent } from "../core/types.js";
import type { Continuation, Sessions } from "../sessions/sessions.js";
import { sessionStage } from "./sessions.js";
import type { Ask, AskHandler } from "./stage.js";

const unused = () => {
  throw new Error("not used by the session stage");
};

/** Sessions whose `continue` prepends a fixed history and whose `record` is scripted; the log says what happened when. */
function fakeSessions(recordFails = false) {
  const log: string[] = [];
  const continued: [ChatRequest, string][] = [];
  const recorded: (readonly ChatMessage[])[] = [];
  const history: ChatMessage[] = [
    { role: "system", content: "be brief" },
    { role: "user", content: "earlier" },
    { role: "assistant", content: "earlier answer" },
  ];
  const sessions: Sessions = {
    get store(): never {
      return unused();
    },
    create: unused,
    get: unused,
    messages: unused,
    list: unused,
    delete: unused,
    append: unused,
    update: unused,
    async continue(request, owner) {
      continued.push([request, owner]);
      const c: Continuation = {
        request: { ...request, messages: [...history, ...request.messages] },
        trimmed: 0,
        async record(answer) {
          log.push("record");
          recorded.push(answer);
          if (recordFails) throw new GatewayError("SESSION_UNAVAILABLE", "the session store failed (append); nothing was changed");
        },
      };
      return c;
    },
  };
  return { sessions, log, continued, recorded, history };
}

const result = (over: Partial<ChatResult> = {}): ChatResult => ({
  id: "r",
  message: { role: "assistant", content: "now" },
  finishReason: "stop",
  usage: { inputTokens: 1, outputTokens: 1, estimated: false },
  costUsd: 0,
  provider: "p1",
  model: "m",
  cacheStatus: "miss",
  latencyMs: 1,
  gatewayOverheadMs: 1,
  attempts: [],
  ...over,
});

const askOf = (sessionId?: string): Ask => {
  const request: ChatRequest = {
    model: "m",
    messages: [{ role: "user", content: "question" }],
    user: "bob",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
    stop: [],
  };
  if (sessionId) request.sessionId = sessionId;
  const call: CallContext = {
    signal: new AbortController().signal,
    requestId: "r",
    receivedAt: 0,
    tenant: { name: "acme", admin: false, allowedModels: undefined, limits: undefined, budget: undefined },
  };
  return { request, call, buffered: false };
};

/** An inner handler answering with `r`, recording the asks it got. */
function answering(r: ChatResult) {
  const asks: Ask[] = [];
  const next: AskHandler = async function* (ask) {
    asks.push(ask);
    yield { type: "cache", status: "miss" };
    yield { type: "delta", text: r.message.content };
    yield { type: "done", result: r };
  };
  return { next, asks };
}

describe("session stage", () => {
  it("passes a call without a session_id through untouched", () => {
    const { sessions, continued } = fakeSessions();
    const stream: AsyncIterable<ChatStreamEvent> = { [Symbol.asyncIterator]: unused };
    const ask = askOf();
    let given: Ask | undefined;
    expect(
      sessionStage(sessions)((a) => {
        given = a;
        return stream;
      })(ask),
    ).toBe(stream);
    expect(given).toBe(ask);
    expect(continued).toEqual([]);
  });

  it("sends the session's history and records the turn before the caller hears done", async () => {
    const { sessions, log, continued, recorded, history } = fakeSessions();
    const toolTurns: ChatMessage[] = [
      { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "t", argumentsJson: "{}" }] },
      { role: "tool", content: "42", toolCallId: "c1", name: "t" },
    ];
    const r = result({ toolTurns });
    const { next, asks } = answering(r);
    const ask = askOf("s-1");
    const events: ChatStreamEvent[] = [];
    for await (const e of sessionStage(sessions)(next)(ask)) {
      log.push(e.type);
      events.push(e);
    }
    expect(continued).toEqual([[ask.request, "acme/bob"]]);
    expect(asks).toHaveLength(1);
    expect(asks[0]!.request.messages).toEqual([...history, { role: "user", content: "question" }]);
    expect(asks[0]!.call).toBe(ask.call);
    expect(recorded).toEqual([[...toolTurns, r.message]]);
    expect(log).toEqual(["cache", "delta", "record", "done"]);
    expect(events.at(-1)).toEqual({ type: "done", result: r });
  });

  it("fails the call when the turn cannot be recorded: the caller never hears done", async () => {
    const { sessions, recorded } = fakeSessions(true);
    const { next } = answering(result());
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of sessionStage(sessions)(next)(askOf("s-1"))) seen.push(e.type);
      })(),
    ).rejects.toMatchObject({ reason: "SESSION_UNAVAILABLE" });
    expect(recorded).toHaveLength(1);
    expect(seen).toEqual(["cache", "delta"]);
  });

  it("records nothing when the round fails", async () => {
    const { sessions, recorded } = fakeSessions();
    const failing: AskHandler = async function* () {
      yield { type: "cache", status: "miss" };
      throw new GatewayError("UPSTREAM_UNAVAILABLE", "down");
    };
    await expect(
      (async () => {
        for await (const _ of sessionStage(sessions)(failing)(askOf("s-1")));
      })(),
    ).rejects.toMatchObject({ reason: "UPSTREAM_UNAVAILABLE" });
    expect(recorded).toEqual([]);
  });
});
