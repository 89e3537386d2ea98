import type * as http from "node:http";
import type * as http2 from "node:http2";
import { Code, ConnectError, createConnectRouter, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { uResponseNotFound, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import { codeToHttpStatus, endStreamFlag, endStreamFromJson, endStreamToJson, errorFromJsonBytes, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { findTrailerError, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import type { Logger } from "../log.js";
import { hasErrorInfo, typedFrameworkError } from "./framework-errors.js";

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
 * error bodies and end-of-stream messages. (It uses connect-es's protocol
 * helpers, which that package marks private: the version is pinned by the lock file.)
 */
export function createConnectAdapter(options: ConnectAdapterOptions): (req: NodeRequest, res: NodeResponse) => void {
  options.acceptCompression ??= [compressionGzip, compressionBrotli];
  const router = createConnectRouter(options);
  options.routes(router);
  const paths = new Map(router.handlers.map((h) => [h.requestPath, h]));
  const { logger } = options;
  const jsonOptions = options.jsonOptions;
  const fallback = options.fallback ?? ((_req: NodeRequest, res: NodeResponse) => void (res as http.ServerResponse).writeHead(uResponseNotFound.status).end());

  const retyped = (path: string, error: ConnectError): ConnectError => {
    const typed = typedFrameworkError(error);
    logger.info("call failed", { method: path.slice(1, 200), code: Code[typed.code], reason: "framework", error: typed.rawMessage });
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
    const contentType = String(req.headers["content-type"] ?? "");
    handler(uReq)
      .then((uRes) => typedErrors(uRes, contentType, (e) => retyped(path, e), jsonOptions))
      .then((uRes) => universalResponseToNodeResponse(uRes, res as http.ServerResponse))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        logger.error("handler failed", { method: path.slice(1, 200), error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
      });
  };
}

type Retype = (error: ConnectError) => ConnectError;

/** The response, with any framework error in it given an ErrorInfo, in the format its protocol uses. */
async function typedErrors(uRes: UniversalServerResponse, contentType: string, retype: Retype, jsonOptions: ConnectRouterOptions["jsonOptions"]): Promise<UniversalServerResponse> {
  if (contentType.startsWith("application/grpc-web")) return mapEnvelopes(uRes, trailerFlag, (data) => grpcWebTrailer(data, retype));
  if (contentType.startsWith("application/grpc")) return grpcTrailers(uRes, retype);
  if (contentType.startsWith("application/connect+")) return mapEnvelopes(uRes, endStreamFlag, (data) => connectEndStream(data, retype, jsonOptions));
  return connectUnary(uRes, retype, jsonOptions);
}

/** gRPC: the status is in the trailers (or the headers of a trailers-only response), set once the body is done. */
function grpcTrailers(uRes: UniversalServerResponse, retype: Retype): UniversalServerResponse {
  const fix = () => {
    for (const h of [uRes.header, uRes.trailer]) {
      const error = h && findTrailerError(h);
      if (h && error && !hasErrorInfo(error)) {
        h.delete("grpc-status-details-bin");
        setTrailerStatus(h, retype(error));
      }
    }
  };
  if (!uRes.body) {
    fix();
    return uRes;
  }
  const body = uRes.body;
  return {
    ...uRes,
    body: (async function* () {
      try {
        yield* body;
      } finally {
        fix();
      }
    })(),
  };
}

function grpcWebTrailer(data: Uint8Array, retype: Retype): Uint8Array {
  const trailer = trailerParse(data);
  const error = findTrailerError(trailer);
  if (!error || hasErrorInfo(error)) return data;
  const fixed = new Headers();
  trailer.forEach((value, key) => {
    if (!key.startsWith("grpc-")) fixed.append(key, value);
  });
  return trailerSerialize(setTrailerStatus(fixed, retype(error)));
}

function connectEndStream(data: Uint8Array, retype: Retype, jsonOptions: ConnectRouterOptions["jsonOptions"]): Uint8Array {
  const end = endStreamFromJson(data);
  if (!end.error || hasErrorInfo(end.error)) return data;
  return new TextEncoder().encode(JSON.stringify(endStreamToJson(end.metadata, retype(end.error), jsonOptions)));
}

/** Connect unary: an error is the whole body, as JSON, with an HTTP status that follows its code. */
async function connectUnary(uRes: UniversalServerResponse, retype: Retype, jsonOptions: ConnectRouterOptions["jsonOptions"]): Promise<UniversalServerResponse> {
  if (uRes.status < 400 || !uRes.body || !uRes.header?.get("content-type")?.startsWith("application/json")) return uRes;
  // An error body is small, and its code decides the status, which goes out first: read it now.
  const chunks: Uint8Array[] = [];
  for await (const c of uRes.body) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  const error = errorFromJsonBytes(bytes, undefined, new ConnectError("unreadable error", Code.Internal));
  if (hasErrorInfo(error)) return { ...uRes, body: oneChunk(bytes) };
  const typed = retype(error);
  const fixed = errorToJsonBytes(typed, jsonOptions);
  uRes.header.delete("content-length");
  return { ...uRes, status: codeToHttpStatus(typed.code), body: oneChunk(fixed) };
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Rewrites the envelopes with the given flag in a response body, passing every other byte through. */
function mapEnvelopes(uRes: UniversalServerResponse, flag: number, map: (data: Uint8Array) => Uint8Array): UniversalServerResponse {
  if (!uRes.body) return uRes;
  const body = uRes.body;
  return {
    ...uRes,
    body: (async function* () {
      for await (const chunk of body) {
        // connect-es yields one envelope per chunk; the trailer (or end-stream) envelope is the last.
        if (chunk.length >= 5 && (chunk[0]! & flag) === flag) {
          const length = new DataView(chunk.buffer, chunk.byteOffset + 1, 4).getUint32(0);
          if (length === chunk.length - 5) {
            const data = map(chunk.subarray(5));
            const out = new Uint8Array(5 + data.length);
            out[0] = chunk[0]!;
            new DataView(out.buffer).setUint32(1, data.length);
            out.set(data, 5);
            yield out;
            continue;
          }
        }
        yield chunk;
      }
    })(),
  };
}
