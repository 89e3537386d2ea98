import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { GatewayError, type GatewayErrorReason } from "../../src/core/errors.js";
import { ERROR_DOMAIN, toConnectError } from "../../src/server/error-mapper.js";

describe("error mapping", () => {
  it.each<[GatewayErrorReason, Code]>([
    ["INVALID_REQUEST", Code.InvalidArgument],
    ["MODEL_NOT_FOUND", Code.NotFound],
    ["CAPABILITY_UNSUPPORTED", Code.InvalidArgument],
    ["UPSTREAM_AUTH_FAILED", Code.FailedPrecondition],
    ["UPSTREAM_BAD_REQUEST", Code.InvalidArgument],
    ["UPSTREAM_RATE_LIMITED", Code.Unavailable],
    ["UPSTREAM_UNAVAILABLE", Code.Unavailable],
    ["UPSTREAM_TIMEOUT", Code.DeadlineExceeded],
    ["STREAM_INTERRUPTED", Code.Unavailable],
    ["CIRCUIT_OPEN", Code.Unavailable],
    ["RATE_LIMITED", Code.ResourceExhausted],
    ["LIMITER_UNAVAILABLE", Code.Unavailable],
    ["DEADLINE_EXCEEDED", Code.DeadlineExceeded],
    ["CANCELLED", Code.Canceled],
    ["SHUTTING_DOWN", Code.Unavailable],
    ["SESSION_NOT_FOUND", Code.NotFound],
    ["UNAUTHENTICATED", Code.Unauthenticated],
    ["PERMISSION_DENIED", Code.PermissionDenied],
    ["MODEL_NOT_ALLOWED", Code.PermissionDenied],
    ["BUDGET_EXCEEDED", Code.ResourceExhausted],
    ["SESSION_UNAVAILABLE", Code.Unavailable],
    ["TOOL_NOT_FOUND", Code.NotFound],
    ["TOOL_FAILED", Code.Unavailable],
    ["TOOL_TIMEOUT", Code.DeadlineExceeded],
    ["INTERNAL", Code.Internal],
  ])("%s becomes %s with one ErrorInfo", (reason, code) => {
    const err = toConnectError(new GatewayError(reason, "something", { metadata: { provider: "p" } }));
    expect(err.code).toBe(code);
    const infos = err.findDetails(ErrorInfoSchema);
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ reason, domain: ERROR_DOMAIN, metadata: { provider: "p" } });
  });

  it("never says Unauthenticated for a provider rejecting our key: the caller's credentials are fine", () => {
    expect(toConnectError(new GatewayError("UPSTREAM_AUTH_FAILED", "401")).code).not.toBe(Code.Unauthenticated);
  });

  it("carries a retry delay as RetryInfo, ErrorInfo metadata and a retry-after header", () => {
    const err = toConnectError(new GatewayError("UPSTREAM_RATE_LIMITED", "slow down", { retryAfterMs: 2500 }));
    expect(err.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 2n, nanos: 500_000_000 });
    expect(err.findDetails(ErrorInfoSchema)[0]?.metadata["retry_after_ms"]).toBe("2500");
    expect(err.metadata.get("retry-after")).toBe("3");
  });

  it("hides a raw Error behind Internal without leaking its message", () => {
    const err = toConnectError(new TypeError("cannot read properties of undefined (reading 'secret')"));
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe("internal error");
    expect(err.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INTERNAL");
  });

  it("gives framework errors the gateway's shape: malformed input is INVALID_ARGUMENT, never INTERNAL", () => {
    const parse = toConnectError(new ConnectError("parse binary: premature EOF", Code.Internal));
    expect(parse.code).toBe(Code.InvalidArgument);
    expect(parse.findDetails(ErrorInfoSchema)[0]).toMatchObject({
      reason: "INVALID_REQUEST",
      domain: ERROR_DOMAIN,
      metadata: { field: "body" },
    });
    const big = toConnectError(new ConnectError("message size 9 is larger than configured readMaxBytes 8", Code.ResourceExhausted));
    expect(big.code).toBe(Code.ResourceExhausted);
    expect(big.findDetails(ErrorInfoSchema)[0]?.reason).toBe("REQUEST_TOO_LARGE");
    const json = toConnectError(new ConnectError('cannot decode message from JSON: key "maxToken" is unknown', Code.InvalidArgument));
    expect(json.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INVALID_REQUEST");
    expect(json.message).toContain("maxToken");
  });

  it("passes an error that already has an ErrorInfo unchanged", () => {
    const ours = toConnectError(new GatewayError("RATE_LIMITED", "slow down", { retryAfterMs: 1000 }));
    expect(toConnectError(ours)).toBe(ours);
  });
});
