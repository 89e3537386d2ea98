import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "../log.js";

export interface BrowserListenerOptions {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** Everything the listener serves: the REST face, the playground, metrics, Connect and gRPC-Web. */
  handler: http.RequestListener;
  logger: Logger;
}

export interface BrowserListener {
  port: number;
  /** Stops accepting and closes idle connections; resolves once every connection has closed. */
  close(): Promise<void>;
  /** Cuts every connection still open. */
  destroyAll(): void;
}

/**
 * The browser listener: HTTP/1.1 (or HTTPS) for browsers, curl and the
 * OpenAI SDKs, serving Connect, gRPC-Web, the OpenAI REST face, metrics and
 * the playground. Native gRPC has its own listener (src/server/grpc/).
 */
export async function startBrowserListener(options: BrowserListenerOptions): Promise<BrowserListener> {
  const { logger } = options;
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, guarded(options.handler, logger))
    : http.createServer(guarded(options.handler, logger));
  // Malformed HTTP never reaches a handler: Node answers 400 (or 431 for headers too large) and closes.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket));
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  return {
    port,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      return closed;
    },
    destroyAll: () => server.closeAllConnections(),
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
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
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
