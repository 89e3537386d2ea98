import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as https from "node:https";
import { setMaxListeners } from "node:events";
import type { AddressInfo } from "node:net";
import { cors, type ConnectRouter } from "@connectrpc/connect";
import type { GatewayMetrics } from "../metrics.js";
import { systemClock, type Clock } from "../core/clock.js";
import { createObserver, observeInterceptor } from "./observe.js";
import { resolve } from "node:path";
import { createStaticHandler } from "./static.js";
import type { GatewayConfig } from "../config/schema.js";
import { GatewayError } from "../core/errors.js";
import type { Authenticator } from "../auth/tenants.js";
import { authInterceptor } from "./auth.js";
import type { HealthMonitor } from "../core/health.js";
import type { Logger } from "../log.js";
import { createConnectAdapter } from "./connect-adapter.js";
import { errorInterceptor } from "./error-mapper.js";
import type { RestFace } from "./rest/openai-rest.js";

/** What the listeners need to know. */
export interface ServerOptions {
  server: GatewayConfig["server"];
  routes: (router: ConnectRouter) => void;
  health: HealthMonitor;
  logger: Logger;
  /** Served at GET /metrics on the browser listener; RPC metrics and spans are taken by an interceptor. */
  metrics?: GatewayMetrics | undefined;
  clock?: Clock | undefined;
  /** API keys; absent, the gateway is open. */
  auth?: Authenticator | undefined;
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

const EXPOSED_HEADERS = [...cors.exposedHeaders, "x-request-id", "x-llm-provider", "x-cache-status", "retry-after"];
const ALLOWED_HEADERS = [...cors.allowedHeaders, "authorization", "x-api-key", "x-request-id"];

/**
 * Starts the two listeners over one Connect handler: HTTP/2 (h2c, or TLS)
 * for gRPC, and HTTP/1.1 with CORS for browsers (gRPC-Web, Connect JSON).
 * Both answer all three protocols; the split is about what clients can speak.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { server: cfg, logger, health } = options;
  const shutdown = new AbortController();
  // Connect links every call's signal to this one and unlinks it when the call ends:
  // one listener per call in flight is expected, not a leak.
  setMaxListeners(0, shutdown.signal);
  const handler = createConnectAdapter({
    routes: options.routes,
    logger,
    // Connect JSON is strict: a misspelt field ("maxToken") is refused by name, never silently ignored.
    jsonOptions: { ignoreUnknownFields: false },
    // The error interceptor is outermost, so that an authentication failure is mapped like any other.
    interceptors: [
      ...(options.metrics ? [observeInterceptor(createObserver(options.metrics, logger, options.clock ?? systemClock))] : []),
      errorInterceptor(logger),
      ...(options.auth ? [authInterceptor(options.auth)] : []),
    ],
    readMaxBytes: cfg.maxMessageBytes,
    writeMaxBytes: cfg.maxMessageBytes,
    shutdownSignal: shutdown.signal,
  });
  const tls = cfg.tls ? { cert: readFileSync(cfg.tls.certFile), key: readFileSync(cfg.tls.keyFile) } : undefined;

  // A header value's surrounding whitespace is not part of it (RFC 9110); HTTP/1.1 trims it, and so
  // does this listener instead of dropping the whole field: one rule for an API key on both.
  const h2options = { strictFieldWhitespaceValidation: false };
  const grpcServer = tls
    ? http2.createSecureServer({ ...tls, ...h2options, allowHTTP1: true }, handler)
    : http2.createServer(h2options, handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  grpcServer.on("session", (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
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
  const httpServer = tls ? https.createServer(tls, guarded(browserHandler, logger)) : http.createServer(guarded(browserHandler, logger));
  // Malformed HTTP never reaches a handler: Node answers 400 (or 431 for headers too large) and closes.
  httpServer.on("clientError", (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket));
  grpcServer.on("sessionError", (err) => logger.debug("HTTP/2 session error", { error: err.message }));

  const listen = (s: http.Server | http2.Http2Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, cfg.host, () => {
        s.off("error", reject);
        resolve((s.address() as AddressInfo).port);
      });
    });
  const grpcPort = await listen(grpcServer, cfg.grpcPort);
  const httpPort = await listen(httpServer, cfg.httpPort);

  let closing: Promise<void> | undefined;
  const close = async (graceMs = cfg.shutdownGraceMs) => {
    health.setShuttingDown();
    const closed = Promise.all([
      new Promise<void>((resolve) => grpcServer.close(() => resolve())),
      new Promise<void>((resolve) => httpServer.close(() => resolve())),
    ]);
    // GOAWAY: clients open no new streams on these connections; open streams run on.
    for (const s of sessions) s.close();
    httpServer.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"grace-over">((resolve) => (timer = setTimeout(() => resolve("grace-over"), graceMs)));
    const outcome = await Promise.race([closed, graceOver]);
    clearTimeout(timer);
    if (outcome === "grace-over") {
      logger.warn("shutdown grace period over; ending the remaining calls", { graceMs, sessions: sessions.size });
      // Handlers see their signal abort with this reason and end their calls with it (UNAVAILABLE: retry
      // elsewhere), rather than a cut connection or a CANCELLED the caller did not ask for.
      shutdown.abort(new GatewayError("SHUTTING_DOWN", "the gateway is shutting down; retry on another replica"));
      // REST streams write their error event and end; gRPC calls get their status out.
      await Promise.race([rest?.drained(), new Promise((resolve) => setTimeout(resolve, 1000))]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const s of sessions) s.destroy();
      httpServer.closeAllConnections();
      await closed;
    }
  };
  return {
    grpcPort,
    httpPort,
    close: (graceMs) => (closing ??= close(graceMs)),
  };
}

/**
 * A request listener that cannot throw: a bug in a handler answers 500 and
 * is logged, instead of reaching the process as an uncaught exception.
 */
function guarded(handler: http.RequestListener, logger: Logger): http.RequestListener {
  return (req, res) => {
    try {
      handler(req, res);
    } catch (err) {
      logger.error("request handler failed", { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  };
}

/** Answers a request Node could not parse, as Node would by default, without logging it as ours. */
function answerClientError(err: NodeJS.ErrnoException, socket: import("node:stream").Duplex): void {
  if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const status =
    err.code === "HPE_HEADER_OVERFLOW"
      ? "431 Request Header Fields Too Large"
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "408 Request Timeout"
        : "400 Bad Request";
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
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
