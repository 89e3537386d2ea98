import type * as http from "node:http";
import * as http2 from "node:http2";
import { Code, ConnectError, createConnectRouter, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import { uResponseNotFound } from "@connectrpc/connect/protocol";
import type { Logger } from "../log.js";
import { typedFrameworkError } from "./framework-errors.js";
import { errorResponse, protocolOf, typedErrors } from "./protocol-errors.js";
import { guardJsonBody } from "./json-body-guard.js";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface ConnectAdapterOptions extends ConnectRouterOptions {
  routes: (router: ConnectRouter) => void;
  logger: Logger;
  /** Answers paths no service serves. */
  fallback?: (req: NodeRequest, res: NodeResponse) => void;
}

/**
 * A Node request handler for a Connect router, like connect-node's
 * connectNodeAdapter, with one difference: an error the framework raises
 * before our interceptors run (a unary request whose bytes are not protobuf,
 * unknown JSON fields, a broken envelope) leaves in the gateway's own shape,
 * INVALID_ARGUMENT with an ErrorInfo, instead of connect-es's bare INTERNAL
 * "parse binary". The rewrite touches only error responses, in each
 * protocol's own format: gRPC trailers, gRPC-Web trailer frames, Connect
 * error bodies and end-of-stream messages (src/server/protocol-errors.ts).
 * JSON request bodies are checked first (src/server/json-body-guard.ts).
 */
export function createConnectAdapter(options: ConnectAdapterOptions): (req: NodeRequest, res: NodeResponse) => void {
  options.acceptCompression ??= [compressionGzip, compressionBrotli];
  const router = createConnectRouter(options);
  options.routes(router);
  const paths = new Map(router.handlers.map((h) => [h.requestPath, h]));
  const { logger } = options;
  const jsonOptions = options.jsonOptions;
  const fallback =
    options.fallback ??
    ((_req: NodeRequest, res: NodeResponse) => void (res as http.ServerResponse).writeHead(uResponseNotFound.status).end());

  const retyped = (path: string, error: ConnectError): ConnectError => {
    const typed = typedFrameworkError(error);
    // A request the framework could not read is the caller's; anything else it raised is a bug.
    logger[typed.code === Code.Internal ? "error" : "info"]("call failed", {
      method: path.slice(1, 200),
      code: Code[typed.code],
      reason: "framework",
      error: typed.rawMessage,
    });
    return typed;
  };

  return (req, res) => {
    const path = (req.url ?? "").split("?", 1)[0]!;
    const handler = paths.get(path);
    if (!handler) {
      fallback(req, res);
      return;
    }
    const uReq = universalRequestFromNodeRequest(req as http.IncomingMessage, res as http.ServerResponse, undefined, undefined);
    const protocol = protocolOf(String(req.headers["content-type"] ?? ""));
    const retype = (e: ConnectError) => retyped(path, e);
    res.once("finish", () => stopUnreadRequest(req));
    guardJsonBody(uReq, protocol, options.readMaxBytes ?? 0xffffffff)
      .then((refusal) =>
        refusal
          ? errorResponse(protocol, retype(refusal), jsonOptions)
          : handler(uReq).then((uRes) => typedErrors(uRes, protocol, retype, jsonOptions)),
      )
      .then((uRes) => universalResponseToNodeResponse(uRes, res as http.ServerResponse))
      .catch((reason: unknown) => {
        const code = ConnectError.from(reason).code;
        if (code === Code.Aborted) return;
        // A caller that went away while we wrote is its own doing; anything else failing here is a bug.
        const gone = res.destroyed || typedFrameworkError(ConnectError.from(reason)).code === Code.Canceled;
        logger[gone ? "debug" : "error"]("handler failed", {
          method: path.slice(1, 200),
          error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
        });
        // Never leave a caller waiting on a response that will not come.
        if (!res.writableEnded) (res as http.ServerResponse).destroy();
      });
  };
}

/**
 * After a complete response to a request whose body was not read to its end
 * (refused as too large, say), HTTP/2 lets the server tell the client to stop
 * sending with RST_STREAM(NO_ERROR); without it a client still sending waits
 * on flow control for ever.
 */
function stopUnreadRequest(req: NodeRequest): void {
  if (!req.complete && "stream" in req && !req.stream.closed) req.stream.close(http2.constants.NGHTTP2_NO_ERROR);
}
