import { SpanKind, trace, type Context } from "@opentelemetry/api";
import { createContextKey, type Interceptor } from "@connectrpc/connect";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import type { CallReport } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import { endSpan, extractContext, traceIdOf, tracer } from "../telemetry.js";
import type { Logger } from "../log.js";
import type { GatewayMetrics } from "../metrics.js";
import { createAccessLog } from "./access-log.js";
import { toConnectError } from "./error-mapper.js";
import { TENANT } from "./auth.js";

/** The trace context of the call's span, for the core's child spans. */
export const OTEL_CONTEXT = createContextKey<Context>(ROOT_CONTEXT, { description: "the call's trace context" });

/** What the core reports about the call (model, provider, tokens...), for its access log line. */
export const CALL_REPORT = createContextKey<CallReport | undefined>(undefined, { description: "the call's report" });

const QUIET = new Set(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]);

/**
 * One span per call (a child of the caller's trace when it sent a
 * traceparent), RPC metrics by service, method and code, streams in flight,
 * and one access log line with the request id and trace id. Prompts and
 * answers are never logged here.
 */
export function observeInterceptor(metrics: GatewayMetrics, logger: Logger, clock: Clock): Interceptor {
  const access = createAccessLog(metrics, logger);
  return (next) => async (req) => {
    const service = req.service.typeName;
    const method = req.method.name;
    const quiet = QUIET.has(service);
    const parent = extractContext((name) => req.header.get(name));
    const span = tracer().startSpan(
      `${service}/${method}`,
      { kind: SpanKind.SERVER, attributes: { "rpc.system": "grpc", "rpc.service": service, "rpc.method": method } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    req.contextValues.set(OTEL_CONTEXT, ctx);
    const report: CallReport = {};
    if (!quiet) req.contextValues.set(CALL_REPORT, report);
    const started = clock.monotonic();
    const finish = (error: unknown, requestId: string | null | undefined) => {
      span.setAttribute("rpc.grpc.status_code", error === undefined ? 0 : toConnectError(error).code);
      endSpan(span, error);
      access({
        service,
        method,
        error,
        seconds: (clock.monotonic() - started) / 1000,
        requestId: requestId ?? undefined,
        traceId: traceIdOf(span),
        tenant: req.contextValues.get(TENANT).name,
        report,
        quiet,
      });
    };
    try {
      const res = await next(req);
      const requestId = res.header.get("x-request-id");
      if (!res.stream) {
        finish(undefined, requestId);
        return res;
      }
      metrics.streamOpened();
      const source = res.message;
      return {
        ...res,
        message: (async function* () {
          let error: unknown;
          try {
            yield* source;
          } catch (err) {
            error = err;
            throw err;
          } finally {
            metrics.streamClosed();
            finish(error, requestId);
          }
        })(),
      };
    } catch (err) {
      finish(err, req.header.get("x-request-id"));
      throw err;
    }
  };
}
