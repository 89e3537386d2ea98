import type * as http from "node:http";
import { Code } from "@connectrpc/connect";
import type { Authenticator, Tenant } from "../auth/tenants.js";
import type { Clock } from "../core/clock.js";
import { GatewayError, invalidRequest, isGatewayError } from "../core/errors.js";
import type { CallContext, Gateway } from "../core/gateway.js";
import type { ChatMessage, ChatRequest, ChatResult, FinishReason, Role, ToolDefinition } from "../core/types.js";
import type { Logger } from "../log.js";
import { authenticate } from "./auth.js";
import { requestIdOf } from "./call-context.js";
import { SpanKind, trace } from "@opentelemetry/api";
import { endSpan, extractContext, tracer } from "../telemetry.js";
import { codeOfReason } from "./error-mapper.js";

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
};

const FINISH: Record<FinishReason, string | null> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  unspecified: null,
};

const ROLES = new Set<Role>(["system", "user", "assistant", "tool"]);

interface OpenAiMessage {
  role?: string;
  content?: string | { type?: string; text?: string }[] | null;
  name?: string;
  tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[];
  tool_call_id?: string;
}

/** The error body OpenAI clients read: `{ error: { message, type, param, code } }`. */
function errorBody(error: GatewayError): { status: number; body: object } {
  const code = codeOfReason[error.reason];
  const [status, type] = HTTP[code] ?? [500, "api_error"];
  const message = error.reason === "INTERNAL" ? "internal error" : error.message;
  return { status, body: { error: { message, type, param: error.metadata["field"] ?? null, code: error.reason.toLowerCase() } } };
}

function text(content: OpenAiMessage["content"], field: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalidRequest(field, "must be a string or an array of text parts");
  return content
    .map((p, i) => {
      if (p.type !== "text" || typeof p.text !== "string") throw invalidRequest(`${field}[${i}]`, "only text parts are supported");
      return p.text;
    })
    .join("");
}

/** Converts an OpenAI chat completion request to the core's, naming the field of any fault. */
export function fromOpenAi(body: Record<string, unknown>): { request: ChatRequest; stream: boolean; includeUsage: boolean } {
  if (typeof body["model"] !== "string") throw invalidRequest("model", "must be a string");
  if (!Array.isArray(body["messages"]) || body["messages"].length === 0) throw invalidRequest("messages", "must be a non-empty array");
  if (body["n"] !== undefined && body["n"] !== 1) throw invalidRequest("n", "only 1 is supported");
  const messages = (body["messages"] as OpenAiMessage[]).map((m, i): ChatMessage => {
    if (!ROLES.has(m.role as Role)) throw invalidRequest(`messages[${i}].role`, "must be system, user, assistant or tool");
    const out: ChatMessage = { role: m.role as Role, content: text(m.content, `messages[${i}].content`) };
    if (m.name) out.name = m.name;
    if (m.tool_call_id) out.toolCallId = m.tool_call_id;
    if (m.tool_calls?.length) {
      out.toolCalls = m.tool_calls.map((c, j) => {
        if (!c.id || !c.function?.name) throw invalidRequest(`messages[${i}].tool_calls[${j}]`, "needs id and function.name");
        return { id: c.id, name: c.function.name, argumentsJson: c.function.arguments ?? "{}" };
      });
    }
    return out;
  });
  const stop = body["stop"];
  const request: ChatRequest = {
    model: body["model"],
    messages,
    stop: typeof stop === "string" ? [stop] : Array.isArray(stop) ? stop.map(String) : [],
    user: typeof body["user"] === "string" ? body["user"] : "",
    metadata: {},
    routing: { preferredProviders: [], excludedProviders: [] },
  };
  const num = (key: string): number | undefined => {
    const v = body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw invalidRequest(key, "must be a number");
    return v;
  };
  const temperature = num("temperature");
  if (temperature !== undefined) request.temperature = temperature;
  const topP = num("top_p");
  if (topP !== undefined) request.topP = topP;
  const maxTokens = num("max_completion_tokens") ?? num("max_tokens");
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const seed = num("seed");
  if (seed !== undefined) request.seed = seed;
  // Extensions: continue a session, control the cache.
  if (typeof body["session_id"] === "string") request.sessionId = body["session_id"];
  const tools = body["tools"];
  if (Array.isArray(tools) && tools.length > 0) {
    const definitions = tools.map((t: { type?: string; function?: { name?: string; description?: string; parameters?: unknown } }, i): ToolDefinition => {
      if (t.type !== "function" || !t.function?.name) throw invalidRequest(`tools[${i}]`, 'must be { type: "function", function: { name, ... } }');
      return { name: t.function.name, description: t.function.description ?? "", parametersJson: JSON.stringify(t.function.parameters ?? { type: "object" }) };
    });
    // The caller's own tools: their calls come back to it, as from OpenAI.
    request.tools = { names: [], all: false, definitions, execution: "client" };
  }
  const options = body["stream_options"] as { include_usage?: boolean } | undefined;
  return { request, stream: body["stream"] === true, includeUsage: options?.include_usage === true };
}

function toolCallsOf(m: ChatMessage) {
  return m.toolCalls?.map((c, index) => ({ index, id: c.id, type: "function", function: { name: c.name, arguments: c.argumentsJson } }));
}

function completionBody(r: ChatResult, created: number) {
  const toolCalls = toolCallsOf(r.message);
  return {
    id: `chatcmpl-${r.id}`,
    object: "chat.completion",
    created,
    model: r.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: r.message.content || (toolCalls ? null : ""), ...(toolCalls ? { tool_calls: toolCalls.map(({ index: _i, ...c }) => c) } : {}) },
        finish_reason: FINISH[r.finishReason],
        logprobs: null,
      },
    ],
    usage: usageBody(r),
    // What the gateway adds; OpenAI clients ignore fields they do not know.
    llm_gateway: { provider: r.provider, cost_usd: r.costUsd, cache_status: r.cacheStatus, latency_ms: r.latencyMs, rounds: r.rounds ?? 1 },
  };
}

const usageBody = (r: ChatResult) => ({
  prompt_tokens: r.usage.inputTokens,
  completion_tokens: r.usage.outputTokens,
  total_tokens: r.usage.inputTokens + r.usage.outputTokens,
});

async function readJson(req: http.IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new GatewayError("INVALID_REQUEST", `the request body is larger than ${limit} bytes`, { metadata: { field: "body" } });
    chunks.push(c as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch {
    throw invalidRequest("body", "must be a JSON object");
  }
}

export interface OpenAiRestOptions {
  gateway: Gateway;
  auth: Authenticator;
  clock: Clock;
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * The OpenAI-compatible REST face: POST /v1/chat/completions (JSON, or SSE
 * with `stream: true`) and GET /v1/models, served by the same core as the
 * gRPC services, with OpenAI's error format and HTTP statuses. Returns false
 * for paths it does not serve.
 */
export function createOpenAiRest(options: OpenAiRestOptions): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const { gateway, auth, clock, logger } = options;

  function fail(res: http.ServerResponse, err: unknown): void {
    const error = isGatewayError(err) ? err : new GatewayError("INTERNAL", "internal error", { cause: err });
    if (error.reason === "INTERNAL") logger.error("REST call failed", { error: String((error.cause as Error | undefined)?.stack ?? error.cause) });
    const { status, body } = errorBody(error);
    if (res.headersSent) {
      // Mid-stream: the status is sent; the error goes as an event, so the stream does not just stop.
      res.end(`data: ${JSON.stringify(body)}\n\n`);
      return;
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (error.retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(error.retryAfterMs / 1000));
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  function callOf(req: http.IncomingMessage, res: http.ServerResponse, tenant: Tenant): CallContext {
    const controller = new AbortController();
    // The client going away aborts the call, and with it the upstream request.
    res.on("close", () => {
      if (!res.writableFinished) controller.abort(new GatewayError("CANCELLED", "the caller went away"));
    });
    const offered = req.headers["x-request-id"];
    const requestId = requestIdOf(typeof offered === "string" ? offered : undefined);
    res.setHeader("x-request-id", requestId);
    const parent = extractContext((name) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : undefined;
    });
    const span = tracer().startSpan("POST /v1/chat/completions", { kind: SpanKind.SERVER, attributes: { "http.request.method": "POST", "url.path": "/v1/chat/completions" } }, parent);
    res.on("close", () => {
      span.setAttribute("http.response.status_code", res.statusCode);
      endSpan(span, res.statusCode >= 500 ? new Error(`HTTP ${res.statusCode}`) : undefined);
    });
    return { signal: controller.signal, requestId, receivedAt: clock.monotonic(), tenant, otel: trace.setSpan(parent, span) };
  }

  async function chat(req: http.IncomingMessage, res: http.ServerResponse, tenant: Tenant): Promise<void> {
    const { request, stream, includeUsage } = fromOpenAi(await readJson(req, options.maxBodyBytes));
    const call = callOf(req, res, tenant);
    const created = Math.floor(clock.now() / 1000);
    if (!stream) {
      const result = await gateway.complete(request, call);
      res.writeHead(200, { "content-type": "application/json", "x-cache-status": result.cacheStatus, "x-llm-provider": result.provider });
      res.end(JSON.stringify(completionBody(result, created)));
      return;
    }
    const id = `chatcmpl-${call.requestId}`;
    const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: request.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra })}\n\n`;
    let started = false;
    const start = (cacheStatus?: string) => {
      if (started) return;
      started = true;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", ...(cacheStatus ? { "x-cache-status": cacheStatus } : {}) });
      res.write(chunk({ role: "assistant", content: "" }));
    };
    for await (const event of gateway.stream(request, call)) {
      if (event.type === "cache") start(event.status);
      else if (event.type === "delta") {
        start();
        res.write(chunk({ content: event.text }));
      } else if (event.type === "done") {
        start();
        const r = event.result;
        const toolCalls = toolCallsOf(r.message);
        if (toolCalls) res.write(chunk({ tool_calls: toolCalls }));
        res.write(chunk({}, FINISH[r.finishReason], { llm_gateway: { provider: r.provider, cost_usd: r.costUsd, cache_status: r.cacheStatus } }));
        if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: r.model, choices: [], usage: usageBody(r) })}\n\n`);
      }
    }
    res.end("data: [DONE]\n\n");
  }

  function models(res: http.ServerResponse, tenant: Tenant): void {
    const data = gateway.catalog.models
      .filter((m) => !tenant.allowedModels || tenant.allowedModels.has(m.name))
      .flatMap((m) => [m.name, ...m.aliases].map((id) => ({ id, object: "model", created: 0, owned_by: m.deployments[0]?.provider ?? "llm-gateway" })));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data }));
  }

  return (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const isChat = path === "/v1/chat/completions";
    const isModels = path === "/v1/models";
    if (!isChat && !isModels) return false;
    void (async () => {
      try {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const tenant = authenticate(auth, headers);
        if (isModels) {
          if (req.method !== "GET") throw invalidRequest("method", "use GET");
          models(res, tenant);
        } else {
          if (req.method !== "POST") throw invalidRequest("method", "use POST");
          await chat(req, res, tenant);
        }
      } catch (err) {
        fail(res, err);
      }
    })();
    return true;
  };
}
