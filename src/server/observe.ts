import { type Context, ROOT_CONTEXT, type Span, SpanKind, trace } from "@opentelemetry/api";
import { type ContextValues, createContextKey, type Interceptor } from "@connectrpc/connect";
import type { CallReport } from "../core/call.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../log.js";
import type { GatewayMetrics } from "../metrics.js";
import { endSpan, extractContext, traceIdOf, tracer } from "../telemetry.js";
import { type AccessEntry, createAccessLog } from "./access-log.js";
import { TENANT } from "./auth.js";
import { toConnectError } from "./error-mapper.js";
import { rpcFace } from "./request-record.js";

/** The trace context of the call's span, for the core's child spans. */
export const OTEL_CONTEXT = createContextKey<Context>(ROOT_CONTEXT, { description: "the call's trace context" });

/** What the core reports about the call (model, provider, tokens...), for its access log line. */
export const CALL_REPORT = createContextKey<CallReport | undefined>(undefined, { description: "the call's report" });

const QUIET = new Set(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]);

/** One observed call: ended once, with its error if it failed. */
export interface Observation {
  /** Ends the span, counts the call and writes its access line. */
  end(error: unknown, requestId: string | null | undefined): void;
  readonly span: Span;
}

/**
 * Observes RPCs, whatever listener serves them: one span per call (a child
 * of the caller's trace when it sent a traceparent), RPC metrics by service,
 * method and code, streams in flight, and one access log line with the
 * request id and trace id. The call's trace context and report go into its
 * context values, where the handlers find them. Prompts and answers are
 * never logged here.
 */
export function createObserver(
  metrics: GatewayMetrics,
  logger: Logger,
  clock: Clock,
  requestLog?: (entry: AccessEntry, code: string) => void,
) {
  const access = createAccessLog(metrics, logger, requestLog);
  return {
    metrics,
    begin(service: string, method: string, headers: Headers, values: ContextValues): Observation {
      const quiet = QUIET.has(service);
      const parent = extractContext((name) => headers.get(name));
      const span = tracer().startSpan(
        `${service}/${method}`,
        { kind: SpanKind.SERVER, attributes: { "rpc.system": "grpc", "rpc.service": service, "rpc.method": method } },
        parent,
      );
      values.set(OTEL_CONTEXT, trace.setSpan(parent, span));
      const report: CallReport = {};
      if (!quiet) values.set(CALL_REPORT, report);
      const started = clock.monotonic();
      return {
        span,
        end(error, requestId) {
          span.setAttribute("rpc.grpc.status_code", error === undefined ? 0 : toConnectError(error).code);
          endSpan(span, error);
          access({
            service,
            method,
            error,
            seconds: (clock.monotonic() - started) / 1000,
            requestId: requestId ?? undefined,
            traceId: traceIdOf(span),
            tenant: values.get(TENANT).name,
            report,
            quiet,
            face: rpcFace(headers.get("content-type")),
            endedAt: clock.now(),
          });
        },
      };
    },
  };
}

export type Observer = ReturnType<typeof createObserver>;

/** The observer as a Connect interceptor, for the browser listener. */
export function observeInterceptor(observer: Observer): Interceptor {
  return (next) => async (req) => {
    const observation = observer.begin(req.service.typeName, req.method.name, req.header, req.contextValues);
    try {
      const res = await next(req);
      const requestId = res.header.get("x-request-id");
      if (!res.stream) {
        observation.end(undefined, requestId);
        return res;
      }
      observer.metrics.streamOpened();
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
            observer.metrics.streamClosed();
            // A stream's handler sets its x-request-id once it runs, after next() returned.
            observation.end(error, requestId ?? res.header.get("x-request-id"));
          }
        })(),
      };
    } catch (err) {
      observation.end(err, req.header.get("x-request-id"));
      throw err;
    }
  };
}
