import type { Clock } from "../../core/clock.js";
import { withPriorityHeader } from "./priority.js";
import type { Gateway } from "../../pipeline/pipeline.js";
import { fromOpenAi } from "./chat-request.js";
import { sseStream } from "./openai-sse.js";
import { completionBody, modelList, modelObject } from "./openai-wire.js";
import { readJsonBody } from "./read-body.js";
import { decodeSegment } from "./rest-face.js";
import type { RestRoute } from "./route.js";

export interface OpenAiRoutesOptions {
  gateway: Gateway;
  clock: Clock;
  maxBodyBytes: number;
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
      if (!stream) {
        const result = await gateway.complete(request, call);
        res.writeHead(200, { "content-type": "application/json", "x-cache-status": result.cacheStatus, "x-llm-provider": result.provider });
        res.end(JSON.stringify(completionBody(result, created)));
        return;
      }
      await sseStream(res, gateway.stream(request, call), {
        id: `chatcmpl-${call.requestId}`,
        created,
        model: request.model,
        includeUsage,
      });
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
