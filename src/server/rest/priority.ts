import type * as http from "node:http";
import type { ChatRequest } from "../../core/types.js";
import { parsePriority } from "../../queue/queues.js";

/** The header a REST caller sets its call's priority with (gRPC callers use ChatRequest.priority). */
export const PRIORITY_HEADER = "x-llm-gateway-priority";

/**
 * Takes the call's priority among its tenant's waiting calls from the
 * x-llm-gateway-priority header, 0 to 9; a bad value is refused naming the
 * header. A header keeps the request bodies exactly OpenAI's and Anthropic's.
 */
export function withPriorityHeader(request: ChatRequest, req: http.IncomingMessage): ChatRequest {
  const raw = req.headers[PRIORITY_HEADER];
  const priority = parsePriority(Array.isArray(raw) ? raw.join(",") : raw, PRIORITY_HEADER);
  if (priority !== undefined) request.priority = priority;
  return request;
}
