import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { bounded, ERROR_DOMAIN, GatewayError, isGatewayError, type GatewayErrorReason } from "../core/errors.js";
import type { Logger } from "../log.js";
import { callerGone, typedFrameworkError } from "./framework-errors.js";

export { bounded, ERROR_DOMAIN } from "../core/errors.js";

/**
 * The gRPC code of each reason. Upstream auth failures are not the caller's
 * Unauthenticated (its credentials are fine; ours are not), and upstream 429s
 * are Unavailable: retrying, here or elsewhere, can succeed.
 */
export const codeOfReason = {
  INVALID_REQUEST: Code.InvalidArgument,
  MODEL_NOT_FOUND: Code.NotFound,
  CAPABILITY_UNSUPPORTED: Code.InvalidArgument,
  UPSTREAM_AUTH_FAILED: Code.FailedPrecondition,
  IDEMPOTENCY_KEY_REUSED: Code.FailedPrecondition,
  UPSTREAM_BAD_REQUEST: Code.InvalidArgument,
  UPSTREAM_RATE_LIMITED: Code.Unavailable,
  UPSTREAM_UNAVAILABLE: Code.Unavailable,
  UPSTREAM_TIMEOUT: Code.DeadlineExceeded,
  STREAM_INTERRUPTED: Code.Unavailable,
  // The model wrote what was not asked for: the call may succeed if made again, and it is not the caller's fault.
  INVALID_OUTPUT: Code.Unavailable,
  CIRCUIT_OPEN: Code.Unavailable,
  RATE_LIMITED: Code.ResourceExhausted,
  CAPACITY_EXHAUSTED: Code.ResourceExhausted,
  LIMITER_UNAVAILABLE: Code.Unavailable,
  REQUEST_LOG_UNAVAILABLE: Code.Unavailable,
  DEADLINE_EXCEEDED: Code.DeadlineExceeded,
  CANCELLED: Code.Canceled,
  SHUTTING_DOWN: Code.Unavailable,
  SESSION_NOT_FOUND: Code.NotFound,
  UNAUTHENTICATED: Code.Unauthenticated,
  PERMISSION_DENIED: Code.PermissionDenied,
  MODEL_NOT_ALLOWED: Code.PermissionDenied,
  BUDGET_EXCEEDED: Code.ResourceExhausted,
  SESSION_UNAVAILABLE: Code.Unavailable,
  SESSION_TOO_LONG: Code.ResourceExhausted,
  SESSION_STORE_FULL: Code.ResourceExhausted,
  TOOL_NOT_FOUND: Code.NotFound,
  TOOL_FAILED: Code.Unavailable,
  TOOL_TIMEOUT: Code.DeadlineExceeded,
  NOT_FOUND: Code.NotFound,
  METHOD_NOT_ALLOWED: Code.Unimplemented,
  REQUEST_TOO_LARGE: Code.ResourceExhausted,
  UNSUPPORTED: Code.Unimplemented,
  CONFIG_REFUSED: Code.FailedPrecondition,
  INTERNAL: Code.Internal,
} as const satisfies Record<GatewayErrorReason, Code>;

/** Turns any error into the ConnectError a client receives, with one ErrorInfo (and RetryInfo when known). */
export function toConnectError(error: unknown): ConnectError {
  if (isGatewayError(error)) return fromGatewayError(error);
  if (error instanceof ConnectError) {
    // Errors the framework raises itself (bad protobuf, size limits, its own deadline) get our shape too.
    return typedFrameworkError(error);
  }
  // Writing to a caller that has gone surfaces as the socket's own error: the caller's doing.
  if (callerGone(error)) return fromGatewayError(new GatewayError("CANCELLED", "the caller went away", { cause: error }));
  return fromGatewayError(new GatewayError("INTERNAL", "internal error", { cause: error }));
}

// ErrorInfo metadata stays this small whatever went into it: it travels in HTTP/2 trailers.
const MAX_METADATA_VALUE = 256;
const MAX_METADATA_ENTRIES = 16;

/** ErrorInfo metadata, bounded in count, key and value length. */
export function boundedMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of Object.entries(metadata)) {
    if (n++ >= MAX_METADATA_ENTRIES) break;
    out[k.slice(0, 64)] = bounded(v, MAX_METADATA_VALUE);
  }
  return out;
}

function fromGatewayError(error: GatewayError): ConnectError {
  const metadata = boundedMetadata(error.metadata);
  const details: ConstructorParameters<typeof ConnectError>[3] = [];
  const headers = new Headers();
  if (error.retryAfterMs !== undefined) {
    const ms = Math.ceil(error.retryAfterMs);
    metadata["retry_after_ms"] = String(ms);
    details.push({ desc: RetryInfoSchema, value: create(RetryInfoSchema, { retryDelay: durationFromMs(ms) }) });
    headers.set("retry-after", String(Math.ceil(ms / 1000)));
  }
  details.unshift({ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: error.reason, domain: ERROR_DOMAIN, metadata }) });
  // Internal errors keep their cause to the logs; the client learns only that it was ours.
  const message = error.reason === "INTERNAL" ? "internal error" : bounded(error.message);
  return new ConnectError(message, codeOfReason[error.reason], headers, details, error);
}

/**
 * The interceptor that makes sure no raw Error reaches a client, for unary
 * calls and for errors thrown while a response stream is read, and logs
 * every failure once.
 */
export function errorInterceptor(logger: Logger): Interceptor {
  const report = failureReporter(logger);
  return (next) => async (req) => {
    const method = `${req.service.typeName}/${req.method.name}`;
    try {
      const res = await next(req);
      if (!res.stream) return res;
      return { ...res, message: mapStreamErrors(res.message, (e) => report(method, e)) };
    } catch (err) {
      throw report(method, err);
    }
  };
}

/**
 * Maps any error to what the client receives and logs it once: our own bugs at error level with
 * the cause's stack, everything else (bad input, the caller's doing, upstream failures) at info.
 * Every face uses it, so that a failure reads the same in the logs whichever way it came.
 */
export function failureReporter(logger: Logger): (method: string, error: unknown) => ConnectError {
  return (method, error) => {
    const mapped = toConnectError(error);
    const level = mapped.code === Code.Internal || mapped.code === Code.Unknown ? "error" : "info";
    logger[level]("call failed", {
      method,
      code: Code[mapped.code],
      reason: isGatewayError(error) ? error.reason : undefined,
      error: mapped.message,
      ...(level === "error" ? { cause: describe(error) } : {}),
    });
    return mapped;
  };
}

async function* mapStreamErrors<T>(source: AsyncIterable<T>, map: (e: unknown) => ConnectError): AsyncIterable<T> {
  try {
    yield* source;
  } catch (err) {
    throw map(err);
  }
}

function describe(error: unknown): string {
  const root = isGatewayError(error) && error.cause !== undefined ? error.cause : error;
  return root instanceof Error ? (root.stack ?? root.message) : String(root);
}
