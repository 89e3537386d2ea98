import { Code } from "@connectrpc/connect";
import type { CallReport } from "../core/call.js";
import type { Logger } from "../log.js";
import type { GatewayMetrics } from "../metrics.js";
import { toConnectError } from "./error-mapper.js";

/** One finished call, whatever face it came by. */
export interface AccessEntry {
  service: string;
  method: string;
  /** What it failed with; undefined when it succeeded. */
  error: unknown;
  seconds: number;
  requestId: string | undefined;
  traceId: string | undefined;
  tenant: string;
  /** What the core learned while answering (model, provider, tokens, cost, metadata). */
  report?: CallReport | undefined;
  /** The HTTP status, on the REST face. */
  status?: number | undefined;
  /** Health checks and reflection: counted, but no log line. */
  quiet?: boolean | undefined;
  /** The RPC protocol it came by (grpc, grpc-web, connect); the REST faces say theirs by service. */
  face?: string | undefined;
  /** When it ended, in ms since the epoch. */
  endedAt?: number | undefined;
}

const codeNames = new Map<Code, string>();

/** The status code of an outcome as a label: ok, canceled, deadline_exceeded, unavailable... */
export function codeLabel(error: unknown): string {
  if (error === undefined) return "ok";
  const code = toConnectError(error).code;
  let name = codeNames.get(code);
  if (!name) {
    name = Code[code].replace(/[A-Z]/g, (c, i: number) => (i ? "_" : "") + c.toLowerCase());
    codeNames.set(code, name);
  }
  return name;
}

/**
 * Counts every call in the RPC metrics and writes one access log line for
 * it: the same fields on every face, so that a call reads the same in the
 * logs whether it came over gRPC, Connect, gRPC-Web or REST.
 */
export function createAccessLog(
  metrics: GatewayMetrics,
  logger: Logger,
  requestLog?: (entry: AccessEntry, code: string) => void,
): (entry: AccessEntry) => string {
  return (e) => {
    const code = codeLabel(e.error);
    metrics.rpc(e.service, e.method, code, e.seconds);
    if (!e.quiet) {
      requestLog?.(e, code);
      const { detail: _, ...report } = e.report ?? {};
      logger.info("call", {
        method: `${e.service}/${e.method}`,
        code,
        ...(e.status === undefined ? {} : { status: e.status }),
        ms: Math.round(e.seconds * 10_000) / 10,
        request_id: e.requestId,
        trace_id: e.traceId,
        tenant: e.tenant,
        ...report,
      });
    }
    return code;
  };
}
