import { GatewayError, type GatewayErrorReason } from "../core/errors.js";

/** The parts of an SDK's HTTP error the gateway needs; both official SDKs expose them. */
export interface UpstreamHttpFailure {
  status: number | undefined;
  headers: Headers | Record<string, string | string[] | null | undefined> | undefined;
  message: string;
  /**
   * The provider's own error code, when it gave one: it goes to the error's metadata as upstream_code, so
   * that a refusal by Azure's content filter (code content_filter, a 400) can be told from a malformed request.
   */
  code?: string | null | undefined;
}

/**
 * Classifies an upstream HTTP failure. The caller's own credentials are
 * fine when the provider rejects ours, so auth failures are not the
 * caller's Unauthenticated: they say the gateway is misconfigured.
 */
export function upstreamHttpError(provider: string, failure: UpstreamHttpFailure, cause: unknown): GatewayError {
  const { status } = failure;
  let reason: GatewayErrorReason;
  if (status === 401 || status === 403) reason = "UPSTREAM_AUTH_FAILED";
  else if (status === 408) reason = "UPSTREAM_TIMEOUT";
  else if (status === 429) reason = "UPSTREAM_RATE_LIMITED";
  else if (status !== undefined && status >= 400 && status < 500) reason = "UPSTREAM_BAD_REQUEST";
  else reason = "UPSTREAM_UNAVAILABLE";
  const retryAfterMs = parseRetryAfter(failure.headers);
  const metadata: Record<string, string> = { provider };
  if (status !== undefined) metadata["upstream_status"] = String(status);
  if (failure.code) metadata["upstream_code"] = failure.code;
  return new GatewayError(reason, `${provider}: ${status ?? "error"} ${failure.message}`.trim(), {
    metadata,
    cause,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A connection that failed before or while the response arrived (refused, reset, DNS). */
export function upstreamConnectionError(provider: string, message: string, cause: unknown): GatewayError {
  return new GatewayError("UPSTREAM_UNAVAILABLE", `${provider}: connection failed: ${message}`, {
    metadata: { provider },
    cause,
  });
}

function header(headers: UpstreamHttpFailure["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | null | undefined>)[name];
  return (Array.isArray(value) ? value[0] : value) ?? undefined;
}

/** Reads retry-after-ms, then retry-after (seconds or an HTTP date). */
export function parseRetryAfter(headers: UpstreamHttpFailure["headers"], now = Date.now()): number | undefined {
  const ms = Number(header(headers, "retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0 && header(headers, "retry-after-ms") !== undefined) return ms;
  const value = header(headers, "retry-after");
  if (value === undefined || value === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Codes of Node's sockets and of undici for a connection that failed or broke.
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** The network error code of an error or of one of its causes, if it is a broken connection. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    // Fetch reports a body cut short as a bare TypeError("terminated") whose cause has the code.
    if (e.message === "terminated" && !(e.cause instanceof Error)) return "terminated";
  }
  return undefined;
}
