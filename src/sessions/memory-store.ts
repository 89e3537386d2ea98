import type { Clock } from "../core/clock.js";
import type { ChatMessage } from "../core/types.js";
import type { NewSession, SessionRecord, SessionStore, StoredMessage } from "./store.js";

interface Held {
  record: Omit<SessionRecord, "messageCount">;
  messages: StoredMessage[];
}

/** One replica's sessions, expiring on the injected clock. */
export function createMemorySessionStore(clock: Clock): SessionStore {
  const sessions = new Map<string, Held>();

  function live(id: string): Held | undefined {
    const held = sessions.get(id);
    if (!held) return undefined;
    if (held.record.expiresAt <= clock.now()) {
      sessions.delete(id);
      return undefined;
    }
    return held;
  }

  const view = (h: Held): SessionRecord => structuredClone({ ...h.record, messageCount: h.messages.length });

  return {
    kind: "memory",
    async create(s: NewSession) {
      const held: Held = { record: { ...structuredClone(s), updatedAt: s.createdAt, expiresAt: s.createdAt + s.ttlMs }, messages: [] };
      sessions.set(s.id, held);
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
      for (const m of messages) h.messages.push({ index: h.messages.length, message: structuredClone(m), updatedAt: now });
      h.record.updatedAt = now;
      h.record.expiresAt = now + h.record.ttlMs;
      return view(h);
    },
    async update(id, index, message, now) {
      const h = live(id);
      if (!h || index < 0 || index >= h.messages.length) return undefined;
      const stored: StoredMessage = { index, message: structuredClone(message), updatedAt: now };
      h.messages[index] = stored;
      h.record.updatedAt = now;
      h.record.expiresAt = now + h.record.ttlMs;
      return structuredClone(stored);
    },
    async delete(id) {
      return live(id) !== undefined && sessions.delete(id);
    },
    async list(owner, offset, limit) {
      const mine = [...sessions.keys()]
        .map(live)
        .filter((h): h is Held => h !== undefined && h.record.owner === owner)
        .sort((a, b) => b.record.createdAt - a.record.createdAt || (a.record.id < b.record.id ? 1 : -1));
      return { sessions: mine.slice(offset, offset + limit).map(view), total: mine.length };
    },
    async close() {
      sessions.clear();
    },
  };
}
