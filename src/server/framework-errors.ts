import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { bounded, ERROR_DOMAIN, type GatewayErrorReason } from "../core/errors.js";

const ERROR_INFO = ErrorInfoSchema.typeName;

/** True when an error already says why in the gateway's terms (every error of ours does). */
export function hasErrorInfo(error: ConnectError): boolean {
  return error.details.some((d) => ("desc" in d ? d.desc.typeName : d.type) === ERROR_INFO);
}

// What the framework (connect-es) reports as INTERNAL while reading a request is the request's
// fault: bytes that are not protobuf, broken envelopes, bad compression.
const MALFORMED = /^(parse binary|cannot decode|protocol error|invalid|decompress|.*compressed|.*envelope)/i;

// Writing to a caller that has gone (it reset the stream, closed the connection): its doing, not ours.
const GONE =
  /\b(ECANCELED|EPIPE|ECONNRESET|ERR_STREAM_DESTROYED|ERR_STREAM_WRITE_AFTER_END|ERR_HTTP2_STREAM_CANCEL|ERR_HTTP2_INVALID_STREAM|ERR_STREAM_PREMATURE_CLOSE)\b/;

/** True for the error a write gets when the caller has gone (reset the stream, closed the connection). */
export function callerGone(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return GONE.test(typeof code === "string" ? code : error.message);
}

/**
 * Gives an error the framework raised by itself (before or around our
 * handlers: unreadable protobuf or JSON, unknown JSON fields, broken
 * envelopes, oversized messages, bad compression) the shape of the gateway's
 * own errors: the right code (a request that cannot be read is
 * INVALID_ARGUMENT, never INTERNAL) and an ErrorInfo reason. Errors that
 * already carry an ErrorInfo pass unchanged.
 */
export function typedFrameworkError(error: ConnectError): ConnectError {
  if (hasErrorInfo(error)) return error;
  let code = error.code;
  let reason: GatewayErrorReason;
  const message = error.rawMessage;
  switch (code) {
    case Code.Internal:
    case Code.Unknown:
      if (GONE.test(message)) {
        code = Code.Canceled;
        reason = "CANCELLED";
      } else if (MALFORMED.test(message)) {
        code = Code.InvalidArgument;
        reason = "INVALID_REQUEST";
      } else {
        reason = "INTERNAL";
      }
      break;
    case Code.InvalidArgument:
      reason = "INVALID_REQUEST";
      break;
    case Code.Unimplemented:
      // "missing input message" and "extra input message" are malformed requests; an unknown encoding is unsupported.
      if (message.startsWith("protocol error")) {
        code = Code.InvalidArgument;
        reason = "INVALID_REQUEST";
      } else {
        reason = "UNSUPPORTED";
      }
      break;
    case Code.ResourceExhausted:
      reason = "REQUEST_TOO_LARGE";
      break;
    case Code.DeadlineExceeded:
      reason = "DEADLINE_EXCEEDED";
      break;
    case Code.Canceled:
      reason = "CANCELLED";
      break;
    default:
      reason = "INTERNAL";
  }
  const metadata: Record<string, string> = code === Code.InvalidArgument ? { field: "body" } : {};
  const info = create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN, metadata });
  return new ConnectError(
    bounded(reason === "INTERNAL" && code === Code.Internal ? "internal error" : message, 512),
    code,
    error.metadata,
    [{ desc: ErrorInfoSchema, value: info }],
    error,
  );
}
