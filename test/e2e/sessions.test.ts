import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { CompletionService } from "../../gen/ts/llmgateway/v1/completion_service_pb.js";
import { SessionService } from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import { Role } from "../../gen/ts/llmgateway/v1/types_pb.js";
import type { RecordedRequest } from "../support/fake-upstream.js";
import { startHarness, type Harness } from "../support/harness.js";
import { redisForFile } from "../support/redis.js";

const redis = redisForFile();

const start = async (sessions: Record<string, unknown> = {}) =>
  redis.track(await startHarness({ sessions, ...(sessions["store"] === "redis" ? { redisUrl: redis.server.url } : {}) }));
const clients = (h: Harness) => {
  const transport = h.rpcTransport();
  return { sessions: createClient(SessionService, transport), completion: createClient(CompletionService, transport) };
};
const user = (content: string) => ({ role: Role.USER, content });
/** The messages the upstream was sent, as role: content. */
const sent = (r: RecordedRequest | undefined) =>
  ((r?.body["messages"] ?? []) as { role: string; content: string }[]).map((m) => `${m.role}: ${m.content}`);
/** Answers each request with the text of its last message, so that answers can be matched to questions. */
const echoLast = (h: Harness) =>
  h.upstream.setScript((r) => {
    const messages = r.body["messages"] as { content: string }[] | undefined;
    return { text: `re: ${messages?.at(-1)?.content ?? ""}` };
  });

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  return ConnectError.from(
    await p.then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
}

async function stream(c: Client<typeof CompletionService>, req: Parameters<Client<typeof CompletionService>["streamComplete"]>[0]) {
  let text = "";
  for await (const ev of c.streamComplete(req)) if (ev.event.case === "delta") text += ev.event.value.text;
  return text;
}

describe("sessions", () => {
  it("continues a conversation: history and system prompt are sent, defaults applied, and each turn is recorded", async () => {
    const h = await start();
    const { sessions, completion } = clients(h);
    echoLast(h);
    const { session } = await sessions.createSession({
      user: "ann",
      systemPrompt: "Be brief.",
      model: "fast",
      defaults: { temperature: 0.3, maxTokens: 40 },
      metadata: { app: "docs" },
    });
    expect(session).toMatchObject({ owner: "ann", model: "fast", messageCount: 0n, ttlSeconds: 86_400, metadata: { app: "docs" } });
    const id = session!.id;

    const first = await completion.complete({ user: "ann", sessionId: id, messages: [user("Hi, I am Ann.")] });
    expect(first.completion?.message?.content).toBe("re: Hi, I am Ann.");
    expect(sent(h.upstream.requests[0])).toEqual(["system: Be brief.", "user: Hi, I am Ann."]);
    expect(h.upstream.requests[0]?.body).toMatchObject({ temperature: 0.3, max_tokens: 40, model: "gpt-4o-mini" });

    expect(await stream(completion, { user: "ann", sessionId: id, messages: [user("What is my name?")] })).toBe("re: What is my name?");
    expect(sent(h.upstream.requests[1])).toEqual([
      "system: Be brief.",
      "user: Hi, I am Ann.",
      "assistant: re: Hi, I am Ann.",
      "user: What is my name?",
    ]);

    const got = await sessions.getSession({ user: "ann", sessionId: id });
    expect(got.session?.messageCount).toBe(4n);
    expect(got.messages.map((m) => `${Role[m.message!.role]}: ${m.message!.content}`)).toEqual([
      "USER: Hi, I am Ann.",
      "ASSISTANT: re: Hi, I am Ann.",
      "USER: What is my name?",
      "ASSISTANT: re: What is my name?",
    ]);
    expect(got.messages.map((m) => m.index)).toEqual([0n, 1n, 2n, 3n]);
    expect(Number(got.session!.expireTime!.seconds)).toBeGreaterThan(Number(got.session!.createTime!.seconds) + 86_000);
  });

  it("pages messages and sessions, and appends and edits messages explicitly", async () => {
    const h = await start();
    const { sessions } = clients(h);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await sessions.createSession({ user: "pat" })).session!.id);
    const id = ids[0]!;
    await sessions.appendMessages({ user: "pat", sessionId: id, messages: [user("a"), { role: Role.ASSISTANT, content: "b" }, user("c")] });
    const edited = await sessions.updateMessage({ user: "pat", sessionId: id, index: 1n, message: { role: Role.ASSISTANT, content: "B" } });
    expect(edited.message).toMatchObject({ index: 1n, message: { content: "B" } });

    const page1 = await sessions.getSession({ user: "pat", sessionId: id, pageSize: 2 });
    expect(page1.messages.map((m) => m.message!.content)).toEqual(["a", "B"]);
    const page2 = await sessions.getSession({ user: "pat", sessionId: id, pageSize: 2, pageToken: page1.nextPageToken });
    expect(page2.messages.map((m) => m.message!.content)).toEqual(["c"]);
    expect(page2.nextPageToken).toBe("");

    const list1 = await sessions.listSessions({ user: "pat", pageSize: 2 });
    const list2 = await sessions.listSessions({ user: "pat", pageSize: 2, pageToken: list1.nextPageToken });
    expect([...list1.sessions, ...list2.sessions].map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(list2.nextPageToken).toBe("");
    expect((await sessions.listSessions({ user: "someone" })).sessions).toEqual([]);

    expect((await failure(sessions.getSession({ user: "pat", sessionId: id, pageToken: "bogus" }))).code).toBe(Code.InvalidArgument);
    expect((await failure(sessions.updateMessage({ user: "pat", sessionId: id, index: 9n, message: user("x") }))).code).toBe(
      Code.InvalidArgument,
    );
    expect((await failure(sessions.appendMessages({ user: "pat", sessionId: id, messages: [] }))).code).toBe(Code.InvalidArgument);
    expect((await failure(sessions.createSession({ user: "pat", model: "no-such-model" }))).code).toBe(Code.NotFound);
    await sessions.deleteSession({ user: "pat", sessionId: id });
    expect((await failure(sessions.getSession({ user: "pat", sessionId: id }))).code).toBe(Code.NotFound);
  });

  it("answers NotFound, the same way, for an unknown session, someone else's and an expired one", async () => {
    const h = await start();
    const { sessions, completion } = clients(h);
    const mine = (await sessions.createSession({ user: "ann" })).session!.id;
    const brief = (await sessions.createSession({ user: "ann", ttlSeconds: 1 })).session!.id;
    await new Promise((r) => setTimeout(r, 1_100));
    const calls: [string, Promise<unknown>][] = [
      ["unknown", sessions.getSession({ user: "ann", sessionId: "no-such-session" })],
      ["someone else's", sessions.getSession({ user: "eve", sessionId: mine })],
      ["someone else's, deleted", sessions.deleteSession({ user: "eve", sessionId: mine })],
      ["someone else's, appended", sessions.appendMessages({ user: "eve", sessionId: mine, messages: [user("x")] })],
      ["someone else's, completed", completion.complete({ user: "eve", sessionId: mine, messages: [user("x")] })],
      ["expired", sessions.getSession({ user: "ann", sessionId: brief })],
    ];
    for (const [what, call] of calls) {
      const err = await failure(call);
      expect(err.code, what).toBe(Code.NotFound);
      expect(err.findDetails(ErrorInfoSchema)[0]?.reason, what).toBe("SESSION_NOT_FOUND");
      expect(err.rawMessage, what).toMatch(/^session ".*" was not found$/);
    }
    // Eve's attempts changed nothing.
    expect((await sessions.getSession({ user: "ann", sessionId: mine })).session?.messageCount).toBe(0n);
    expect(h.upstream.requests).toHaveLength(0);
  });

  it("trims the oldest turns to fit the model's context window, keeping the system prompt and whole turns", async () => {
    const h = await start();
    const { sessions, completion } = clients(h);
    echoLast(h);
    const id = (await sessions.createSession({ user: "ann", systemPrompt: "You are terse.", model: "tiny" })).session!.id;
    const long = (i: number) => `turn ${i}: ${"lorem ipsum dolor sit amet ".repeat(6)}`;
    for (let i = 0; i < 10; i++) {
      await sessions.appendMessages({
        user: "ann",
        sessionId: id,
        messages: [user(long(i)), { role: Role.ASSISTANT, content: `ok ${i}` }],
      });
    }
    await completion.complete({ user: "ann", sessionId: id, messages: [user("And now?")] });
    const messages = sent(h.upstream.requests[0]);
    expect(messages[0]).toBe("system: You are terse.");
    expect(messages.at(-1)).toBe("user: And now?");
    // Some history went, the newest first kept, and never half a turn.
    const kept = messages.slice(1, -1);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(20);
    expect(kept.length % 2).toBe(0);
    expect(kept.at(-1)).toBe("assistant: ok 9");
    expect(kept[0]).toMatch(/^user: turn \d+:/);
    // The session itself keeps everything.
    expect((await sessions.getSession({ user: "ann", sessionId: id })).session?.messageCount).toBe(22n);
  });

  it("two replicas on one Redis completing on one session at the same time lose no message", async () => {
    const [a, b] = [await start({ store: "redis" }), await start({ store: "redis" })];
    echoLast(a);
    echoLast(b);
    const ca = clients(a);
    const cb = clients(b);
    const id = (await ca.sessions.createSession({ user: "ann" })).session!.id;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? ca : cb).completion.complete({ user: "ann", sessionId: id, messages: [user(`q${i}`)] }),
      ),
    );
    const all = (await cb.sessions.getSession({ user: "ann", sessionId: id, pageSize: 1000 })).messages.map((m) => m.message!.content);
    expect(all).toHaveLength(40);
    // Each question is followed by its own answer: appends never interleave.
    for (let i = 0; i < 40; i += 2) expect(all[i + 1]).toBe(`re: ${all[i]}`);
    expect(new Set(all.filter((_, i) => i % 2 === 0))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `q${i}`)));
  });
});

describe("session bounds", () => {
  it.each(["memory", "redis"])(
    "%s: a session holds at most maxMessagesPerSession messages; more is RESOURCE_EXHAUSTED, and nothing is appended",
    async (store) => {
      const h = await start({ store, maxMessagesPerSession: 3 });
      const { sessions, completion } = clients(h);
      const { session } = await sessions.createSession({ model: "gpt-test" });
      await sessions.appendMessages({ sessionId: session!.id, messages: [user("one"), user("two")] });
      const err = await failure(completion.complete({ sessionId: session!.id, messages: [user("three")] }));
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SESSION_TOO_LONG");
      expect((await sessions.getSession({ sessionId: session!.id })).session?.messageCount).toBe(2n);
      expect((await failure(sessions.appendMessages({ sessionId: session!.id, messages: [user("x"), user("y")] }))).code).toBe(
        Code.ResourceExhausted,
      );
    },
  );
});
