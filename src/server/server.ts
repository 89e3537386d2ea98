import { readFileSync } from "node:fs";
import type * as http from "node:http";
import { setMaxListeners } from "node:events";
import { cors } from "@connectrpc/connect";
import type { GatewayMetrics } from "../metrics.js";
import { systemClock, type Clock } from "../core/clock.js";
import { createObserver, observeInterceptor } from "./observe.js";
import type { AccessEntry } from "./access-log.js";
import { resolve } from "node:path";
import { createStaticHandler } from "./static.js";
import type { GatewayConfig } from "../config/schema.js";
import { GatewayError } from "../core/errors.js";
import type { Authenticator } from "../auth/tenants.js";
import { authInterceptor } from "./auth.js";
import type { HealthMonitor } from "../core/health.js";
import type { Logger } from "../log.js";
import { createConnectAdapter } from "./connect-adapter.js";
import { errorInterceptor, failureReporter } from "./error-mapper.js";
import { startBrowserListener } from "./browser-listener.js";
import { startGrpcListener } from "./grpc/grpc-server.js";
import { registerRoutes, type ServiceEntry } from "./routes.js";
import type { RestFace } from "./rest/rest-face.js";

/** What the listeners need to know. */
export interface ServerOptions {
  server: GatewayConfig["server"];
  /** The services both listeners serve, built once. */
  services: readonly ServiceEntry[];
  health: HealthMonitor;
  logger: Logger;
  /** Served at GET /metrics on the browser listener; each listener observes its calls into it. */
  metrics?: GatewayMetrics | undefined;
  clock?: Clock | undefined;
  /** API keys; absent, the gateway is open. */
  auth?: Authenticator | undefined;
  /** Where each finished call's record goes (the request log). */
  requestLog?: ((entry: AccessEntry, code: string) => void) | undefined;
  /** The OpenAI REST face on the browser listener, built with the server's shutdown signal. */
  rest?: ((shutdownSignal: AbortSignal) => RestFace) | undefined;
}

/** A running gateway: its bound ports and a graceful close. */
export interface RunningServer {
  grpcPort: number;
  httpPort: number;
  /** Stops accepting, lets calls finish within the grace period, then ends the rest with Unavailable. */
  close(graceMs?: number): Promise<void>;
}

// A browser may read a stream's resume token, and send an idempotency key and Last-Event-ID (docs/resilience.md).
const EXPOSED_HEADERS = [
  ...cors.exposedHeaders,
  "x-request-id",
  "x-llm-provider",
  "x-cache-status",
  "retry-after",
  "x-llm-gateway-resume-token",
];
const ALLOWED_HEADERS = [...cors.allowedHeaders, "authorization", "x-api-key", "x-request-id", "idempotency-key", "last-event-id"];

/**
 * Starts the two listeners over the same service implementations: the
 * native gRPC listener on @grpc/grpc-js (HTTP/2, h2c or TLS), and the
 * browser listener on connect-node (HTTP/1.1 with CORS: gRPC-Web, Connect,
 * the OpenAI REST face, metrics and the playground). Both authenticate,
 * observe and map errors the same way.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { server: cfg, logger, health } = options;
  const shutdown = new AbortController();
  // Connect links every call's signal to this one and unlinks it when the call ends:
  // one listener per call in flight is expected, not a leak.
  setMaxListeners(0, shutdown.signal);
  const observer = options.metrics ? createObserver(options.metrics, logger, options.clock ?? systemClock, options.requestLog) : undefined;
  const handler = createConnectAdapter({
    routes: (router) => registerRoutes(router, options.services),
    logger,
    // Connect JSON is strict: a misspelt field ("maxToken") is refused by name, never silently ignored.
    jsonOptions: { ignoreUnknownFields: false },
    // The error interceptor is outermost, so that an authentication failure is mapped like any other.
    interceptors: [
      ...(observer ? [observeInterceptor(observer)] : []),
      errorInterceptor(logger),
      ...(options.auth ? [authInterceptor(options.auth)] : []),
    ],
    readMaxBytes: cfg.maxMessageBytes,
    writeMaxBytes: cfg.maxMessageBytes,
    shutdownSignal: shutdown.signal,
  });
  const tls = cfg.tls ? { cert: readFileSync(cfg.tls.certFile), key: readFileSync(cfg.tls.keyFile) } : undefined;

  const rest = options.rest?.(shutdown.signal);
  const page = cfg.playground ? createStaticHandler(resolve(cfg.playgroundDir)) : undefined;
  if (cfg.playground && !page) logger.info("playground not built: run npm run build:web to serve it at /", { dir: cfg.playgroundDir });
  const routes: http.RequestListener = (req, res) => {
    if (page?.(req, res) || rest?.handle(req, res)) return;
    handler(req, res);
  };
  const corsHandler = withCors(routes, cfg.corsOrigins);
  const metrics = options.metrics?.registry;
  const browserHandler: http.RequestListener = metrics
    ? (req, res) => {
        if (req.method === "GET" && req.url === "/metrics") {
          metrics.metrics().then(
            (body) => res.writeHead(200, { "content-type": metrics.contentType }).end(body),
            () => res.writeHead(500).end(),
          );
          return;
        }
        corsHandler(req, res);
      }
    : corsHandler;

  const grpcListener = await startGrpcListener({
    host: cfg.host,
    port: cfg.grpcPort,
    services: options.services,
    maxMessageBytes: cfg.maxMessageBytes,
    tls,
    auth: options.auth,
    observer,
    report: failureReporter(logger),
    logger,
  });
  const browser = await startBrowserListener({ host: cfg.host, port: cfg.httpPort, tls, handler: browserHandler, logger });

  let closing: Promise<void> | undefined;
  const close = async (graceMs = cfg.shutdownGraceMs) => {
    health.setShuttingDown();
    // GOAWAY on HTTP/2, idle HTTP/1.1 connections closed: no new calls; calls in flight run on.
    const closed = Promise.all([grpcListener.drain(), browser.close()]);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"grace-over">((resolve) => (timer = setTimeout(() => resolve("grace-over"), graceMs)));
    const outcome = await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    if (outcome === "grace-over") {
      logger.warn("shutdown grace period over; ending the remaining calls", { graceMs });
      // Handlers see their signal abort with this reason and end their calls with it (UNAVAILABLE: retry
      // elsewhere), rather than a cut connection or a CANCELLED the caller did not ask for.
      const reason = new GatewayError("SHUTTING_DOWN", "the gateway is shutting down; retry on another replica");
      shutdown.abort(reason);
      // REST streams write their error event and end; gRPC calls get their status out.
      await Promise.all([
        grpcListener.abortAll(reason),
        Promise.race([rest?.drained(), new Promise((resolve) => setTimeout(resolve, 1000))]).then(
          () => new Promise((resolve) => setTimeout(resolve, 100)),
        ),
      ]);
      browser.destroyAll();
      await closed;
    }
  };
  return {
    grpcPort: grpcListener.port,
    httpPort: browser.port,
    close: (graceMs) => (closing ??= close(graceMs)),
  };
}

/** CORS for the browser listener, with the headers the Connect and gRPC-Web protocols need. */
function withCors(handler: http.RequestListener, origins: readonly string[]): http.RequestListener {
  const any = origins.includes("*");
  return (req, res) => {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && (any || origins.includes(origin));
    if (allowed) {
      res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
      if (!any) res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS.join(", "));
    }
    if (req.method === "OPTIONS" && origin !== undefined && req.headers["access-control-request-method"]) {
      if (!allowed) {
        res.writeHead(403).end();
        return;
      }
      res.writeHead(204, {
        "Access-Control-Allow-Methods": cors.allowedMethods.join(", "),
        "Access-Control-Allow-Headers": ALLOWED_HEADERS.join(", "),
        "Access-Control-Max-Age": "7200",
      });
      res.end();
      return;
    }
    handler(req, res);
  };
}
