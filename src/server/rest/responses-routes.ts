import type * as http from "node:http";
import { withPriorityHeader } from "./priority.js";
import type { Tenant } from "../../auth/tenants.js";
import type { CallContext } from "../../core/call.js";
import type { Clock } from "../../core/clock.js";
import { GatewayError, invalidRequest } from "../../core/errors.js";
import { estimatePromptTokens } from "../../core/tokens.js";
import type { ChatMessage } from "../../core/types.js";
import type { Gateway } from "../../pipeline/pipeline.js";
import { readJsonBody } from "./read-body.js";
import { conversationItems, pageOf } from "./responses-items.js";
import { finishedResponse, newId, type OutputIds, outputIds, type ResponseHead } from "./responses-object.js";
import { resolveReferences } from "./responses-references.js";
import { fromResponses, type ResponsesCall } from "./responses-request.js";
import { responsesErrors, responsesStream } from "./responses-sse.js";
import type { ResponsesStore } from "./responses-store.js";
import { decodeSegment } from "./rest-face.js";
import type { RestRoute } from "./route.js";
import type { Logger } from "../../log.js";

export interface ResponsesRoutesOptions {
  gateway: Gateway;
  clock: Clock;
  store: ResponsesStore;
  maxBodyBytes: number;
  /** Told when an answered response could not be stored. */
  logger?: Logger | undefined;
}

/** Where each turn of a history starts: at a user message (tool results stay with the calls they answer). */
function turnStarts(history: readonly ChatMessage[]): number[] {
  const starts: number[] = [];
  history.forEach((m, i) => {
    if (i > 0 && m.role === "user") starts.push(i);
  });
  return starts;
}

/**
 * The chain's history that this call sends. With truncation "disabled" (OpenAI's default) all of it,
 * or a refusal when the conversation would outgrow what a stored response may hold; with "auto" the
 * oldest turns are dropped until it fits that bound and (by estimate) the model's context window.
 */
function fitted(history: ChatMessage[], call: ResponsesCall, maxMessages: number, contextWindow: number, room: number): ChatMessage[] {
  // A response to store must hold the history, the new input and at least one answer message.
  const fits = (h: readonly ChatMessage[]) =>
    (!call.settings.store || h.length + call.input.length + 1 <= maxMessages) &&
    (call.settings.truncation === "disabled" || estimatePromptTokens([...h, ...call.request.messages]) + room <= contextWindow);
  if (fits(history)) return history;
  if (call.settings.truncation === "disabled")
    throw invalidRequest(
      "previous_response_id",
      `the conversation would hold more than the ${maxMessages} messages this gateway keeps; send truncation: "auto" to drop its oldest turns`,
    );
  for (const start of turnStarts(history)) if (fits(history.slice(start))) return history.slice(start);
  if (call.settings.store && call.input.length + 1 > maxMessages)
    throw invalidRequest("input", `holds more than the ${maxMessages - 1} messages this gateway keeps in one response`);
  return [];
}

/**
 * OpenAI also serves the Responses API over a WebSocket on GET /v1/responses, which Codex CLI tries
 * first when it talks to its built-in OpenAI provider. The gateway serves it over HTTP only: 426
 * (Upgrade Required) is the answer on which Codex falls back to HTTP at once; to a 404 or 405 it
 * retries the WebSocket five times first, with back-off. A GET that asks for no upgrade is 405.
 */
function refuseWebSocket(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.headers.upgrade?.toLowerCase() !== "websocket")
    throw new GatewayError("METHOD_NOT_ALLOWED", "POST only", { metadata: { allow: "POST" } });
  const message = "this gateway serves the Responses API over HTTP (POST /v1/responses), not over a WebSocket";
  const body = { error: { message, type: "invalid_request_error", param: null, code: "websocket_not_supported" } };
  res.writeHead(426, { "content-type": "application/json", connection: "close" }).end(JSON.stringify(body));
}

/**
 * OpenAI's Responses API: POST /v1/responses (JSON, or its event stream with `stream: true`), and
 * GET and DELETE /v1/responses/{id} for stored responses, with OpenAI's error shape and statuses.
 * Every call goes through the one pipeline (limits, budgets, cache, routing, resilience, usage).
 */
export function responsesRoutes(options: ResponsesRoutesOptions): RestRoute[] {
  const { gateway, clock, store } = options;

  /**
   * Puts the chain's history (if any) between the instructions and the new input of the call's
   * request, and returns it: what a stored response will hold before its input and answer.
   */
  async function withHistory(call: ResponsesCall, tenant: Tenant, context: CallContext): Promise<ChatMessage[]> {
    const { request, settings, input } = call;
    const previous = settings.previous_response_id;
    if (!previous) {
      if (input.length + 1 > store.maxMessages && settings.store)
        throw invalidRequest("input", `holds more than the ${store.maxMessages - 1} messages this gateway keeps in one response`);
      return [];
    }
    const model = gateway.resolveModel(request.model, context);
    const stored = await store.conversation(tenant, previous);
    const history = fitted(stored, call, store.maxMessages, model.contextWindow, request.maxTokens ?? model.maxOutputTokens);
    const system = request.messages.slice(0, request.messages.length - input.length);
    request.messages = [...system, ...history, ...input];
    return history;
  }

  const create: RestRoute = {
    name: "responses.create",
    template: () => "/v1/responses",
    matches: (path) => path === "/v1/responses",
    // GET only to refuse OpenAI's Responses WebSocket in the words its clients understand (below).
    methods: ["POST", "GET"],
    errors: responsesErrors,
    async serve({ req, res, call: context, tenant }) {
      if (req.method === "GET") return refuseWebSocket(req, res);
      const call = fromResponses(await resolveReferences(await readJsonBody(req, options.maxBodyBytes), tenant, store));
      const { request, settings, input } = call;
      withPriorityHeader(request, req);
      const history = await withHistory(call, tenant, context);
      // The model the stream's first events name: the catalogue's, when the request left it to the default.
      const model = request.model || gateway.resolveModel("", context).name;
      const head: ResponseHead = { id: newId("resp"), createdAt: Math.floor(clock.now() / 1000), model, settings };
      const style = { summary: call.summary, encrypted: call.encryptedReasoning, namespaced: call.namespaced, compact: call.compact };
      const finish = async (r: Parameters<typeof finishedResponse>[1], ids: OutputIds) => {
        const response = finishedResponse(head, r, ids, style, Math.floor(clock.now() / 1000));
        // store: false keeps nothing, so a later previous_response_id to it is 404.
        if (settings.store) {
          try {
            await store.save(tenant, response, [...history, ...input, r.message]);
          } catch (err) {
            // The answer is made and paid for: the caller gets it, marked as not stored (a later
            // previous_response_id to it is 404), rather than an error whose retry would pay again.
            response["store"] = false;
            options.logger?.warn("an answered response could not be stored; sent with store: false", {
              response_id: response.id,
              error: err instanceof Error ? err.message : String(err),
            });
          }
        }
        return response;
      };
      if (!call.stream) {
        const result = await gateway.complete(request, context);
        const response = await finish(result, outputIds(head.id));
        res.writeHead(200, { "content-type": "application/json", "x-cache-status": result.cacheStatus, "x-llm-provider": result.provider });
        res.end(JSON.stringify(response));
        return;
      }
      await responsesStream(res, gateway.stream(request, context), { head, style, finish });
    },
  };

  // Before the stored routes: its path would read as a response's id.
  const inputTokens: RestRoute = {
    name: "responses.input_tokens",
    template: () => "/v1/responses/input_tokens",
    matches: (path) => path === "/v1/responses/input_tokens",
    methods: ["POST"],
    errors: responsesErrors,
    async serve({ req, res, call: context, tenant }) {
      const call = fromResponses(await resolveReferences(await readJsonBody(req, options.maxBodyBytes), tenant, store));
      if (call.stream) throw invalidRequest("stream", "does not apply to counting");
      // Counting stores nothing: the bound on what a stored response holds does not apply.
      call.settings.store = false;
      await withHistory(call, tenant, context);
      const count = await gateway.countTokens(call.request.model, call.request.messages, context);
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ object: "response.input_tokens", input_tokens: count.tokens }));
    },
  };

  const PREFIX = "/v1/responses/";
  const idOf = (path: string) => decodeSegment(path.slice(PREFIX.length));
  const one: RestRoute = {
    name: "responses.stored",
    template: () => "/v1/responses/{id}",
    // OpenAI's POST /v1/responses/compact is an endpoint, not a response id: left to the 404 for
    // endpoints not served (the SDKs' NotFoundError), not a 405 that says the path exists.
    matches: (path) =>
      path.startsWith(PREFIX) && path.length > PREFIX.length && !path.slice(PREFIX.length).includes("/") && path !== `${PREFIX}compact`,
    methods: ["GET", "DELETE"],
    errors: responsesErrors,
    async serve({ req, res, path, tenant }) {
      const id = idOf(path);
      // Retrieve's query options (stream replay, include) are not served: refused rather than ignored.
      const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
      for (const key of query.keys()) throw invalidRequest(key, "query parameters are not served on this endpoint");
      if (req.method === "DELETE") {
        await store.delete(tenant, id);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id, object: "response", deleted: true }));
        return;
      }
      const { response } = await store.get(tenant, id);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(response));
    },
  };
  const SUFFIX = "/input_items";
  const items: RestRoute = {
    name: "responses.input_items",
    template: () => "/v1/responses/{id}/input_items",
    matches: (path) => path.startsWith(PREFIX) && path.endsWith(SUFFIX) && !path.slice(PREFIX.length, -SUFFIX.length).includes("/"),
    methods: ["GET"],
    errors: responsesErrors,
    async serve({ req, res, path, tenant }) {
      const id = decodeSegment(path.slice(PREFIX.length, -SUFFIX.length));
      const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
      const input = await store.input(tenant, id);
      const body = pageOf(conversationItems(id, input), query);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    },
  };
  return [create, inputTokens, one, items];
}
