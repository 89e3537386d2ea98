import type { Clock } from "../core/clock.js";
import { GatewayError } from "../core/errors.js";
import type { ChatMessage } from "../core/types.js";
import type { NewSession, SessionRecord, SessionStore, StoredMessage } from "./store.js";

interface Held {
  record: Omit<SessionRecord, "messageCount">;
  messages: StoredMessage[];
  bytes: number;
}

/** How much one replica's memory store may hold. */
export interface MemorySessionLimits {
  /** Live sessions at most. */
  maxSessions: number;
  /** Characters of stored messages at most, over all sessions. */
  maxChars: number;
}

export const DEFAULT_MEMORY_SESSION_LIMITS: MemorySessionLimits = { maxSessions: 100_000, maxChars: 64 * 1024 * 1024 };

const charsOf = (m: ChatMessage): number =>
  m.content.length +
  (m.name?.length ?? 0) +
  (m.reasoning?.length ?? 0) +
  (m.reasoningSignature?.length ?? 0) +
  // Inline images and files are the heaviest thing a message holds: their base64 counts in full (text parts are in content).
  (m.parts ?? []).reduce(
    (n, p) => n + (p.type === "text" ? 0 : ("data" in p ? (p.data?.length ?? 0) : 0) + ("url" in p ? (p.url?.length ?? 0) : 0)),
    0,
  ) +
  (m.toolCalls ?? []).reduce((n, c) => n + c.id.length + c.name.length + c.argumentsJson.length, 0);

const full = (what: string) =>
  new GatewayError(
    "SESSION_STORE_FULL",
    `the session store of this replica holds as much as it may (${what}); delete sessions or use the Redis store`,
    { retryAfterMs: 60_000 },
  );

/**
 * One replica's sessions, expiring on the injected clock, bounded in count
 * and size (callers create them: an unbounded store is a way to exhaust
 * memory). Sessions are indexed by owner, so listing one owner's is not a
 * walk over everyone's; expired sessions are swept as new ones come.
 */
export function createMemorySessionStore(clock: Clock, limits: MemorySessionLimits = DEFAULT_MEMORY_SESSION_LIMITS): SessionStore {
  const sessions = new Map<string, Held>();
  const byOwner = new Map<string, Set<string>>();
  // Unlisted records (stored responses), oldest first: what gives way when the store is full.
  const unlisted = new Set<string>();
  let chars = 0;
  let nextSweep = 0;

  function drop(id: string, held: Held): void {
    sessions.delete(id);
    unlisted.delete(id);
    chars -= held.bytes;
    const mine = byOwner.get(held.record.owner);
    mine?.delete(id);
    if (mine?.size === 0) byOwner.delete(held.record.owner);
  }

  function live(id: string): Held | undefined {
    const held = sessions.get(id);
    if (!held) return undefined;
    if (held.record.expiresAt <= clock.now()) {
      drop(id, held);
      return undefined;
    }
    return held;
  }

  /** Drops expired sessions, at most once a second of the clock's time. */
  function sweep(): void {
    const now = clock.now();
    if (now < nextSweep) return;
    nextSweep = now + 1000;
    for (const [id, held] of sessions) if (held.record.expiresAt <= now) drop(id, held);
  }

  /**
   * Makes room for `count` more records and `more` characters by dropping the oldest unlisted records
   * (stored responses, which expire anyway, like a cache's entries), never `keep` and never a session
   * someone created and may list: a full store of responses does not refuse sessions, nor new responses.
   */
  function makeRoom(count: number, more: number, keep?: string): void {
    if (sessions.size + count <= limits.maxSessions && chars + more <= limits.maxChars) return;
    sweep();
    for (const id of unlisted) {
      if (sessions.size + count <= limits.maxSessions && chars + more <= limits.maxChars) return;
      if (id !== keep) drop(id, sessions.get(id)!);
    }
  }

  const view = (h: Held): SessionRecord => structuredClone({ ...h.record, messageCount: h.messages.length });

  return {
    kind: "memory",
    async create(s: NewSession) {
      sweep();
      // The session's own text (system prompt, metadata) counts towards the store's size, like its messages.
      const own = s.systemPrompt.length + Object.entries(s.metadata).reduce((n, [k, v]) => n + k.length + v.length, 0);
      makeRoom(1, own);
      if (sessions.size >= limits.maxSessions) throw full(`${limits.maxSessions} sessions`);
      if (chars + own > limits.maxChars) throw full(`${limits.maxChars} characters`);
      const held: Held = {
        record: { ...structuredClone(s), updatedAt: s.createdAt, expiresAt: s.createdAt + s.ttlMs },
        messages: [],
        bytes: own,
      };
      chars += own;
      sessions.set(s.id, held);
      if (s.unlisted) unlisted.add(s.id);
      else {
        let mine = byOwner.get(s.owner);
        if (!mine) byOwner.set(s.owner, (mine = new Set()));
        mine.add(s.id);
      }
      return view(held);
    },
    async get(id) {
      const h = live(id);
      return h ? view(h) : undefined;
    },
    async messages(id, offset, limit) {
      return structuredClone(live(id)?.messages.slice(offset, offset + limit) ?? []);
    },
    async append(id, messages: readonly ChatMessage[], now) {
      const h = live(id);
      if (!h) return undefined;
      const added = messages.reduce((n, m) => n + charsOf(m), 0);
      if (chars + added > limits.maxChars) {
        makeRoom(0, added, id);
        if (chars + added > limits.maxChars) throw full(`${limits.maxChars} characters of messages`);
      }
      for (const m of messages) h.messages.push({ index: h.messages.length, message: structuredClone(m), updatedAt: now });
      h.bytes += added;
      chars += added;
      h.record.updatedAt = now;
      h.record.expiresAt = now + h.record.ttlMs;
      return view(h);
    },
    async update(id, index, message, now) {
      const h = live(id);
      if (!h || index < 0 || index >= h.messages.length) return undefined;
      const delta = charsOf(message) - charsOf(h.messages[index]!.message);
      if (delta > 0) makeRoom(0, delta, id);
      if (delta > 0 && chars + delta > limits.maxChars) throw full(`${limits.maxChars} characters of messages`);
      const stored: StoredMessage = { index, message: structuredClone(message), updatedAt: now };
      h.messages[index] = stored;
      h.bytes += delta;
      chars += delta;
      h.record.updatedAt = now;
      h.record.expiresAt = now + h.record.ttlMs;
      return structuredClone(stored);
    },
    async delete(id) {
      const h = live(id);
      if (!h) return false;
      drop(id, h);
      return true;
    },
    async list(owner, offset, limit) {
      const mine = [...(byOwner.get(owner) ?? [])]
        .map(live)
        .filter((h): h is Held => h !== undefined)
        .sort((a, b) => b.record.createdAt - a.record.createdAt || (a.record.id < b.record.id ? 1 : -1));
      return { sessions: mine.slice(offset, offset + limit).map(view), total: mine.length };
    },
    async close() {
      sessions.clear();
      byOwner.clear();
      unlisted.clear();
      chars = 0;
    },
  };
}
