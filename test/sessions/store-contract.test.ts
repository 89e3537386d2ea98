import { beforeEach, describe, expect, it } from "vitest";
import { createMemorySessionStore } from "../../src/sessions/memory-store.js";
import { createRedisSessionStore } from "../../src/sessions/redis-store.js";
import type { NewSession, SessionStore } from "../../src/sessions/store.js";
import { manualClock, type ManualClock } from "../support/manual-clock.js";
import { redisBackends } from "../support/redis-cluster.js";

interface Backend {
  store: SessionStore;
  /** The store's idea of now, in wall-clock ms. */
  now(): number;
  /** Lets `ms` pass as the store measures TTLs. */
  pass(ms: number): Promise<void>;
}

const backends: [string, () => Backend][] = [
  [
    "memory",
    () => {
      const clock: ManualClock = manualClock(Date.UTC(2026, 0, 1));
      return { store: createMemorySessionStore(clock), now: () => clock.now(), pass: async (ms) => clock.advance(ms) };
    },
  ],
  // Redis expires keys in real time.
  ...redisBackends(
    (client) => (): Backend => ({
      store: createRedisSessionStore(client()),
      now: () => Date.now(),
      pass: (ms) => new Promise((r) => setTimeout(r, ms)),
    }),
  ),
];

let n = 0;
const session = (b: Backend, over: Partial<NewSession> = {}): NewSession => ({
  id: `s${++n}-${Math.random().toString(36).slice(2)}`,
  owner: "ann",
  systemPrompt: "Be brief.",
  model: "gpt-test",
  defaults: { temperature: 0.2, maxTokens: 100 },
  metadata: { app: "docs" },
  createdAt: b.now(),
  ttlMs: 60_000,
  ...over,
});

describe.each(backends)("session store contract: %s", (_name, make) => {
  let b: Backend;
  beforeEach(() => {
    b = make();
  });

  it("creates and reads back a session with its settings and no messages", async () => {
    const s = session(b);
    const created = await b.store.create(s);
    expect(created).toMatchObject({ ...s, messageCount: 0, updatedAt: s.createdAt, expiresAt: s.createdAt + s.ttlMs });
    expect(await b.store.get(s.id)).toEqual(created);
    expect(await b.store.get("nope")).toBeUndefined();
  });

  it("appends messages in order, pages through them, and moves the expiry on", async () => {
    const s = session(b);
    await b.store.create(s);
    const later = s.createdAt + 1000;
    const after = await b.store.append(
      s.id,
      [
        { role: "user", content: "Hi ✓" },
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "clock", argumentsJson: "{}" }] },
        { role: "tool", content: "12:00", toolCallId: "c1" },
      ],
      later,
    );
    expect(after).toMatchObject({ messageCount: 3, updatedAt: later, expiresAt: later + s.ttlMs });
    const page = await b.store.messages(s.id, 1, 5);
    expect(page.map((m) => m.index)).toEqual([1, 2]);
    expect(page[0]!.message.toolCalls).toEqual([{ id: "c1", name: "clock", argumentsJson: "{}" }]);
    expect(page[1]).toEqual({ index: 2, message: { role: "tool", content: "12:00", toolCallId: "c1" }, updatedAt: later });
    expect(await b.store.append("nope", [{ role: "user", content: "x" }], later)).toBeUndefined();
  });

  it("replaces one message by index, and refuses an index that is not there", async () => {
    const s = session(b);
    await b.store.create(s);
    await b.store.append(
      s.id,
      [
        { role: "user", content: "one" },
        { role: "assistant", content: "two" },
      ],
      s.createdAt,
    );
    expect(await b.store.update(s.id, 1, { role: "assistant", content: "2" }, s.createdAt + 5)).toMatchObject({
      index: 1,
      message: { content: "2" },
    });
    expect((await b.store.messages(s.id, 0, 10)).map((m) => m.message.content)).toEqual(["one", "2"]);
    expect(await b.store.update(s.id, 2, { role: "user", content: "x" }, s.createdAt)).toBeUndefined();
    expect(await b.store.update(s.id, -1, { role: "user", content: "x" }, s.createdAt)).toBeUndefined();
  });

  it("forgets a session once its TTL has passed without use", async () => {
    const s = session(b, { ttlMs: 40 });
    await b.store.create(s);
    await b.store.append(s.id, [{ role: "user", content: "x" }], b.now());
    await b.pass(100);
    expect(await b.store.get(s.id)).toBeUndefined();
    expect(await b.store.messages(s.id, 0, 10)).toEqual([]);
    expect(await b.store.append(s.id, [{ role: "user", content: "y" }], b.now())).toBeUndefined();
  });

  it("lists an owner's sessions newest first, paged, and no one else's", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = session(b, { createdAt: b.now() + i, owner: "pat" });
      ids.push(s.id);
      await b.store.create(s);
    }
    await b.store.create(session(b, { owner: "someone else" }));
    const first = await b.store.list("pat", 0, 2);
    expect(first.total).toBe(5);
    expect(first.sessions.map((s) => s.id)).toEqual([ids[4], ids[3]]);
    expect((await b.store.list("pat", 4, 2)).sessions.map((s) => s.id)).toEqual([ids[0]]);
    expect(await b.store.delete(ids[2]!)).toBe(true);
    expect(await b.store.delete(ids[2]!)).toBe(false);
    expect((await b.store.list("pat", 0, 10)).total).toBe(4);
    expect(await b.store.get(ids[2]!)).toBeUndefined();
  });

  it("keeps an unlisted record out of its owner's list, yet reads, appends to and deletes it", async () => {
    const listed = session(b, { owner: "uma" });
    const hidden = session(b, { owner: "uma", unlisted: true });
    await b.store.create(listed);
    const created = await b.store.create(hidden);
    expect(created.unlisted).toBe(true);
    expect(await b.store.get(hidden.id)).toMatchObject({ id: hidden.id, owner: "uma", unlisted: true });
    expect((await b.store.list("uma", 0, 10)).sessions.map((s) => s.id)).toEqual([listed.id]);
    expect((await b.store.append(hidden.id, [{ role: "user", content: "hi" }], b.now()))?.messageCount).toBe(1);
    expect((await b.store.messages(hidden.id, 0, 10)).map((m) => m.message.content)).toEqual(["hi"]);
    expect(await b.store.delete(hidden.id)).toBe(true);
    expect(await b.store.get(hidden.id)).toBeUndefined();
  });

  it("loses no message when many appends run at once, and keeps each append's messages together", async () => {
    const s = session(b);
    await b.store.create(s);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        b.store.append(
          s.id,
          [
            { role: "user", content: `q${i}` },
            { role: "assistant", content: `a${i}` },
          ],
          b.now(),
        ),
      ),
    );
    const all = await b.store.messages(s.id, 0, 1000);
    expect(all).toHaveLength(100);
    for (let i = 0; i < 100; i += 2) expect(all[i + 1]!.message.content).toBe(all[i]!.message.content.replace("q", "a"));
    expect(new Set(all.map((m) => m.message.content)).size).toBe(100);
  });
});

describe("memory session store bounds", () => {
  const base = (id: string, owner = "ann"): NewSession => ({
    id,
    owner,
    systemPrompt: "",
    model: "",
    defaults: {},
    metadata: {},
    createdAt: Date.UTC(2026, 0, 1),
    ttlMs: 60_000,
  });

  it("refuses sessions and messages past its bounds with SESSION_STORE_FULL, and frees what expires or is deleted", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const store = createMemorySessionStore(clock, { maxSessions: 2, maxChars: 10 });
    await store.create(base("a"));
    await store.create(base("b"));
    await expect(store.create(base("c"))).rejects.toMatchObject({ reason: "SESSION_STORE_FULL" });
    await store.append("a", [{ role: "user", content: "12345678" }], clock.now());
    await expect(store.append("b", [{ role: "user", content: "123" }], clock.now())).rejects.toMatchObject({
      reason: "SESSION_STORE_FULL",
    });
    expect(await store.delete("a")).toBe(true);
    expect(await store.append("b", [{ role: "user", content: "123" }], clock.now())).toBeDefined();
    clock.advance(120_000);
    expect(await store.create(base("c"))).toBeDefined();
  });

  it("lists one owner's sessions without walking everyone's", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const store = createMemorySessionStore(clock);
    for (let i = 0; i < 50; i++) await store.create(base(`x${i}`, i % 2 ? "odd" : "even"));
    const { sessions, total } = await store.list("odd", 0, 100);
    expect(total).toBe(25);
    expect(sessions.every((s) => s.owner === "odd")).toBe(true);
  });
});
