import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { GatewayError, invalidRequest } from "../core/errors.js";
import { isRecordId, type RequestLogStore, type RequestQuery, type StoredRecord } from "../request-log/store.js";
import {
  type ListRequestsRequest,
  type ListRequestsResponse,
  ListRequestsResponseSchema,
  RequestAttemptSchema,
  type RequestEntry,
  RequestEntrySchema,
} from "../../gen/ts/llmgateway/v1/admin_service_pb.js";
import { callKeyOf, tenantOf } from "./auth.js";

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;
const TOKEN_PREFIX = "r1:";

/** A page token: the id of the last entry sent, opaque to callers (base64url). */
const encodeToken = (id: string) => Buffer.from(TOKEN_PREFIX + id).toString("base64url");

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64url").toString();
  const id = text.slice(TOKEN_PREFIX.length);
  if (!text.startsWith(TOKEN_PREFIX) || !isRecordId(id)) throw invalidRequest("page_token", "is not a token this gateway gave");
  return id;
}

/**
 * AdminService.ListRequests: the request log, newest first. Admin keys see
 * every tenant's entries; any other key sees only its own tenant's, since a
 * tenant may audit its own calls but not another's. A runtime key (KeyService's,
 * never a configured `cfg-` one) sees only its own calls: such a key carries no
 * rights beyond calling models, so a leaked one must not read its tenant's
 * other keys' calls. A page token is the id
 * of the last entry sent, and ids only grow, so calls logged meanwhile never
 * shift a page.
 */
export function listRequests(store: RequestLogStore | undefined) {
  return async (req: ListRequestsRequest, ctx: HandlerContext): Promise<ListRequestsResponse> => {
    const caller = tenantOf(ctx);
    if (!caller.admin && req.tenant && req.tenant !== caller.name)
      throw new GatewayError("PERMISSION_DENIED", `tenant "${caller.name}" may read only its own requests`, {
        metadata: { tenant: caller.name },
      });
    const key = callKeyOf(ctx);
    const ownKeyOnly = !caller.admin && key !== undefined && !key.id.startsWith("cfg-");
    if (ownKeyOnly && req.keyId && req.keyId !== key.id)
      throw new GatewayError("PERMISSION_DENIED", `API key "${key.id}" may read only its own requests`, {
        metadata: { tenant: caller.name, key_id: key.id },
      });
    if (!store) throw new GatewayError("UNSUPPORTED", "the request log is off (requestLog.enabled: false)");
    if (req.pageSize < 0 || req.pageSize > MAX_PAGE) throw invalidRequest("page_size", `must be 0 to ${MAX_PAGE}`);
    if (req.fromTimeMs < 0n || req.toTimeMs < 0n) throw invalidRequest("from_time_ms", "must not be negative");
    const text = (s: string) => s || undefined;
    const query: RequestQuery = {
      pageSize: req.pageSize || DEFAULT_PAGE,
      before: req.pageToken ? decodeToken(req.pageToken) : undefined,
      fromMs: req.fromTimeMs ? Number(req.fromTimeMs) : undefined,
      toMs: req.toTimeMs ? Number(req.toTimeMs) : undefined,
      tenant: caller.admin ? text(req.tenant) : caller.name,
      keyId: ownKeyOnly ? key.id : text(req.keyId),
      user: text(req.user),
      model: text(req.model),
      provider: text(req.provider),
      status: text(req.status),
      cache: text(req.cache),
      requestId: text(req.requestId),
      minLatencyMs: req.minLatencyMs || undefined,
      minCostUsd: req.minCostUsd || undefined,
    };
    const page = await store.query(query).catch((err: unknown) => {
      throw new GatewayError("REQUEST_LOG_UNAVAILABLE", "the request log's store did not answer; try again", { cause: err });
    });
    return create(ListRequestsResponseSchema, {
      entries: page.records.map(toEntry),
      nextPageToken: page.next ? encodeToken(page.next) : "",
    });
  };
}

function toEntry(r: StoredRecord): RequestEntry {
  return create(RequestEntrySchema, {
    id: r.id,
    timeMs: BigInt(r.time),
    face: r.face,
    method: r.method,
    tenant: r.tenant,
    keyId: r.keyId ?? "",
    user: r.user ?? "",
    model: r.model ?? "",
    provider: r.provider ?? "",
    attempts: r.attempts.map((a) => create(RequestAttemptSchema, a)),
    inputTokens: BigInt(r.inputTokens),
    outputTokens: BigInt(r.outputTokens),
    cachedInputTokens: BigInt(r.cachedInputTokens),
    reasoningTokens: BigInt(r.reasoningTokens),
    costUsd: r.costUsd,
    latencyMs: r.latencyMs,
    code: r.code,
    reason: r.reason ?? "",
    httpStatus: r.httpStatus ?? 0,
    cache: r.cache ?? "",
    requestId: r.requestId,
    traceId: r.traceId ?? "",
    metadata: r.metadata ?? {},
    prompt: r.prompt ?? "",
    answer: r.answer ?? "",
  });
}
