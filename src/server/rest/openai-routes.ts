import type { Clock } from "../../core/clock.js";
import { withPriorityHeader } from "./priority.js";
import type { Gateway } from "../../pipeline/pipeline.js";
import { fromOpenAi } from "./chat-request.js";
import { numbered, sseStream } from "./openai-sse.js";
import type { DurableFace, DurableStream } from "../../durable/durable.js";
import { GatewayError } from "../../core/errors.js";
import { completionBody, modelList, modelObject } from "./openai-wire.js";
import { readJsonBody } from "./read-body.js";
import { decodeSegment } from "./rest-face.js";
import type { RestRoute } from "./route.js";

export interface OpenAiRoutesOptions {
  gateway: Gateway;
  clock: Clock;
  maxBodyBytes: number;
  /** Resumable streams and idempotency keys; absent, neither. */
  durable?: DurableFace | undefined;
}

/**
 * OpenAI's chat completions (JSON, or SSE with `stream: true`) and its models list, with OpenAI's
 * error shape and HTTP statuses.
 */
export function openAiRoutes(options: OpenAiRoutesOptions): RestRoute[] {
  const { gateway, clock } = options;
  const chat: RestRoute = {
    name: "chat.completions",
    template: () => "/v1/chat/completions",
    matches: (path) => path === "/v1/chat/completions",
    methods: ["POST"],
    async serve({ req, res, call }) {
      const { request, stream, includeUsage } = fromOpenAi(await readJsonBody(req, options.maxBodyBytes));
      withPriorityHeader(request, req);
      const created = Math.floor(clock.now() / 1000);
      const key = headerOf(req.headers["idempotency-key"]);
      const durable = options.durable;
      if (!stream) {
        const result = key && durable ? await durable.calls.complete(request, call, key) : await gateway.complete(request, call);
        res.writeHead(200, { "content-type": "application/json", "x-cache-status": result.cacheStatus, "x-llm-provider": result.provider });
        res.end(JSON.stringify(completionBody(result, created)));
        return;
      }
      const meta = { id: `chatcmpl-${call.requestId}`, created, model: request.model, includeUsage };
      if (!durable || (!durable.resumableStreams && !key)) return sseStream(res, numbered(gateway.stream(request, call)), meta);
      const lastEventId = durable.resumableStreams ? headerOf(req.headers["last-event-id"]) : undefined;
      const s: DurableStream = lastEventId ? await resumeOf(durable, lastEventId, call) : await durable.calls.start(request, call, key);
      await sseStream(res, s.events, { ...meta, ...(durable.resumableStreams ? { resumeToken: s.token } : {}) });
    },
  };
  const models: RestRoute = {
    name: "models",
    template: (path) => (path === "/v1/models" || path === "/v1/models/" ? "/v1/models" : "/v1/models/{id}"),
    matches: (path) => path === "/v1/models" || path.startsWith("/v1/models/"),
    methods: ["GET"],
    async serve({ res, path, tenant }) {
      const id = path === "/v1/models" || path === "/v1/models/" ? undefined : decodeSegment(path.slice("/v1/models/".length));
      const body = id === undefined ? modelList(gateway, tenant) : modelObject(gateway, tenant, id);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    },
  };
  return [chat, models];
}

const headerOf = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

/**
 * Re-attaches a POST that carries Last-Event-ID (`<resume token>.<event id>`, as the stream's `id:`
 * lines give it) to its stream: the body is read but not run again.
 */
function resumeOf(durable: DurableFace, lastEventId: string, call: Parameters<DurableFace["calls"]["resume"]>[2]): Promise<DurableStream> {
  const dot = lastEventId.lastIndexOf(".");
  const after = Number(lastEventId.slice(dot + 1));
  if (dot <= 0 || !Number.isSafeInteger(after) || after < 0) {
    throw new GatewayError("INVALID_REQUEST", "Last-Event-ID must be <resume token>.<event id>, as the stream's id lines give it", {
      metadata: { field: "Last-Event-ID" },
    });
  }
  return durable.calls.resume(lastEventId.slice(0, dot), after, call);
}
