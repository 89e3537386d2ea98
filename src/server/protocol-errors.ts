import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Code, ConnectError, type ConnectRouterOptions } from "@connectrpc/connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  endStreamFlag,
  endStreamFromJson,
  endStreamToJson,
  errorFromJsonBytes,
  errorToJsonBytes,
} from "@connectrpc/connect/protocol-connect";
import { findTrailerError, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { trailerFlag, trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";
import { hasErrorInfo } from "./framework-errors.js";

/*
 * Errors in each protocol's own wire format, for the Connect adapter: gRPC
 * trailers, gRPC-Web trailer frames, Connect error bodies and end-of-stream
 * messages. (connect-es's protocol helpers are marked private by that
 * package: the version is pinned by the lock file.)
 */

export type Protocol = "grpc" | "grpc-web" | "connect-stream" | "connect-unary";

/** The protocol of a request, from its content type. */
export function protocolOf(contentType: string): Protocol {
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  if (contentType.startsWith("application/connect+")) return "connect-stream";
  return "connect-unary";
}

/** A whole response that is just this error, in the request's protocol. */
export function errorResponse(
  protocol: Protocol,
  error: ConnectError,
  jsonOptions: ConnectRouterOptions["jsonOptions"],
): UniversalServerResponse {
  switch (protocol) {
    case "grpc":
      return {
        status: 200,
        header: new Headers({ "content-type": "application/grpc+proto" }),
        trailer: setTrailerStatus(new Headers(), error),
      };
    case "grpc-web":
      return {
        status: 200,
        header: new Headers({ "content-type": "application/grpc-web+proto" }),
        body: oneChunk(envelope(trailerFlag, trailerSerialize(setTrailerStatus(new Headers(), error)))),
      };
    case "connect-stream":
      return {
        status: 200,
        header: new Headers({ "content-type": "application/connect+json" }),
        body: oneChunk(
          envelope(endStreamFlag, new TextEncoder().encode(JSON.stringify(endStreamToJson(new Headers(), error, jsonOptions)))),
        ),
      };
    case "connect-unary":
      return {
        status: codeToHttpStatus(error.code),
        header: new Headers({ "content-type": "application/json" }),
        body: oneChunk(errorToJsonBytes(error, jsonOptions)),
      };
  }
}

function envelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + data.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
}

export type Retype = (error: ConnectError) => ConnectError;

/**
 * The response, with any framework error in it given an ErrorInfo, in the
 * format its protocol uses. A 505 (connect-es's answer to a bidi stream over
 * HTTP/1.1) becomes an UNIMPLEMENTED error of the protocol, not a 5xx.
 */
export async function typedErrors(
  uRes: UniversalServerResponse,
  protocol: Protocol,
  retype: Retype,
  jsonOptions: ConnectRouterOptions["jsonOptions"],
): Promise<UniversalServerResponse> {
  if (uRes.status === 505)
    return errorResponse(protocol, retype(new ConnectError("bidirectional streams need HTTP/2", Code.Unimplemented)), jsonOptions);
  switch (protocol) {
    case "grpc-web":
      return mapEnvelopes(
        uRes,
        trailerFlag,
        (data) => grpcWebTrailer(data, retype),
        (e) => trailerSerialize(setTrailerStatus(new Headers(), retype(e))),
      );
    case "grpc":
      return grpcTrailers(uRes, retype);
    case "connect-stream":
      return mapEnvelopes(
        uRes,
        endStreamFlag,
        (data) => connectEndStream(data, retype, jsonOptions),
        (e) => new TextEncoder().encode(JSON.stringify(endStreamToJson(new Headers(), retype(e), jsonOptions))),
      );
    case "connect-unary":
      return connectUnary(uRes, retype, jsonOptions);
  }
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
      } catch (err) {
        // The framework failed while writing its own error: the caller still gets a status.
        uRes.trailer?.delete("grpc-status-details-bin");
        if (uRes.trailer) setTrailerStatus(uRes.trailer, retype(failedWriting(err)));
      } finally {
        fix();
      }
    })(),
  };
}

/** An error the framework threw while writing a response (a bug, ours or its): INTERNAL, logged. */
function failedWriting(err: unknown): ConnectError {
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
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
async function connectUnary(
  uRes: UniversalServerResponse,
  retype: Retype,
  jsonOptions: ConnectRouterOptions["jsonOptions"],
): Promise<UniversalServerResponse> {
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
function mapEnvelopes(
  uRes: UniversalServerResponse,
  flag: number,
  map: (data: Uint8Array) => Uint8Array,
  onError: (error: ConnectError) => Uint8Array,
): UniversalServerResponse {
  if (!uRes.body) return uRes;
  const body = uRes.body;
  // A large trailer or end-stream message goes out compressed when the client accepts it.
  const encoding = uRes.header?.get("grpc-encoding") ?? uRes.header?.get("connect-content-encoding") ?? "identity";
  return {
    ...uRes,
    body: (async function* () {
      const it = body[Symbol.asyncIterator]();
      for (;;) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await it.next();
        } catch (err) {
          // The framework failed while writing its own error: end with ours, so the caller still gets a status.
          yield envelope(flag, onError(failedWriting(err)));
          return;
        }
        if (r.done) return;
        const chunk = r.value;
        // connect-es yields one envelope per chunk; the trailer (or end-stream) envelope is the last.
        if (chunk.length >= 5 && (chunk[0]! & flag) === flag) {
          const length = new DataView(chunk.buffer, chunk.byteOffset + 1, 4).getUint32(0);
          if (length === chunk.length - 5) {
            const rewritten = rewrite(chunk, encoding, map);
            yield rewritten ?? chunk;
            continue;
          }
        }
        yield chunk;
      }
    })(),
  };
}

/**
 * One envelope, its data mapped; a compressed one is decompressed first and
 * sent back uncompressed (the flag says so). Undefined when it cannot be
 * read: the original then goes out unchanged.
 */
function rewrite(chunk: Uint8Array, encoding: string, map: (data: Uint8Array) => Uint8Array): Uint8Array | undefined {
  try {
    let data = chunk.subarray(5);
    if (chunk[0]! & COMPRESSED) {
      if (encoding === "gzip") data = gunzipSync(data);
      else if (encoding === "br") data = brotliDecompressSync(data);
      else return undefined;
    }
    return envelope(chunk[0]! & ~COMPRESSED & 0xff, map(data));
  } catch {
    return undefined;
  }
}

const COMPRESSED = 0x01;
