import type * as http from "node:http";
import type { Tenant } from "../../auth/tenants.js";
import type { CallContext } from "../../core/call.js";
import type { GatewayError } from "../../core/errors.js";

export type HttpMethod = "GET" | "POST" | "DELETE";

/** How one face says an error: its body and status, and its last event on a stream already started. */
export interface ErrorShape {
  /** `requestId` is the call's (x-request-id), for faces whose error bodies carry it (Anthropic's request_id). */
  body(error: GatewayError, requestId?: string): { status: number; body: object; headers?: Record<string, string> };
  /** What ends a stream whose status was already sent (an SSE event, with its framing). */
  streamEvent(error: GatewayError, requestId?: string): string;
}

/** One call to a REST route: authenticated, with the core's call context. */
export interface RestExchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** The path, without the query. */
  path: string;
  call: CallContext;
  tenant: Tenant;
}

/**
 * One endpoint (or family of endpoints) of a REST face: OpenAI chat completions, the models list,
 * Anthropic messages, embeddings, responses. The face does what every route shares (request id,
 * span, authentication, the call's signal, errors, the access log); a route reads its body and answers.
 */
export interface RestRoute {
  /** The method in metrics and logs, e.g. "chat.completions". */
  readonly name: string;
  /** The span's route: the path with its variables named, e.g. "/v1/models/{id}". */
  template(path: string): string;
  matches(path: string): boolean;
  /** The methods it answers; another is refused with 405. */
  readonly methods: readonly HttpMethod[];
  serve(exchange: RestExchange): Promise<void>;
  /** Its face's error shape; OpenAI's when absent. */
  readonly errors?: ErrorShape;
}
