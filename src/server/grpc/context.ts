import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { createContextValues, type HandlerContext } from "@connectrpc/connect";
import type { Deadline, Metadata } from "@grpc/grpc-js";
import { MetadataHeaders } from "./metadata-headers.js";

/** What a grpc-js call offers that a handler context is built from. */
export interface GrpcCall {
  readonly metadata: Metadata;
  getDeadline(): Deadline;
}

/**
 * The handler context of one call on the grpc-js listener: what a Connect
 * handler reads (request headers, deadline, signal, context values) and
 * writes (response headers and trailers), so that one implementation serves
 * both listeners. One AbortController per call, aborted only when the call
 * is cut short (the caller cancelled, its deadline passed, the server is
 * shutting down): a call that ends normally aborts nothing, so no
 * DOMException is built for it.
 */
export class GrpcCallContext implements HandlerContext {
  readonly requestMethod = "POST";
  readonly protocolName = "grpc";
  readonly requestHeader: Headers;
  readonly responseHeader = new Headers();
  readonly responseTrailer = new Headers();
  readonly values = createContextValues();
  readonly signal: AbortSignal;
  /** True once the call has its answer: later aborts (grpc-js reports every finished call as cancelled) are ignored. */
  settled = false;
  private readonly controller = new AbortController();
  private readonly deadline: number;

  constructor(
    readonly service: DescService,
    readonly method: DescMethod,
    readonly url: string,
    call: GrpcCall,
  ) {
    this.signal = this.controller.signal;
    this.requestHeader = new MetadataHeaders(call.metadata);
    const deadline = call.getDeadline();
    this.deadline = deadline instanceof Date ? deadline.getTime() : deadline;
  }

  timeoutMs(): number | undefined {
    return Number.isFinite(this.deadline) ? this.deadline - Date.now() : undefined;
  }

  /** Cuts the call short, unless it has already ended. */
  abort(reason: unknown): void {
    if (!this.settled && !this.signal.aborted) this.controller.abort(reason);
  }
}
