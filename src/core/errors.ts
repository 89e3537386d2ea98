/**
 * The reasons a gateway call can fail. Each becomes the `reason` of the
 * google.rpc.ErrorInfo a client receives, so they are part of the contract:
 * add new ones, never rename.
 */
export type GatewayErrorReason =
  | "INVALID_REQUEST"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "MODEL_NOT_ALLOWED"
  | "BUDGET_EXCEEDED"
  | "MODEL_NOT_FOUND"
  | "CAPABILITY_UNSUPPORTED"
  | "UPSTREAM_AUTH_FAILED"
  | "UPSTREAM_BAD_REQUEST"
  | "UPSTREAM_RATE_LIMITED"
  | "UPSTREAM_UNAVAILABLE"
  | "UPSTREAM_TIMEOUT"
  | "STREAM_INTERRUPTED"
  /** The model's answer does not conform to the response format asked for. */
  | "INVALID_OUTPUT"
  | "CIRCUIT_OPEN"
  | "RATE_LIMITED"
  /** Every slot of a deployment's concurrency cap is taken and the wait for one would outlive the call's deadline. */
  | "CAPACITY_EXHAUSTED"
  | "LIMITER_UNAVAILABLE"
  /** The request log's store did not answer a query (writes never fail a call). */
  | "REQUEST_LOG_UNAVAILABLE"
  | "DEADLINE_EXCEEDED"
  | "CANCELLED"
  | "SHUTTING_DOWN"
  | "SESSION_NOT_FOUND"
  | "SESSION_UNAVAILABLE"
  | "SESSION_TOO_LONG"
  | "SESSION_STORE_FULL"
  | "TOOL_NOT_FOUND"
  | "TOOL_FAILED"
  | "TOOL_TIMEOUT"
  | "NOT_FOUND"
  /** An idempotency key was sent again with a different request. */
  | "IDEMPOTENCY_KEY_REUSED"
  | "METHOD_NOT_ALLOWED"
  | "REQUEST_TOO_LARGE"
  | "UNSUPPORTED"
  /** A configuration reload was refused: the new configuration is invalid or needs a restart. */
  | "CONFIG_REFUSED"
  | "INTERNAL";

/** Options of a GatewayError beyond its reason and message. */
export interface GatewayErrorOptions {
  /** How long the caller should wait before trying again, when known. */
  retryAfterMs?: number;
  /** Extra key-value pairs for the ErrorInfo metadata (provider, status, field...). */
  metadata?: Record<string, string>;
  /** The error this one explains. */
  cause?: unknown;
}

/** The ErrorInfo domain of every error the gateway sends. */
export const ERROR_DOMAIN = "llm-gateway";

/**
 * The one error type the core throws. Transports turn it into their own
 * error format (see src/server/error-mapper.ts); nothing else may reach a client.
 */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly reason: GatewayErrorReason;
  readonly retryAfterMs: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;

  constructor(reason: GatewayErrorReason, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.retryAfterMs = options.retryAfterMs;
    this.metadata = options.metadata ?? {};
  }
}

/** Reports whether a value is a GatewayError, across module copies too. */
export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError || (value instanceof Error && value.name === "GatewayError" && "reason" in value);
}

// What each reason says about whose doing a failure was. Routing, retries, breakers, health and
// statistics all ask these, so that they never disagree.

const PROVIDER_FAULTS: ReadonlySet<GatewayErrorReason> = new Set([
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_TIMEOUT",
  "UPSTREAM_AUTH_FAILED",
  "STREAM_INTERRUPTED",
]);
// A non-conforming answer is the model's failure, not the deployment's health: another attempt may
// conform, but it trips no breaker.
const FALLBACK: ReadonlySet<GatewayErrorReason> = new Set([
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_TIMEOUT",
  "UPSTREAM_AUTH_FAILED",
  "INVALID_OUTPUT",
  // Another deployment may have a free slot; the full one is not at fault, so no breaker hears of it.
  "CAPACITY_EXHAUSTED",
]);
const RETRYABLE: ReadonlySet<GatewayErrorReason> = new Set([
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_TIMEOUT",
  "INVALID_OUTPUT",
]);
const CALLER_ENDED: ReadonlySet<GatewayErrorReason> = new Set(["CANCELLED", "DEADLINE_EXCEEDED", "SHUTTING_DOWN"]);

/** The provider failed: it counts against the deployment's breaker, statistics and health. */
export const isProviderFault = (reason: GatewayErrorReason): boolean => PROVIDER_FAULTS.has(reason);

/** Another deployment may not share the failure, so the next one is tried. Bad requests would fail everywhere. */
export const isFallbackWorthy = (reason: GatewayErrorReason): boolean => FALLBACK.has(reason);

/** The same deployment may answer if asked again after a while. An auth failure will not pass by itself. */
export const isRetryable = (reason: GatewayErrorReason): boolean => RETRYABLE.has(reason);

/**
 * The call ended on the caller's side (it cancelled, its deadline passed, or
 * the gateway is shutting down): nobody is left to answer, and no provider is to blame.
 */
export const isCallerEnded = (reason: GatewayErrorReason): boolean => CALLER_ENDED.has(reason);

/**
 * A value the caller sent, quoted for an error message or a log line and cut
 * to a bounded length: a megabyte-long model name must not become a megabyte
 * of error (or a header too big to send).
 */
export function echo(value: string, max = 64): string {
  if (value.length <= max) return JSON.stringify(value);
  const cut = (value.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max;
  return `${JSON.stringify(value.slice(0, cut))}… (${value.length - cut} more characters)`;
}

/** Cuts text (an error message) to `max` characters, saying so: errors travel in size-limited HTTP/2 trailers. */
export function bounded(text: string, max = 1024): string {
  // Well-formed whatever went in: a lone surrogate cannot be percent-encoded into a grpc-message.
  if (text.length <= max) return text.toWellFormed();
  const cut = (text.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max;
  return `${text.slice(0, cut).toWellFormed()}… (${text.length - cut} more characters)`;
}

/** Shorthand for the most common case: the caller's request is wrong. */
export function invalidRequest(field: string, message: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", `${field}: ${message}`, { metadata: { field } });
}
