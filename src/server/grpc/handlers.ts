import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type * as grpc from "@grpc/grpc-js";
import type { Authenticator } from "../../auth/tenants.js";
import { callerOf, setCaller } from "../auth.js";
import type { Observation, Observer } from "../observe.js";
import { GrpcCallContext } from "./context.js";
import { metadataOf, statusOf, Unreadable } from "./wire.js";

/** What every handler on the grpc-js listener shares. */
export interface GrpcHandlerDeps {
  auth?: Authenticator | undefined;
  observer?: Observer | undefined;
  /** Maps any error to what the client receives and logs it once (failureReporter). */
  report: (method: string, error: unknown) => ConnectError;
  /** The calls in flight, for a shutdown that must end them. */
  live: Set<GrpcCallContext>;
}

// biome-ignore lint/suspicious/noExplicitAny: a service implementation's methods, whatever their message types.
type Impl = (input: any, ctx: HandlerContext) => any;
type Kind = "unary" | "serverStream" | "clientStream" | "bidi";

const KIND: Record<DescMethod["methodKind"], Kind> = {
  unary: "unary",
  server_streaming: "serverStream",
  client_streaming: "clientStream",
  bidi_streaming: "bidi",
};

const CANCELLED = () => new ConnectError("the caller cancelled the call", Code.Canceled);
const DEADLINE = () => new ConnectError("the call's deadline passed", Code.DeadlineExceeded);

/**
 * A grpc-js handler for one method of a Connect service implementation. It
 * does what the browser listener's interceptors do, in the same order:
 * observe the call (span, metrics, access line), resolve the caller's tenant
 * (refusing a missing or wrong key), run the implementation, and map any
 * failure to the gateway's error shape with grpc-status-details-bin.
 */
export function grpcHandlerOf(service: DescService, method: DescMethod, impl: Impl, deps: GrpcHandlerDeps) {
  const path = `/${service.typeName}/${method.name}`;
  const name = `${service.typeName}/${method.name}`;
  const kind = KIND[method.methodKind];
  const { auth, observer, report, live } = deps;

  const begin = (call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>) => {
    const ctx = new GrpcCallContext(service, method, path, call);
    live.add(ctx);
    call.on("cancelled", () => {
      if (ctx.settled) return;
      const deadline = ctx.timeoutMs();
      ctx.abort(deadline !== undefined && deadline <= 0 ? DEADLINE() : CANCELLED());
    });
    const observation = observer?.begin(service.typeName, method.name, ctx.requestHeader, ctx.values);
    return { ctx, observation };
  };
  // Synchronous unless a runtime key must be looked up in the key store.
  const admit = (ctx: GrpcCallContext, input: unknown): void | Promise<void> => {
    const caller = auth ? callerOf(auth, service.typeName, ctx.requestHeader) : undefined;
    if (caller instanceof Promise) {
      return caller.then((c) => {
        setCaller(ctx.values, c);
        if (input instanceof Unreadable) throw input.error;
      });
    }
    if (caller) setCaller(ctx.values, caller);
    if (input instanceof Unreadable) throw input.error;
  };
  const end = (ctx: GrpcCallContext, observation: Observation | undefined, error: ConnectError | undefined) => {
    ctx.settled = true;
    live.delete(ctx);
    observation?.end(error, ctx.responseHeader.get("x-request-id") ?? ctx.requestHeader.get("x-request-id"));
  };

  if (kind === "unary" || kind === "clientStream") {
    const handler = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const { ctx, observation } = begin(call);
      const run = async () => {
        if (kind === "unary") {
          await admit(ctx, call.request);
          return await impl(call.request, ctx);
        }
        await admit(ctx, undefined);
        return await impl(requestsOf(call as unknown as grpc.ServerReadableStream<unknown, unknown>), ctx);
      };
      run().then(
        (message) => {
          end(ctx, observation, undefined);
          call.sendMetadata(metadataOf(ctx.responseHeader));
          callback(null, message, metadataOf(ctx.responseTrailer));
        },
        (err: unknown) => {
          const mapped = report(name, err);
          end(ctx, observation, mapped);
          callback(statusOf(mapped, ctx.responseTrailer, ctx.responseHeader), null);
        },
      );
    };
    return { kind, handler };
  }

  const handler = (call: grpc.ServerDuplexStream<unknown, unknown>) => {
    const { ctx, observation } = begin(call);
    observer?.metrics.streamOpened();
    let headerSent = false;
    const run = async () => {
      let output: AsyncIterable<unknown>;
      if (kind === "serverStream") {
        const request = (call as unknown as grpc.ServerWritableStream<unknown, unknown>).request;
        await admit(ctx, request);
        output = impl(request, ctx);
      } else {
        await admit(ctx, undefined);
        output = impl(requestsOf(call), ctx);
      }
      for await (const message of output) {
        if (!headerSent) {
          headerSent = true;
          call.sendMetadata(metadataOf(ctx.responseHeader));
        }
        // Backpressure: the implementation is asked for its next message only when the caller can take it.
        if (!call.write(message)) await drained(call);
        // The caller has gone: leaving the loop ends the implementation (its finally blocks run).
        if (call.destroyed) throw ctx.signal.reason ?? CANCELLED();
      }
      call.end(metadataOf(ctx.responseTrailer, headerSent ? undefined : metadataOf(ctx.responseHeader)));
    };
    run().then(
      () => {
        observer?.metrics.streamClosed();
        end(ctx, observation, undefined);
      },
      (err: unknown) => {
        const mapped = report(name, err);
        observer?.metrics.streamClosed();
        end(ctx, observation, mapped);
        if (!call.destroyed) call.emit("error", statusOf(mapped, ctx.responseTrailer, headerSent ? undefined : ctx.responseHeader));
      },
    );
  };
  return { kind, handler };
}

/** A caller's request stream, as the implementation reads it; a message that could not be read ends it with the error. */
async function* requestsOf(call: grpc.ServerReadableStream<unknown, unknown>): AsyncIterable<unknown> {
  // Reading to the end must not destroy the call: on a bidi call the answers are still to be written.
  for await (const message of call.iterator({ destroyOnReturn: false })) {
    if (message instanceof Unreadable) throw message.error;
    yield message;
  }
}

/** Resolves when the stream can take more, or has closed. */
function drained(call: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("close", done);
      resolve();
    };
    call.on("drain", done);
    call.on("close", done);
  });
}
