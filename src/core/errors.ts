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
  | "CIRCUIT_OPEN"
  | "RATE_LIMITED"
  | "LIMITER_UNAVAILABLE"
  | "DEADLINE_EXCEEDED"
  | "CANCELLED"
  | "SHUTTING_DOWN"
  | "SESSION_NOT_FOUND"
  | "SESSION_UNAVAILABLE"
  | "TOOL_NOT_FOUND"
  | "TOOL_FAILED"
  | "TOOL_TIMEOUT"
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

/** Shorthand for the most common case: the caller's request is wrong. */
export function invalidRequest(field: string, message: string): GatewayError {
  return new GatewayError("INVALID_REQUEST", `${field}: ${message}`, { metadata: { field } });
}
