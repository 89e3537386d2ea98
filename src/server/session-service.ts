import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { invalidRequest } from "../core/errors.js";
import type { SessionRecord, StoredMessage } from "../sessions/store.js";
import type { Sessions } from "../sessions/sessions.js";
import {
  AppendMessagesResponseSchema,
  CreateSessionResponseSchema,
  DeleteSessionResponseSchema,
  GetSessionResponseSchema,
  ListSessionsResponseSchema,
  SessionMessageSchema,
  SessionSchema,
  type SessionService,
  UpdateMessageResponseSchema,
  type Session,
  type SessionMessage,
} from "../../gen/ts/llmgateway/v1/session_service_pb.js";
import type { Message } from "../../gen/ts/llmgateway/v1/types_pb.js";
import { toChatMessages, toMessage } from "./convert.js";
import { principalOf, tenantOf } from "./auth.js";
import { assertModelAllowed } from "../auth/tenants.js";
import type { Catalog } from "../core/catalog.js";
import type { HandlerContext } from "@connectrpc/connect";

/** The caller: its tenant and, within it, the request's user. */
const ownerOf = (ctx: HandlerContext, user: string): string => principalOf(tenantOf(ctx), user);

/** Page tokens are opaque to callers: an offset, tagged so that a token from elsewhere is refused. */
const encodeToken = (offset: number): string => Buffer.from(`o:${offset}`).toString("base64url");
function decodeToken(token: string): number {
  if (!token) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(token, "base64url").toString());
  if (!m) throw invalidRequest("page_token", "is not a token this service issued");
  return Number(m[1]);
}

function pageSize(requested: number, fallback: number, max: number): number {
  if (requested < 0) throw invalidRequest("page_size", "must not be negative");
  return Math.min(requested || fallback, max);
}

function requireId(id: string): string {
  if (!id) throw invalidRequest("session_id", "must be set");
  return id;
}

function oneMessage(m: Message | undefined, field: string) {
  if (!m) throw invalidRequest(field, "must be set");
  return toChatMessages([m])[0]!;
}

export function toSession(s: SessionRecord): Session {
  const defaults: Record<string, number> = {};
  if (s.defaults.temperature !== undefined) defaults["temperature"] = s.defaults.temperature;
  if (s.defaults.topP !== undefined) defaults["topP"] = s.defaults.topP;
  if (s.defaults.maxTokens !== undefined) defaults["maxTokens"] = s.defaults.maxTokens;
  return create(SessionSchema, {
    id: s.id,
    owner: s.owner,
    systemPrompt: s.systemPrompt,
    model: s.model,
    defaults,
    metadata: s.metadata,
    createTime: timestampFromMs(s.createdAt),
    updateTime: timestampFromMs(s.updatedAt),
    expireTime: timestampFromMs(s.expiresAt),
    ttlSeconds: Math.round(s.ttlMs / 1000),
    messageCount: BigInt(s.messageCount),
  });
}

const toSessionMessage = (m: StoredMessage): SessionMessage =>
  create(SessionMessageSchema, { index: BigInt(m.index), message: toMessage(m.message), updateTime: timestampFromMs(m.updatedAt) });

/** The SessionService: checks input, calls the sessions core, converts back. */
export function createSessionService(sessions: Sessions, catalog: Catalog): ServiceImpl<typeof SessionService> {
  return {
    async createSession(req, ctx) {
      // A session's model is the one its completions will use: the tenant must be allowed it now, not only then.
      if (req.model) assertModelAllowed(tenantOf(ctx), catalog.resolve(req.model).name);
      const defaults: SessionRecord["defaults"] = {};
      if (req.defaults?.temperature !== undefined) defaults.temperature = req.defaults.temperature;
      if (req.defaults?.topP !== undefined) defaults.topP = req.defaults.topP;
      if (req.defaults?.maxTokens !== undefined) {
        if (req.defaults.maxTokens <= 0) throw invalidRequest("defaults.max_tokens", "must be positive");
        defaults.maxTokens = req.defaults.maxTokens;
      }
      const session = await sessions.create(ownerOf(ctx, req.user), {
        systemPrompt: req.systemPrompt,
        model: req.model,
        defaults,
        ttlSeconds: req.ttlSeconds,
        metadata: req.metadata,
      });
      return create(CreateSessionResponseSchema, { session: toSession(session) });
    },

    async getSession(req, ctx) {
      const size = pageSize(req.pageSize, 100, 1000);
      const offset = decodeToken(req.pageToken);
      const { session, messages } = await sessions.messages(ownerOf(ctx, req.user), requireId(req.sessionId), offset, size);
      const next = offset + messages.length < session.messageCount ? encodeToken(offset + messages.length) : "";
      return create(GetSessionResponseSchema, {
        session: toSession(session),
        messages: messages.map(toSessionMessage),
        nextPageToken: next,
      });
    },

    async listSessions(req, ctx) {
      const size = pageSize(req.pageSize, 50, 500);
      const offset = decodeToken(req.pageToken);
      const { sessions: page, total } = await sessions.list(ownerOf(ctx, req.user), offset, size);
      const next = offset + page.length < total ? encodeToken(offset + page.length) : "";
      return create(ListSessionsResponseSchema, { sessions: page.map(toSession), nextPageToken: next });
    },

    async deleteSession(req, ctx) {
      await sessions.delete(ownerOf(ctx, req.user), requireId(req.sessionId));
      return create(DeleteSessionResponseSchema, {});
    },

    async appendMessages(req, ctx) {
      if (req.messages.length === 0) throw invalidRequest("messages", "must not be empty");
      const session = await sessions.append(ownerOf(ctx, req.user), requireId(req.sessionId), toChatMessages(req.messages));
      return create(AppendMessagesResponseSchema, { session: toSession(session) });
    },

    async updateMessage(req, ctx) {
      if (req.index > BigInt(Number.MAX_SAFE_INTEGER) || req.index < 0n) throw invalidRequest("index", "must be a message's position");
      const stored = await sessions.update(
        ownerOf(ctx, req.user),
        requireId(req.sessionId),
        Number(req.index),
        oneMessage(req.message, "message"),
      );
      return create(UpdateMessageResponseSchema, { message: toSessionMessage(stored) });
    },
  };
}
