import type * as http from "node:http";
import { SpanKind, trace } from "@opentelemetry/api";
import type { Authenticator, Tenant } from "../../auth/tenants.js";
import type { CallReport } from "../../core/call.js";
import type { Clock } from "../../core/clock.js";
import { GatewayError, invalidRequest, isGatewayError } from "../../core/errors.js";
import type { CallContext } from "../../pipeline/pipeline.js";
import type { Logger } from "../../log.js";
import type { GatewayMetrics } from "../../metrics.js";
import { endSpan, extractContext, traceIdOf, tracer } from "../../telemetry.js";
import { type AccessEntry, createAccessLog } from "../access-log.js";
import { authenticate, type Caller, type HeaderReader } from "../auth.js";
import { requestIdOf } from "../call-context.js";
import { openAiErrors } from "./openai-wire.js";
import type { ErrorShape, HttpMethod, RestRoute } from "./route.js";

export interface RestFaceOptions {
  /** The endpoints, tried in order; the first that matches a path answers it. */
  routes: readonly RestRoute[];
  auth: Authenticator;
  clock: Clock;
  logger: Logger;
  /** Where each call is counted and logged; absent, calls are neither (tests of the face alone). */
  metrics?: GatewayMetrics | undefined;
  /** Aborts every call in flight when the gateway's shutdown grace is over. */
  shutdownSignal?: AbortSignal | undefined;
  /** Where each finished call's record goes (the request log). */
  requestLog?: ((entry: AccessEntry, code: string) => void) | undefined;
}

/** The REST face: a request handler, and a way to wait for its calls to end. */
export interface RestFace {
  /** Answers the request if its path is the face's (under /v1/); returns false otherwise. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Resolves once every call in flight has ended. */
  drained(): Promise<void>;
}

const SERVICE = "openai.rest";

/** What answers a path under /v1 that no route serves. */
const notFound: RestRoute = {
  name: "other",
  template: () => "/v1",
  matches: () => true,
  methods: ["GET", "POST", "DELETE"],
  serve: () => {
    throw new GatewayError("NOT_FOUND", "no such endpoint on this gateway; see GET /v1/models and the README for the endpoints it serves", {
      metadata: { field: "url" },
    });
  },
};

/**
 * The REST faces under /v1 (OpenAI's, Anthropic's, ...), served by the same core as the gRPC
 * services. What every endpoint shares happens here: a request id, a server span, authentication,
 * the call's signal (aborted when the client goes away or the shutdown grace is over), errors in
 * the route's own shape, and the access log; each route reads its request and answers.
 */
export function createRestFace(options: RestFaceOptions): RestFace {
  const { auth, clock, logger } = options;
  const access = options.metrics ? createAccessLog(options.metrics, logger, options.requestLog) : undefined;
  const inFlight = new Set<Promise<void>>();

  function fail(res: http.ServerResponse, err: unknown, shape: ErrorShape, requestId: string): GatewayError {
    const error = isGatewayError(err) ? err : new GatewayError("INTERNAL", "internal error", { cause: err });
    if (error.reason === "INTERNAL")
      logger.error("REST call failed", { error: String((error.cause as Error | undefined)?.stack ?? error.cause) });
    if (res.headersSent) {
      // Mid-stream: the status is sent; the error goes as an event, so the stream does not just stop.
      if (!res.destroyed) res.end(shape.streamEvent(error, requestId));
      return error;
    }
    const { status, body, headers: extra } = shape.body(error, requestId);
    const headers: Record<string, string> = { "content-type": "application/json", ...extra };
    if (error.retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(error.retryAfterMs / 1000));
    if (!res.destroyed) res.writeHead(status, headers).end(JSON.stringify(body));
    return error;
  }

  // The calls in flight, each by its controller: the shutdown's end aborts them all with its reason.
  // (One listener here rather than a signal combined with the shutdown's for every call.)
  const live = new Set<AbortController>();
  options.shutdownSignal?.addEventListener("abort", () => {
    for (const c of live) c.abort(options.shutdownSignal!.reason);
  });

  /** The core's call: aborted when the client goes away or the shutdown grace is over. */
  function callOf(res: http.ServerResponse, caller: Caller, requestId: string, report: CallReport): CallContext {
    const controller = new AbortController();
    live.add(controller);
    if (options.shutdownSignal?.aborted) controller.abort(options.shutdownSignal.reason);
    res.on("close", () => {
      live.delete(controller);
      if (!res.writableFinished) controller.abort(new GatewayError("CANCELLED", "the caller went away"));
    });
    return { signal: controller.signal, requestId, receivedAt: clock.monotonic(), tenant: caller.tenant, key: caller.key, report };
  }

  async function serve(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const started = clock.monotonic();
    const offered = req.headers["x-request-id"];
    const requestId = requestIdOf(typeof offered === "string" ? offered : undefined);
    res.setHeader("x-request-id", requestId);
    const route = options.routes.find((r) => r.matches(path)) ?? notFound;
    const parent = extractContext((name) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : undefined;
    });
    const span = tracer().startSpan(
      `${req.method} ${route.template(path)}`,
      {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": req.method ?? "", "url.path": route === notFound ? "/v1" : path.slice(0, 128) },
      },
      parent,
    );
    const report: CallReport = {};
    let tenant: Tenant | undefined;
    let error: unknown;
    try {
      const found = authenticate(auth, headerReader(req));
      // A configured key, or a runtime key looked up within the last second, is known at once.
      const caller = found instanceof Promise ? await found : found;
      tenant = caller.tenant;
      const call = callOf(res, caller, requestId, report);
      call.otel = trace.setSpan(parent, span);
      allow(req, route.methods);
      await route.serve({ req, res, path, call, tenant });
    } catch (err) {
      error = fail(res, err, route.errors ?? openAiErrors, requestId);
    } finally {
      span.setAttribute("http.response.status_code", res.statusCode);
      endSpan(span, res.statusCode >= 500 ? new Error(`HTTP ${res.statusCode}`) : undefined);
      access?.({
        service: SERVICE,
        method: route.name,
        error,
        status: res.statusCode,
        seconds: (clock.monotonic() - started) / 1000,
        requestId,
        traceId: traceIdOf(span),
        tenant: tenant?.name ?? "",
        report,
        endedAt: clock.now(),
      });
    }
  }

  return {
    handle(req, res) {
      const path = (req.url ?? "").split("?", 1)[0]!;
      if (path !== "/v1" && !path.startsWith("/v1/")) return false;
      const done = serve(req, res, path).catch((err: unknown) => {
        // serve() handles its own failures; reaching here is a bug, never a reason to crash.
        logger.error("REST handler failed", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
      });
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
      return true;
    },
    async drained() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** A request's headers as authentication reads them, without copying them into web Headers. */
export function headerReader(req: http.IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = req.headers[name];
      return typeof value === "string" ? value : null;
    },
  };
}

/** Refuses a method the endpoint does not serve with 405 and the methods it does. */
function allow(req: http.IncomingMessage, methods: readonly HttpMethod[]): void {
  if (methods.includes(req.method as HttpMethod)) return;
  throw new GatewayError("METHOD_NOT_ALLOWED", `${methods.join(" or ")} only`, { metadata: { allow: methods.join(", ") } });
}

/** A path segment, percent-decoded; a malformed escape is the caller's error, not ours. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest("url", "has a malformed percent-encoding");
  }
}
