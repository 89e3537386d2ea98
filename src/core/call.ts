import type { Context } from "@opentelemetry/api";
import type { Clock } from "./clock.js";
import { GatewayError, isGatewayError } from "./errors.js";

/** Who a call is for, once its API key is known. */
export interface Tenant {
  name: string;
  admin: boolean;
  /** Its configured keys may manage its own runtime keys (KeyService). */
  keyAdmin?: boolean | undefined;
  /** Catalogue names it may use; undefined means every model. */
  allowedModels: ReadonlySet<string> | undefined;
  /** Its own limits; undefined means the gateway-wide ones. */
  limits:
    | { requestsPerMinute?: number | undefined; requestsPerHour?: number | undefined; tokensPerMinute?: number | undefined }
    | undefined;
  budget: { dailyUsd?: number | undefined; monthlyUsd?: number | undefined } | undefined;
  /** Its projects (teams) that have caps of their own, by name: a budget level between the tenant and its keys. */
  projects?: ReadonlyMap<string, Tenant["budget"]> | undefined;
  /** The caps of each of its end users (the request's `user`), since users are not declared. */
  userBudget?: Tenant["budget"];
}

/**
 * The API key a call came with, once known: a key from the configuration or
 * one made at run time through KeyService. Never the secret itself.
 */
export interface CallKey {
  /** A stable id to log, bill and limit by: a runtime key's id, or a configured key's digest prefix. */
  id: string;
  /** The project (team) within the tenant the key belongs to, if any: a budget level. */
  project?: string | undefined;
  /** The key's own narrowing of its tenant's: models, limits, budget. Undefined means the tenant's alone. */
  allowedModels?: ReadonlySet<string> | undefined;
  limits?: Tenant["limits"];
  budget?: Tenant["budget"];
  /** The priority of its calls among its tenant's waiting calls (0 to 9) when the request sets none; absent, 5. */
  priority?: number | undefined;
  /** What the key's creator attached to it, kept with every call's record. */
  metadata?: Readonly<Record<string, string>> | undefined;
}

/** What the core knows of the call it serves, whatever the transport. */
export interface CallContext {
  /** Aborts when the caller goes away or its deadline passes. */
  signal: AbortSignal;
  /** The caller's deadline as a Clock.monotonic() reading, if it set one. */
  deadlineAt?: number | undefined;
  /** The call's id, echoed in responses and logs. */
  requestId: string;
  /** When the gateway received the call, as a Clock.monotonic() reading. */
  receivedAt: number;
  /** The caller's tenant, once authenticated; absent or ANONYMOUS on an open gateway. */
  tenant?: Tenant | undefined;
  /** The caller's API key, once authenticated; absent on an open gateway. */
  key?: CallKey | undefined;
  /** The trace context of the call's span; the core's spans are its children. */
  otel?: Context | undefined;
  /** Filled by the core as the call is answered, for the face's access log line. */
  report?: CallReport | undefined;
}

/** What the access log says about a completion, beyond the transport's own fields. */
export interface CallReport {
  model?: string;
  provider?: string;
  cache?: string;
  input_tokens?: number;
  output_tokens?: number;
  /** Of input_tokens: read from and written to the provider's prompt cache; of output_tokens: reasoning. */
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  cost_usd?: number;
  /** The request's own metadata: kept with the call, as the contract says. */
  metadata?: Record<string, string>;
  /** The request's end user, and the id of the API key it came with. */
  user?: string;
  key_id?: string;
  /** For the request log only, never the access line: attempts, and content when log.prompts allows. */
  detail?: CallDetail;
}

/** What the request log keeps of a call beyond its access line. */
export interface CallDetail {
  attempts?: readonly { provider: string; model: string; errorReason?: string | undefined; latencyMs: number }[];
  /** The request's messages or inputs, and the answer: set only when log.prompts is on. */
  prompt?: unknown;
  answer?: unknown;
}

const MAX_NOTED = 256;

/** Notes who a call is for before anything can refuse it: a refused call is still logged with them. */
export function noteCaller(call: CallContext, model: string, user: string): void {
  const report = call.report;
  if (!report) return;
  // Not yet validated: a hostile model name or user is cut here, so that no log line carries it whole.
  if (report.model === undefined && model) report.model = model.slice(0, MAX_NOTED);
  if (user) report.user = user.slice(0, MAX_NOTED);
  if (call.key) report.key_id = call.key.id;
}

// A client whose deadline passes cancels its side at once, which reaches us a little before our own
// timer for the same deadline: an abort that close to the deadline is the deadline.
const DEADLINE_SLACK_MS = 100;

/**
 * The error for a call whose signal aborted: the reason itself when the
 * server gave one (shutting down, the REST client gone), else deadline
 * passed, or cancelled.
 */
export function callAbortedError(call: CallContext, clock: Clock, cause?: unknown, provider?: string): GatewayError {
  if (isGatewayError(call.signal.reason)) return call.signal.reason;
  const metadata: Record<string, string> = provider ? { provider } : {};
  const pastDeadline = call.deadlineAt !== undefined && clock.monotonic() >= call.deadlineAt - DEADLINE_SLACK_MS;
  return pastDeadline
    ? deadlineError(cause, provider)
    : new GatewayError("CANCELLED", "the caller cancelled the call", { metadata, cause });
}

/** The caller's deadline passed before an answer came. */
export function deadlineError(cause: unknown, provider?: string): GatewayError {
  return new GatewayError("DEADLINE_EXCEEDED", "the call's deadline passed before the provider answered", {
    metadata: provider ? { provider } : {},
    cause,
  });
}
