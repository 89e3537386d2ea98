import type * as http2 from "node:http2";
import { type Code, ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import type { Authenticator } from "../../auth/tenants.js";
import type { Logger } from "../../log.js";
import { typedFrameworkError } from "../framework-errors.js";
import type { Observer } from "../observe.js";
import type { ServiceEntry } from "../routes.js";
import type { GrpcCallContext } from "./context.js";
import { grpcHandlerOf } from "./handlers.js";
import { deserializerOf, serializerOf, statusDetailsOf } from "./wire.js";

export interface GrpcListenerOptions {
  host: string;
  port: number;
  services: readonly ServiceEntry[];
  maxMessageBytes: number;
  tls?: { cert: Buffer; key: Buffer } | undefined;
  auth?: Authenticator | undefined;
  observer?: Observer | undefined;
  report: (method: string, error: unknown) => ConnectError;
  logger: Logger;
}

export interface GrpcListener {
  port: number;
  /** Stops accepting calls and new connections (GOAWAY); resolves when the calls in flight have ended. */
  drain(): Promise<void>;
  /** Ends every call still in flight with this reason, then closes every connection. */
  abortAll(reason: unknown): Promise<void>;
}

/**
 * The native gRPC listener, served by @grpc/grpc-js from the same service
 * descriptors and implementations as the browser listener. grpc-js answers
 * some requests by itself (an unknown method, an unreadable grpc-timeout, a
 * message over the size limit, bad compression); those statuses are given
 * the gateway's shape on the way out (typedStatuses), so that every error a
 * caller sees carries an ErrorInfo, whichever listener it called.
 */
export async function startGrpcListener(options: GrpcListenerOptions): Promise<GrpcListener> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxMessageBytes,
    "grpc.max_send_message_length": options.maxMessageBytes,
    // Channelz keeps per-call statistics nobody reads here, and costs on every call.
    "grpc.enable_channelz": 0,
  });
  const internals = server as unknown as {
    commonServerOptions?: http2.ServerOptions;
    _streamHandler?: (this: grpc.Server, extra: unknown, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void;
  };
  const streamHandler = internals._streamHandler;
  if (typeof streamHandler !== "function" || internals.commonServerOptions === undefined)
    throw new Error("@grpc/grpc-js changed its internals: the gateway cannot type its statuses; check the version in package.json");
  // A header value's surrounding whitespace is not part of it (RFC 9110): an API key with a stray
  // space is accepted, as on the browser listener, instead of the whole request being reset.
  internals.commonServerOptions.strictFieldWhitespaceValidation = false;
  internals._streamHandler = function (extra, stream, headers) {
    typedStatuses(stream);
    trimValues(headers);
    streamHandler.call(this, extra, stream, headers);
  };

  const live = new Set<GrpcCallContext>();
  const deps = { auth: options.auth, observer: options.observer, report: options.report, live };
  for (const { desc, impl } of options.services) {
    for (const method of desc.methods) {
      const fn = (impl as Record<string, unknown>)[method.localName];
      if (typeof fn !== "function") continue;
      const { kind, handler } = grpcHandlerOf(desc, method, fn as never, deps);
      server.register(
        `/${desc.typeName}/${method.name}`,
        handler as grpc.UntypedHandleCall,
        serializerOf(method.output),
        deserializerOf(method.input),
        kind,
      );
    }
  }

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }], false)
    : grpc.ServerCredentials.createInsecure();
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );

  let drained: Promise<void> | undefined;
  return {
    port,
    drain: () => (drained ??= new Promise<void>((resolve) => server.tryShutdown(() => resolve()))),
    async abortAll(reason) {
      for (const ctx of live) ctx.abort(reason);
      // Each handler sends its status as soon as its implementation sees the abort.
      for (let i = 0; i < 20 && live.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 100));
      server.forceShutdown();
    },
  };
}

const isBlank = (c: number) => c === 0x20 || c === 0x09;

/**
 * A field value's surrounding whitespace is not part of it (RFC 9110); HTTP/1.1 parsers trim it, and
 * so does this, before grpc-js, which would drop a value with a tab in it (an API key "\tsk-...").
 */
function trimValues(headers: http2.IncomingHttpHeaders): void {
  for (const key in headers) {
    const value = headers[key];
    if (typeof value === "string" && value.length > 0 && (isBlank(value.charCodeAt(0)) || isBlank(value.charCodeAt(value.length - 1))))
      headers[key] = value.trim();
  }
}

// What grpc-js says of a request it could not read, in the words typedFrameworkError knows:
// a wrong number of messages is a protocol error, as Connect calls it; bad compression is invalid.
const MESSAGE_COUNT = /^Received (a second|no) request message/;
const UNREADABLE = /^(Failed to decompress|Error deserializing)/;

/**
 * Gives a status grpc-js sends by itself the gateway's shape: the right code
 * (a request that cannot be read is INVALID_ARGUMENT, not INTERNAL) and an
 * ErrorInfo in grpc-status-details-bin. Statuses of ours already carry one
 * and pass unchanged, as do successes.
 */
function typedStatuses(stream: http2.ServerHttp2Stream): void {
  const respond = stream.respond;
  stream.respond = function (this: http2.ServerHttp2Stream, headers, options) {
    if (headers && !Array.isArray(headers)) typeStatus(headers as http2.OutgoingHttpHeaders);
    respond.call(this, headers, options);
  };
  const sendTrailers = stream.sendTrailers;
  stream.sendTrailers = function (this: http2.ServerHttp2Stream, headers) {
    typeStatus(headers);
    sendTrailers.call(this, headers);
  };
}

function typeStatus(headers: http2.OutgoingHttpHeaders): void {
  const raw = headers["grpc-status"];
  if (raw === undefined || headers["grpc-status-details-bin"] !== undefined) return;
  const code = Number(raw);
  if (code === 0 || !Number.isInteger(code)) return;
  let message = String(headers["grpc-message"] ?? "");
  try {
    message = decodeURIComponent(message);
  } catch {
    // grpc-js does not always encode its own messages; the raw text is what it meant.
  }
  if (MESSAGE_COUNT.test(message)) message = `protocol error: ${message}`;
  else if (UNREADABLE.test(message)) message = `invalid request: ${message}`;
  const typed = typedFrameworkError(new ConnectError(message, code as Code));
  headers["grpc-status"] = String(typed.code);
  headers["grpc-message"] = encodeURIComponent(typed.rawMessage);
  headers["grpc-status-details-bin"] = statusDetailsOf(typed).toString("base64").replace(/=+$/, "");
}
