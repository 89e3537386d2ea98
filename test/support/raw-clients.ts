import * as http from "node:http";
import * as http2 from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/ts/google/rpc/status_pb.js";

/**
 * Clients that send whatever bytes and headers they are given, so that
 * tests can send what no well-behaved client would, and read back the
 * outcome in each protocol's terms: the HTTP status, the gRPC or Connect
 * code, and the ErrorInfo reason if there is one.
 */
export interface RawOutcome {
  /** The HTTP status, or 0 when the connection broke without one. */
  status: number;
  /** The gRPC status code (gRPC and gRPC-Web), or the Connect code's gRPC number; undefined when none came. */
  code: number | undefined;
  message: string;
  reason: string | undefined;
  /** Set when the exchange failed at the transport (reset, timeout). */
  transportError?: string;
  /** Milliseconds from sending to the end of the response. */
  ms: number;
  body: Buffer;
}

/** A gRPC-style length-prefixed message. */
export function envelope(message: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out[0] = flags;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return `<malformed grpc-message> ${text}`;
  }
}

function reasonFromStatusBin(bin: string | undefined): string | undefined {
  if (!bin) return undefined;
  try {
    const status = fromBinary(StatusSchema, Buffer.from(bin, "base64"));
    const info = status.details.find((d) => d.typeUrl.endsWith("google.rpc.ErrorInfo"));
    return info ? fromBinary(ErrorInfoSchema, info.value).reason : undefined;
  } catch {
    return "<undecodable status>";
  }
}

/** The trailers of a gRPC-Web body (the frame flagged 0x80), as a header map. */
function grpcWebTrailers(body: Buffer): Record<string, string> | undefined {
  let i = 0;
  while (i + 5 <= body.length) {
    const flags = body[i]!;
    const len = body.readUInt32BE(i + 1);
    const data = body.subarray(i + 5, i + 5 + len);
    i += 5 + len;
    if (flags & 0x80) {
      const out: Record<string, string> = {};
      for (const line of data.toString("utf8").split("\r\n")) {
        const at = line.indexOf(":");
        if (at > 0) out[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      return out;
    }
  }
  return undefined;
}

const CONNECT_CODES: Record<string, number> = {
  canceled: 1,
  unknown: 2,
  invalid_argument: 3,
  deadline_exceeded: 4,
  not_found: 5,
  already_exists: 6,
  permission_denied: 7,
  resource_exhausted: 8,
  failed_precondition: 9,
  aborted: 10,
  out_of_range: 11,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  data_loss: 15,
  unauthenticated: 16,
};

function connectError(json: unknown): { code: number | undefined; message: string; reason: string | undefined } {
  const e = json as { code?: string; message?: string; details?: { type?: string; value?: string }[]; error?: unknown } | undefined;
  const err = (e && "error" in e && e.error ? e.error : e) as
    | { code?: string; message?: string; details?: { type?: string; value?: string }[] }
    | undefined;
  const info = err?.details?.find((d) => d.type === "google.rpc.ErrorInfo");
  let reason: string | undefined;
  if (info?.value) {
    try {
      reason = fromBinary(ErrorInfoSchema, Buffer.from(info.value, "base64")).reason;
    } catch {
      reason = "<undecodable ErrorInfo>";
    }
  }
  return { code: err?.code ? CONNECT_CODES[err.code] : undefined, message: err?.message ?? "", reason };
}

/** One HTTP/1.1 request with any method, path, headers and body. */
export function http1(
  url: string,
  options: { method: string; path: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; timeoutMs?: number },
): Promise<RawOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = http.request({
      host: u.hostname,
      port: u.port,
      method: options.method,
      path: options.path,
      headers: options.headers,
      insecureHTTPParser: false,
      agent: false,
    });
    const fail = (transportError: string) =>
      resolve({
        status: 0,
        code: undefined,
        message: "",
        reason: undefined,
        transportError,
        ms: performance.now() - started,
        body: Buffer.alloc(0),
      });
    req.setTimeout(options.timeoutMs ?? 10_000, () => {
      req.destroy(new Error("timeout"));
    });
    req.on("error", (e) => fail(e.message));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => fail(e.message));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        const type = String(res.headers["content-type"] ?? "");
        let out: Omit<RawOutcome, "ms" | "status" | "body"> = { code: undefined, message: "", reason: undefined };
        if (type.startsWith("application/grpc-web")) {
          const t = grpcWebTrailers(body) ?? (res.headers as Record<string, string>);
          const code = t["grpc-status"];
          out = {
            code: code === undefined ? undefined : Number(code),
            message: percentDecoded(t["grpc-message"] ?? ""),
            reason: reasonFromStatusBin(t["grpc-status-details-bin"]),
          };
        } else if (type.startsWith("application/connect+")) {
          const endStream = lastEnvelope(body, 0x02);
          if (endStream) out = connectError(JSON.parse(endStream.toString("utf8") || "{}"));
          if (out.code === undefined && endStream) out.code = 0;
        } else if (type.startsWith("application/json") && res.statusCode! >= 400) {
          try {
            out = connectError(JSON.parse(body.toString("utf8")));
          } catch {
            out = { code: undefined, message: "<not JSON>", reason: undefined };
          }
        }
        resolve({ status: res.statusCode ?? 0, ...out, ms: performance.now() - started, body });
      });
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

function lastEnvelope(body: Buffer, flag: number): Buffer | undefined {
  let i = 0;
  let found: Buffer | undefined;
  while (i + 5 <= body.length) {
    const flags = body[i]!;
    const len = body.readUInt32BE(i + 1);
    if (flags & flag) found = body.subarray(i + 5, i + 5 + len);
    i += 5 + len;
  }
  return found;
}

/** One HTTP/2 request (gRPC framing is up to the caller), read to its trailers. */
export function h2(
  url: string,
  options: { path: string; headers?: http2.OutgoingHttpHeaders; body?: Buffer; timeoutMs?: number; session?: http2.ClientHttp2Session },
): Promise<RawOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    // The client's own session memory (10 MB by default) would refuse our own big requests.
    const session = options.session ?? http2.connect(url, { maxSessionMemory: 256 });
    const own = options.session === undefined;
    const done = (out: Omit<RawOutcome, "ms">) => {
      if (own) session.close();
      resolve({ ...out, ms: performance.now() - started });
    };
    if (own) session.on("error", () => {});
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request({
        ":method": "POST",
        ":path": options.path,
        "content-type": "application/grpc",
        te: "trailers",
        ...options.headers,
      });
    } catch (e) {
      done({ status: 0, code: undefined, message: "", reason: undefined, transportError: (e as Error).message, body: Buffer.alloc(0) });
      return;
    }
    let finished = false;
    const timer = setTimeout(() => {
      finished = true;
      stream.close(http2.constants.NGHTTP2_CANCEL);
      done({ status: 0, code: undefined, message: "", reason: undefined, transportError: "timeout", body: Buffer.alloc(0) });
    }, options.timeoutMs ?? 10_000);
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => {});
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const t = { ...headers, ...trailers } as Record<string, string | undefined>;
      const status = Number(headers[":status"] ?? 0);
      const code = t["grpc-status"];
      done({
        status,
        code: code === undefined ? undefined : Number(code),
        message: percentDecoded(t["grpc-message"] ?? ""),
        reason: reasonFromStatusBin(t["grpc-status-details-bin"]),
        ...(status === 0 && stream.rstCode ? { transportError: `reset ${stream.rstCode}` } : {}),
        body: Buffer.concat(chunks),
      });
    };
    // The response is complete: stop sending too, as gRPC clients do, and do not wait for our own writes.
    stream.on("end", () => {
      finish();
      stream.destroy();
    });
    stream.on("close", finish);
    stream.end(options.body ?? Buffer.alloc(0));
  });
}
