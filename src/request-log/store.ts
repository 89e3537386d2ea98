/** One attempt at a deployment within a call: where it went and how it ended. */
export interface RequestAttempt {
  provider: string;
  model: string;
  /** "ok", or the error reason it failed with (UPSTREAM_TIMEOUT...). */
  outcome: string;
  latencyMs: number;
}

/** What the request log keeps of one call: metadata, and its content only when log.prompts allows. */
export interface RequestRecord {
  /** When the gateway received the call, in ms since the epoch. */
  time: number;
  /** grpc, grpc-web, connect, rest-openai, rest-anthropic or responses. */
  face: string;
  /** Service/Method for RPCs, the route's name on REST (chat.completions, messages, embeddings...). */
  method: string;
  tenant: string;
  keyId?: string | undefined;
  user?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  attempts: RequestAttempt[];
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  latencyMs: number;
  /** The gRPC status code as a label: ok, invalid_argument, resource_exhausted... */
  code: string;
  /** The ErrorInfo reason, when it failed. */
  reason?: string | undefined;
  /** The HTTP status, on the REST faces. */
  httpStatus?: number | undefined;
  /** miss, hit, semantic_hit, coalesced, disabled..., when the call reached the cache. */
  cache?: string | undefined;
  requestId: string;
  traceId?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /** The messages (or embedding inputs) as JSON, cut to requestLog.maxContentChars; only with log.prompts. */
  prompt?: string | undefined;
  /** The answer's text, cut likewise; only with log.prompts. */
  answer?: string | undefined;
}

/** A kept record and its id: ids grow with every append, across replicas on a shared store. */
export interface StoredRecord extends RequestRecord {
  id: string;
}

/** Which records a query wants; every field set must match. */
export interface RequestFilter {
  fromMs?: number | undefined;
  toMs?: number | undefined;
  tenant?: string | undefined;
  keyId?: string | undefined;
  user?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  /** ok: succeeded; error: failed; or a code label (resource_exhausted...). */
  status?: string | undefined;
  cache?: string | undefined;
  requestId?: string | undefined;
  minLatencyMs?: number | undefined;
  minCostUsd?: number | undefined;
}

export interface RequestQuery extends RequestFilter {
  /** At most this many records (the store may also stop early after a bounded scan; see RequestPage.next). */
  pageSize: number;
  /** Only records older than this id: the previous page's `next`. */
  before?: string | undefined;
}

export interface RequestPage {
  /** Newest first. */
  records: StoredRecord[];
  /** Where the next page starts; absent when there is nothing older. */
  next?: string | undefined;
}

/** What keeps the log; a memory ring or a Redis stream behind the same contract. */
export interface RequestLogStore {
  append(records: readonly RequestRecord[]): Promise<void>;
  query(q: RequestQuery): Promise<RequestPage>;
}

/** How long and how many records are kept. */
export interface Retention {
  maxEntries: number;
  maxAgeMs: number;
}

/** How many records one query reads at most before it returns what it found and where to go on. */
export const SCAN_LIMIT = 5_000;

/** Whether a record passes a filter. */
export function matches(r: RequestRecord, f: RequestFilter): boolean {
  if (f.fromMs !== undefined && r.time < f.fromMs) return false;
  if (f.toMs !== undefined && r.time >= f.toMs) return false;
  if (f.tenant !== undefined && r.tenant !== f.tenant) return false;
  if (f.keyId !== undefined && r.keyId !== f.keyId) return false;
  if (f.user !== undefined && r.user !== f.user) return false;
  if (f.model !== undefined && r.model !== f.model) return false;
  if (f.provider !== undefined && r.provider !== f.provider) return false;
  if (f.cache !== undefined && r.cache !== f.cache) return false;
  if (f.requestId !== undefined && r.requestId !== f.requestId) return false;
  if (f.minLatencyMs !== undefined && r.latencyMs < f.minLatencyMs) return false;
  if (f.minCostUsd !== undefined && r.costUsd < f.minCostUsd) return false;
  if (f.status === "ok") return r.code === "ok";
  if (f.status === "error") return r.code !== "ok";
  return f.status === undefined || r.code === f.status;
}

/** Ids are "<ms>-<seq>", as Redis stream ids are; this compares them as numbers. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am === bm ? as - bs : am - bm;
}

/** Whether a string is an id this log could have made. */
export const isRecordId = (s: string): boolean => /^\d{1,16}-\d{1,16}$/.test(s);
