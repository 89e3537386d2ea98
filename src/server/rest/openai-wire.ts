import type * as http from "node:http";
import { Code } from "@connectrpc/connect";
import type { Tenant } from "../../auth/tenants.js";
import type { ModelEntry } from "../../core/catalog.js";
import { bounded, GatewayError } from "../../core/errors.js";
import type { Gateway } from "../../pipeline/pipeline.js";
import type { ChatMessage, ChatResult, ChatStreamEvent, FinishReason } from "../../core/types.js";
import { codeOfReason } from "../error-mapper.js";

/** HTTP status and OpenAI error type for each gRPC code, as OpenAI clients expect them. */
const HTTP: Partial<Record<Code, [number, string]>> = {
  [Code.InvalidArgument]: [400, "invalid_request_error"],
  [Code.FailedPrecondition]: [502, "api_error"],
  [Code.Unauthenticated]: [401, "authentication_error"],
  [Code.PermissionDenied]: [403, "permission_error"],
  [Code.NotFound]: [404, "not_found_error"],
  [Code.ResourceExhausted]: [429, "rate_limit_error"],
  [Code.Unavailable]: [503, "api_error"],
  [Code.DeadlineExceeded]: [504, "timeout_error"],
  [Code.Canceled]: [499, "api_error"],
  [Code.Unimplemented]: [405, "invalid_request_error"],
};

const FINISH: Record<FinishReason, string | null> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  unspecified: null,
};

/** The error body OpenAI clients read: `{ error: { message, type, param, code } }`, and its status. */
export function errorBody(error: GatewayError): { status: number; body: object } {
  const code = codeOfReason[error.reason];
  const [status, type] = HTTP[code] ?? [500, "api_error"];
  const message = error.reason === "INTERNAL" ? "internal error" : bounded(error.message);
  const param = error.metadata["field"];
  return {
    status,
    body: { error: { message, type, param: param === undefined ? null : bounded(param, 256), code: error.reason.toLowerCase() } },
  };
}

function toolCallsOf(m: ChatMessage) {
  return m.toolCalls?.map((c, index) => ({ index, id: c.id, type: "function", function: { name: c.name, arguments: c.argumentsJson } }));
}

const usageBody = (r: ChatResult) => ({
  prompt_tokens: r.usage.inputTokens,
  completion_tokens: r.usage.outputTokens,
  total_tokens: r.usage.inputTokens + r.usage.outputTokens,
});

/** A chat.completion object. */
export function completionBody(r: ChatResult, created: number) {
  const toolCalls = toolCallsOf(r.message);
  return {
    id: `chatcmpl-${r.id}`,
    object: "chat.completion",
    created,
    model: r.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: r.message.content || (toolCalls ? null : ""),
          refusal: null,
          ...(toolCalls ? { tool_calls: toolCalls.map(({ index: _i, ...c }) => c) } : {}),
        },
        finish_reason: FINISH[r.finishReason],
        logprobs: null,
      },
    ],
    usage: usageBody(r),
    // What the gateway adds; OpenAI clients ignore fields they do not know.
    llm_gateway: { provider: r.provider, cost_usd: r.costUsd, cache_status: r.cacheStatus, latency_ms: r.latencyMs, rounds: r.rounds ?? 1 },
  };
}

const modelOf = (id: string, m: ModelEntry) => ({ id, object: "model", created: 0, owned_by: m.deployments[0]?.provider ?? "llm-gateway" });

/** GET /v1/models: the names and aliases the tenant may use. */
export function modelList(gateway: Gateway, tenant: Tenant) {
  const data = gateway.catalog.models
    .filter((m) => !tenant.allowedModels || tenant.allowedModels.has(m.name))
    .flatMap((m) => [m.name, ...m.aliases].map((id) => modelOf(id, m)));
  return { object: "list", data };
}

/** GET /v1/models/{id}: one model the tenant may use, or 404 as for a model that does not exist. */
export function modelObject(gateway: Gateway, tenant: Tenant, id: string) {
  const m = gateway.catalog.models.find((x) => x.name === id || x.aliases.includes(id));
  if (!m || (tenant.allowedModels && !tenant.allowedModels.has(m.name))) {
    throw new GatewayError("MODEL_NOT_FOUND", "no such model; GET /v1/models lists the models served", { metadata: { field: "model" } });
  }
  return modelOf(id, m);
}

/** Resolves when the response can take more, or has closed (at once if it already has). */
function writable(res: http.ServerResponse): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * Writes a stream of core events as OpenAI chat.completion.chunk events.
 * The response head waits for the first chunk of the answer (or the
 * failure): a call that fails before any token gets its real status (429,
 * 503, 504 with retry-after), which the SDKs retry, instead of a 200 and an
 * error event. A slow reader holds the upstream back (backpressure).
 */
export async function sseStream(
  res: http.ServerResponse,
  events: AsyncIterable<ChatStreamEvent>,
  meta: { id: string; created: number; model: string; includeUsage: boolean },
): Promise<void> {
  const { id, created } = meta;
  const chunk = (delta: object, finish: string | null = null, extra: object = {}, model = meta.model) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra })}\n\n`;
  const head: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" };
  let started = false;
  const write = async (data: string) => {
    // The client has gone: stop, so that the pipeline below is closed and settles, rather than write into nothing.
    if (res.destroyed || res.writableEnded) throw new GatewayError("CANCELLED", "the caller went away");
    if (!started) {
      started = true;
      res.writeHead(200, head);
    }
    if (!res.write(data)) await writable(res);
  };
  for await (const event of events) {
    if (event.type === "cache") head["x-cache-status"] = event.status;
    else if (event.type === "answering") head["x-llm-provider"] ??= event.provider;
    else if (event.type === "delta") await write(chunk(started ? { content: event.text } : { role: "assistant", content: event.text }));
    else if (event.type === "done") {
      const r = event.result;
      const toolCalls = toolCallsOf(r.message);
      if (toolCalls) await write(chunk(started ? { tool_calls: toolCalls } : { role: "assistant", content: null, tool_calls: toolCalls }));
      if (!started) await write(chunk({ role: "assistant", content: "" }));
      await write(
        chunk({}, FINISH[r.finishReason], { llm_gateway: { provider: r.provider, cost_usd: r.costUsd, cache_status: r.cacheStatus } }),
      );
      if (meta.includeUsage)
        await write(
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: r.model, choices: [], usage: usageBody(r) })}\n\n`,
        );
    }
    // Tool events of a server-side loop are the gateway's own; the OpenAI stream has no place for them.
  }
  res.end("data: [DONE]\n\n");
}
