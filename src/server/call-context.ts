import { randomUUID } from "node:crypto";
import type { HandlerContext } from "@connectrpc/connect";
import type { CallContext } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { CALL_KEY, TENANT } from "./auth.js";
import { CALL_REPORT, OTEL_CONTEXT } from "./observe.js";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it sent a sane one, else a new one. */
export const requestIdOf = (offered: string | null | undefined): string => (offered && REQUEST_ID.test(offered) ? offered : randomUUID());

/**
 * Derives the core's call context from a handler context: the caller's
 * signal and deadline, and a request id (the caller's x-request-id when it
 * sent a sane one), echoed back as a response header.
 */
export function callContextOf(ctx: HandlerContext, clock: Clock): CallContext {
  const receivedAt = clock.monotonic();
  const timeoutMs = ctx.timeoutMs();
  const requestId = requestIdOf(ctx.requestHeader.get("x-request-id"));
  ctx.responseHeader.set("x-request-id", requestId);
  return {
    signal: ctx.signal,
    deadlineAt: timeoutMs === undefined ? undefined : receivedAt + timeoutMs,
    requestId,
    receivedAt,
    tenant: ctx.values.get(TENANT),
    key: ctx.values.get(CALL_KEY),
    otel: ctx.values.get(OTEL_CONTEXT),
    report: ctx.values.get(CALL_REPORT),
  };
}
