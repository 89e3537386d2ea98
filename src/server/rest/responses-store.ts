import type { Tenant } from "../../auth/tenants.js";
import type { Clock } from "../../core/clock.js";
import { echo, GatewayError } from "../../core/errors.js";
import type { ChatMessage } from "../../core/types.js";
import type { SessionSettings } from "../../sessions/sessions.js";
import type { SessionStore } from "../../sessions/store.js";

/** One stored response: its Response object and the conversation it ends. */
export interface StoredResponse {
  response: Record<string, unknown>;
}

/**
 * Stored Responses and their `previous_response_id` chains, in the session store (memory, or Redis
 * shared by replicas), each response an unlisted record of its tenant. A response holds the whole
 * conversation it ends (its chain's input and output items, never the instructions, which OpenAI
 * does not carry over): continuing from it is two reads (the record, its messages), whatever the
 * chain's length, on any replica. The price is storage: each response of a chain holds the chain
 * up to it, bounded by sessions.maxHistoryMessages messages (and, in memory, the store's size).
 */
export interface ResponsesStore {
  /** The Response object, or NOT_FOUND for an unknown, expired, deleted or another tenant's id. */
  get(tenant: Tenant, id: string, field?: string): Promise<StoredResponse>;
  /** The conversation a response ends, oldest first (two reads). */
  conversation(tenant: Tenant, id: string): Promise<ChatMessage[]>;
  /** What the response was asked with: its conversation without its own answer (the last message). */
  input(tenant: Tenant, id: string): Promise<ChatMessage[]>;
  save(
    tenant: Tenant,
    response: Record<string, unknown> & { id: string; model: string },
    conversation: readonly ChatMessage[],
  ): Promise<void>;
  delete(tenant: Tenant, id: string): Promise<void>;
  /** The most messages one stored conversation may hold. */
  readonly maxMessages: number;
}

const RESPONSE_KEY = "openai.response";

// Records of a tenant's responses, apart from any session owner the session service makes (tenant:user).
const ownerOf = (tenant: Tenant) => `responses\u0000${tenant.name}`;

const notFound = (id: string, field: string) =>
  // The same answer for unknown, expired, deleted and another tenant's: no way to learn that an id exists.
  new GatewayError("NOT_FOUND", `Response with id ${echo(id)} not found.`, { metadata: { field } });

/** A store failure: the call fails rather than answer without its history or lose its record. */
async function guarded<T>(op: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError("SESSION_UNAVAILABLE", `the response store failed (${op})`, { cause: err, metadata: { op } });
  }
}

export function createResponsesStore(options: {
  store: SessionStore;
  clock: Clock;
  settings: Pick<SessionSettings, "defaultTtlSeconds" | "maxHistoryMessages" | "maxMessagesPerSession">;
}): ResponsesStore {
  const { store, clock, settings } = options;
  const maxMessages = Math.min(settings.maxHistoryMessages, settings.maxMessagesPerSession);

  async function record(tenant: Tenant, id: string, field: string) {
    const r = await guarded("read", () => store.get(id));
    if (!r || r.owner !== ownerOf(tenant) || r.metadata[RESPONSE_KEY] === undefined) throw notFound(id, field);
    return r;
  }

  return {
    maxMessages,
    async get(tenant, id, field = "response_id") {
      const r = await record(tenant, id, field);
      return { response: JSON.parse(r.metadata[RESPONSE_KEY]!) as Record<string, unknown> };
    },
    async conversation(tenant, id) {
      const r = await record(tenant, id, "previous_response_id");
      const stored = await guarded("read", () => store.messages(id, 0, Math.min(r.messageCount, maxMessages)));
      return stored.map((m) => m.message);
    },
    async input(tenant, id) {
      const r = await record(tenant, id, "response_id");
      const stored = await guarded("read", () => store.messages(id, 0, Math.max(0, Math.min(r.messageCount, maxMessages) - 1)));
      return stored.map((m) => m.message);
    },
    async save(tenant, response, conversation) {
      const now = clock.now();
      await guarded("write", async () => {
        await store.create({
          id: response.id,
          owner: ownerOf(tenant),
          systemPrompt: "",
          model: response.model,
          defaults: {},
          metadata: { [RESPONSE_KEY]: JSON.stringify(response) },
          createdAt: now,
          ttlMs: settings.defaultTtlSeconds * 1000,
          unlisted: true,
        });
        if (conversation.length > 0) await store.append(response.id, conversation, now);
      });
    },
    async delete(tenant, id) {
      await record(tenant, id, "response_id");
      await guarded("delete", () => store.delete(id));
    },
  };
}
