import type { ChatMessage } from "../core/types.js";

/** A session's settings and state, without its messages. Times are wall-clock milliseconds. */
export interface SessionRecord {
  id: string;
  owner: string;
  systemPrompt: string;
  model: string;
  defaults: { temperature?: number; topP?: number; maxTokens?: number };
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  ttlMs: number;
  messageCount: number;
  /** Kept out of its owner's list (records that are not the caller's sessions, e.g. stored Responses). */
  unlisted?: true;
}

export interface StoredMessage {
  index: number;
  message: ChatMessage;
  updatedAt: number;
}

/** What a new session is made of; the store sets the rest. */
export type NewSession = Omit<SessionRecord, "updatedAt" | "expiresAt" | "messageCount">;

/**
 * Where sessions live: memory for one replica, Redis for replicas. Both pass
 * test/sessions/store-contract.test.ts. Every use refreshes a session's TTL;
 * an expired session reads as absent. Owner checks happen above the store.
 */
export interface SessionStore {
  readonly kind: "memory" | "redis";
  create(session: NewSession): Promise<SessionRecord>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Messages from `offset`, at most `limit`, oldest first. */
  messages(id: string, offset: number, limit: number): Promise<StoredMessage[]>;
  /** Adds messages at the end, all in one step, and refreshes the TTL; undefined if the session is gone. */
  append(id: string, messages: readonly ChatMessage[], now: number): Promise<SessionRecord | undefined>;
  /** Replaces the message at `index`; undefined if the session or the index is not there. */
  update(id: string, index: number, message: ChatMessage, now: number): Promise<StoredMessage | undefined>;
  delete(id: string): Promise<boolean>;
  /** An owner's sessions, newest first, from `offset`; `total` counts them all. */
  list(owner: string, offset: number, limit: number): Promise<{ sessions: SessionRecord[]; total: number }>;
  close(): Promise<void>;
}
