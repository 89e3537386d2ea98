import { randomUUID } from "node:crypto";
import type { Catalog } from "../core/catalog.js";
import type { Clock } from "../core/clock.js";
import { echo, GatewayError, invalidRequest } from "../core/errors.js";
import { countMessageTokens, estimatePromptTokens } from "../core/tokens.js";
import type { ChatMessage, ChatRequest } from "../core/types.js";
import type { SessionRecord, SessionStore, StoredMessage } from "./store.js";

export interface SessionSettings {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  /** The longest history a completion loads; older messages are not read at all. */
  maxHistoryMessages: number;
  /** The most messages one session may hold; appending past it is refused. */
  maxMessagesPerSession: number;
}

export interface NewSessionInput {
  systemPrompt: string;
  model: string;
  defaults: SessionRecord["defaults"];
  ttlSeconds: number;
  metadata: Record<string, string>;
}

/** A completion continuing a session: the request to run, and how to record the turn once answered. */
export interface Continuation {
  request: ChatRequest;
  /** Messages of the history left out to fit the model's context window. */
  trimmed: number;
  /** Appends the new messages and the turn's answer (with any tool turns) in one step. */
  record(answer: readonly ChatMessage[]): Promise<void>;
}

export interface Sessions {
  readonly store: SessionStore;
  create(owner: string, input: NewSessionInput): Promise<SessionRecord>;
  get(owner: string, id: string): Promise<SessionRecord>;
  messages(owner: string, id: string, offset: number, limit: number): Promise<{ session: SessionRecord; messages: StoredMessage[] }>;
  list(owner: string, offset: number, limit: number): Promise<{ sessions: SessionRecord[]; total: number }>;
  delete(owner: string, id: string): Promise<void>;
  append(owner: string, id: string, messages: readonly ChatMessage[]): Promise<SessionRecord>;
  update(owner: string, id: string, index: number, message: ChatMessage): Promise<StoredMessage>;
  /** Continues a session for its owner: `owner` is the caller (tenant and user). */
  continue(request: ChatRequest & { sessionId: string }, owner: string): Promise<Continuation>;
}

const MAX_SYSTEM_PROMPT_CHARS = 256 * 1024;

const notFound = (id: string) =>
  // The same answer for unknown, expired and someone else's: no way to learn that a session exists.
  new GatewayError("SESSION_NOT_FOUND", `session ${echo(id)} was not found`, { metadata: { session_id: id } });

/** A store failure: the call fails rather than answer without its history or lose its turn. */
async function guarded<T>(op: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError("SESSION_UNAVAILABLE", `the session store failed (${op}); nothing was changed`, {
      cause: err,
      metadata: { op },
    });
  }
}

/**
 * Groups a history into turns: each user message starts one, and the
 * assistant and tool messages after it belong to it. Trimming drops whole
 * turns, so that no tool result is left without the call it answers.
 */
function turnStarts(history: readonly ChatMessage[]): number[] {
  const starts: number[] = [];
  history.forEach((m, i) => {
    if (i === 0 || m.role === "user") starts.push(i);
  });
  return starts;
}

export function createSessions(options: { store: SessionStore; catalog: Catalog; clock: Clock; settings: SessionSettings }): Sessions {
  const { store, catalog, clock, settings } = options;

  /** Refuses growing a session past its limit (a store holds what callers send: it must be bounded). */
  function roomFor(s: SessionRecord, adding: number): void {
    if (s.messageCount + adding > settings.maxMessagesPerSession) {
      throw new GatewayError(
        "SESSION_TOO_LONG",
        `session ${echo(s.id)} holds ${s.messageCount} messages; at most ${settings.maxMessagesPerSession} are kept: start a new session`,
        {
          metadata: { session_id: s.id, max_messages: String(settings.maxMessagesPerSession) },
        },
      );
    }
  }

  async function owned(owner: string, id: string): Promise<SessionRecord> {
    const s = await guarded("read", () => store.get(id));
    if (!s || s.owner !== owner) throw notFound(id);
    return s;
  }

  function ttlMs(seconds: number): number {
    if (seconds > settings.maxTtlSeconds) throw invalidRequest("ttl_seconds", `must be at most ${settings.maxTtlSeconds}`);
    return (seconds || settings.defaultTtlSeconds) * 1000;
  }

  /**
   * The history that fits: the system prompt and the new messages always go;
   * the oldest turns go first until the prompt and max_tokens fit the window.
   */
  async function fitHistory(
    system: ChatMessage[],
    history: ChatMessage[],
    fresh: readonly ChatMessage[],
    request: ChatRequest,
  ): Promise<{ kept: ChatMessage[]; trimmed: number }> {
    const model = catalog.resolve(request.model);
    const room = request.maxTokens ?? model.maxOutputTokens;
    const all = [...system, ...history, ...fresh];
    // Counting is exact but not free: only near the limit.
    if (estimatePromptTokens(all) + room <= model.contextWindow / 2) return { kept: history, trimmed: 0 };
    // Past the window nothing of the history fits, however far past: counting stops there.
    const fixed = (await countMessageTokens([...system, ...fresh], model.tokenizer, model.contextWindow)).tokens;
    let budget = model.contextWindow - room - fixed;
    const starts = turnStarts(history);
    // Keep turns from the newest back while they fit.
    let keepFrom = history.length;
    for (let t = starts.length - 1; t >= 0; t--) {
      const turn = history.slice(starts[t], keepFrom);
      const cost = (await countMessageTokens(turn, model.tokenizer, budget)).tokens;
      if (cost > budget) break;
      budget -= cost;
      keepFrom = starts[t]!;
    }
    return { kept: history.slice(keepFrom), trimmed: keepFrom };
  }

  return {
    store,

    async create(owner, input) {
      if (input.model) catalog.resolve(input.model);
      // What a session keeps besides its messages is bounded too.
      if (input.systemPrompt.length > MAX_SYSTEM_PROMPT_CHARS)
        throw invalidRequest("system_prompt", `at most ${MAX_SYSTEM_PROMPT_CHARS} characters`);
      const meta = Object.entries(input.metadata);
      if (meta.length > 16) throw invalidRequest("metadata", "at most 16 entries");
      for (const [k, v] of meta) {
        if (k.length === 0 || k.length > 64) throw invalidRequest("metadata", "keys must have 1 to 64 characters");
        if (v.length > 512) throw invalidRequest("metadata", "values must have at most 512 characters");
      }
      const now = clock.now();
      return guarded("create", () =>
        store.create({
          id: randomUUID(),
          owner,
          systemPrompt: input.systemPrompt,
          model: input.model,
          defaults: input.defaults,
          metadata: input.metadata,
          createdAt: now,
          ttlMs: ttlMs(input.ttlSeconds),
        }),
      );
    },

    get: owned,

    async messages(owner, id, offset, limit) {
      const session = await owned(owner, id);
      return { session, messages: await guarded("read", () => store.messages(id, offset, limit)) };
    },

    list: (owner, offset, limit) => guarded("list", () => store.list(owner, offset, limit)),

    async delete(owner, id) {
      await owned(owner, id);
      await guarded("delete", () => store.delete(id));
    },

    async append(owner, id, messages) {
      const s = await owned(owner, id);
      roomFor(s, messages.length);
      const after = await guarded("append", () => store.append(id, messages, clock.now()));
      if (!after) throw notFound(id);
      return after;
    },

    async update(owner, id, index, message) {
      const s = await owned(owner, id);
      if (index < 0 || index >= s.messageCount) throw invalidRequest("index", `must be between 0 and ${s.messageCount - 1}`);
      const stored = await guarded("update", () => store.update(id, index, message, clock.now()));
      if (!stored) throw notFound(id);
      return stored;
    },

    async continue(request, owner) {
      const id = request.sessionId;
      const s = await owned(owner, id);
      // Refused before the model is called: the turn (the new messages and at least an answer) must fit.
      roomFor(s, request.messages.length + 1);
      const from = Math.max(0, s.messageCount - settings.maxHistoryMessages);
      const history = (await guarded("read", () => store.messages(id, from, settings.maxHistoryMessages))).map((m) => m.message);
      const expanded: ChatRequest = { ...request, model: request.model || s.model };
      if (expanded.temperature === undefined && s.defaults.temperature !== undefined) expanded.temperature = s.defaults.temperature;
      if (expanded.topP === undefined && s.defaults.topP !== undefined) expanded.topP = s.defaults.topP;
      if (expanded.maxTokens === undefined && s.defaults.maxTokens !== undefined) expanded.maxTokens = s.defaults.maxTokens;
      // The request's own system message, if it has one, replaces the session's for this call.
      const ownSystem = request.messages.some((m) => m.role === "system");
      const system: ChatMessage[] = s.systemPrompt && !ownSystem ? [{ role: "system", content: s.systemPrompt }] : [];
      const { kept, trimmed } = await fitHistory(system, history, request.messages, expanded);
      expanded.messages = [...system, ...kept, ...request.messages];
      return {
        request: expanded,
        trimmed: trimmed + from,
        async record(answer) {
          roomFor(s, request.messages.length + answer.length);
          const after = await guarded("append", () => store.append(id, [...request.messages, ...answer], clock.now()));
          if (!after) throw notFound(id);
        },
      };
    },
  };
}
