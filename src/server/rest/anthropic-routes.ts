import type * as http from "node:http";
import { withPriorityHeader } from "./priority.js";
import type { Clock } from "../../core/clock.js";
import { echo, GatewayError, invalidRequest } from "../../core/errors.js";
import { estimatePromptTokens } from "../../core/tokens.js";
import type { ChatMessage, ChatStreamEvent } from "../../core/types.js";
import type { Gateway } from "../../pipeline/pipeline.js";
import { type AnthropicVersion, fromAnthropic, inCallerTerms } from "./anthropic-request.js";
import { anthropicStream } from "./anthropic-sse.js";
import { type DurableCalls, eventsOf } from "../../durable/durable.js";
import { anthropicErrors, contextInAnthropicWords, messageBody } from "./anthropic-wire.js";
import { readJsonBody } from "./read-body.js";
import type { RestRoute } from "./route.js";

export interface AnthropicRoutesOptions {
  gateway: Gateway;
  maxBodyBytes: number;
  clock: Clock;
  /** How long a stream may stay quiet before it pings (and begins, if it has not); Anthropic's ping about as often. */
  pingEveryMs?: number;
  /** Idempotency keys (docs/resilience.md "Idempotency keys"); absent, none. */
  durable?: DurableCalls | undefined;
}

const VERSIONS: ReadonlySet<string> = new Set<AnthropicVersion>(["2023-06-01", "2026-10-21"]);

/**
 * What each anthropic-beta does here. A beta only permits: most unlock a body field or a tool type,
 * and those are honoured or refused by the request's own checks. "accepted" betas either turn on what
 * the gateway honours anyway, or change nothing in the answer the caller gets; "refused" ones are refused
 * by name; one not listed is let through and named in x-llm-gateway-betas-ignored (see checkBetas).
 * docs/faces/anthropic-messages.md gives each one's reason.
 */
export const BETAS: Readonly<Record<string, "accepted" | "refused">> = {
  // Identity and credentials: the gateway authenticates its own keys and calls upstreams with its own.
  "claude-code-20250219": "accepted",
  "oauth-2025-04-20": "accepted",
  // Features the face honours: prompt caching and its 1-hour TTL and scope, token counting, effort,
  // structured outputs, PDFs and file ids, thinking counts in usage, system messages in messages[].
  "prompt-caching-2024-07-31": "accepted",
  "extended-cache-ttl-2025-04-11": "accepted",
  "prompt-caching-scope-2026-01-05": "accepted",
  "token-counting-2024-11-01": "accepted",
  "effort-2025-11-24": "accepted",
  "structured-outputs-2025-11-13": "accepted",
  "structured-outputs-2025-12-15": "accepted",
  "pdfs-2024-09-25": "accepted",
  "files-api-2025-04-14": "accepted",
  "thinking-token-count-2026-05-13": "accepted",
  "mid-conversation-system-2026-04-07": "accepted",
  // context_management itself is refused unless it clears nothing.
  "context-management-2025-06-27": "accepted",
  // Permissions the answer does not need: thinking may stay before the tool calls, tool input comes whole.
  "interleaved-thinking-2025-05-14": "accepted",
  "fine-grained-tool-streaming-2025-05-14": "accepted",
  // Unlocks only a server tool, which tools[i] refuses.
  "advisor-tool-2026-03-01": "accepted",
  // Permit a longer prompt or answer than the model's default. The catalogue's contextWindow and
  // maxOutputTokens are what the gateway's deployments serve, and the core refuses a request beyond
  // them (400 naming messages or max_tokens); a request within them is answered as it would be with
  // the beta. Claude Code sends context-1m with every request for its default (Opus) model.
  "context-1m-2025-08-07": "accepted",
  "output-128k-2025-02-19": "accepted",
};

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
};

/** The API version asked for: required, as Anthropic requires it, and one this face speaks. */
function versionOf(req: http.IncomingMessage): AnthropicVersion {
  const v = header(req, "anthropic-version")?.trim();
  if (!v) throw invalidRequest("anthropic-version", "header is required (2023-06-01 or 2026-10-21)");
  if (!VERSIONS.has(v))
    throw invalidRequest("anthropic-version", `${echo(v)} is not a version this gateway speaks; send 2023-06-01 or 2026-10-21`);
  return v as AnthropicVersion;
}

/**
 * Refuses a beta that would change the answer and is not honoured, and names the betas it does not
 * know in a response header. An unknown beta is let through rather than refused: a beta only permits,
 * and what it permits in the body (a field, a block, a tool type) is honoured or refused by the
 * request's own strict checks; refusing it would cost every client newer than this table a failed
 * call (Claude Code strips a refused beta and asks again, one beta per round trip).
 */
function checkBetas(req: http.IncomingMessage, res: http.ServerResponse): void {
  const list = header(req, "anthropic-beta");
  if (!list) return;
  const betas = list
    .split(",")
    .map((b) => b.trim())
    .filter(Boolean);
  if (betas.length > 64) throw invalidRequest("anthropic-beta", "lists more than 64 betas");
  const unknown: string[] = [];
  for (const b of betas) {
    const verdict = Object.hasOwn(BETAS, b) ? BETAS[b] : undefined;
    if (verdict === "accepted") continue;
    if (verdict === "refused") throw invalidRequest("anthropic-beta", `${echo(b)} is not honoured by this gateway; leave it out`);
    // Header-safe and bounded: a beta's name is a token.
    if (/^[A-Za-z0-9._-]{1,64}$/.test(b)) unknown.push(b);
  }
  if (unknown.length > 0) res.setHeader("x-llm-gateway-betas-ignored", unknown.join(","));
}

/** The headers every answer of this face carries: Anthropic's request-id beside the gateway's x-request-id. */
function prepare(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): AnthropicVersion {
  res.setHeader("request-id", requestId);
  const version = versionOf(req);
  checkBetas(req, res);
  return version;
}

/**
 * Anthropic's Messages API: POST /v1/messages (JSON, or Anthropic's event stream with
 * `stream: true`) and POST /v1/messages/count_tokens, with Anthropic's error shape and statuses.
 * The beta client's `?beta=true` query asks for nothing more here: betas travel in anthropic-beta.
 */
export function anthropicRoutes(options: AnthropicRoutesOptions): RestRoute[] {
  const { gateway } = options;
  const keepalive = { clock: options.clock, everyMs: options.pingEveryMs ?? 10_000 };
  const messages: RestRoute = {
    name: "messages",
    template: () => "/v1/messages",
    matches: (path) => path === "/v1/messages",
    methods: ["POST"],
    errors: anthropicErrors,
    async serve({ req, res, call }) {
      const version = prepare(req, res, call.requestId);
      const { request, stream, located, omitThinking } = fromAnthropic(await readJsonBody(req, options.maxBodyBytes), version);
      withPriorityHeader(request, req);
      const id = `msg_${call.requestId}`;
      const key = [req.headers["idempotency-key"]].flat()[0]?.trim() || undefined;
      const durable = key ? options.durable : undefined;
      try {
        if (!stream) {
          const result = key && durable ? await durable.complete(request, call, key) : await gateway.complete(request, call);
          res.writeHead(200, {
            "content-type": "application/json",
            "x-cache-status": result.cacheStatus,
            "x-llm-provider": result.provider,
          });
          const shown = omitThinking ? { ...result, message: withoutThinkingText(result.message) } : result;
          res.end(JSON.stringify(messageBody(shown, id, request.model)));
          return;
        }
        const events = key && durable ? eventsOf(await durable.start(request, call, key)) : gateway.stream(request, call);
        await anthropicStream(
          res,
          omitThinking ? thinkingTextOmitted(events) : events,
          {
            id,
            model: request.model,
            estimatedInputTokens: estimatePromptTokens(request.messages),
          },
          keepalive,
        );
      } catch (err) {
        throw inCallerTerms(contextInAnthropicWords(err), located);
      }
    },
  };
  const countTokens: RestRoute = {
    name: "messages.count_tokens",
    template: () => "/v1/messages/count_tokens",
    matches: (path) => path === "/v1/messages/count_tokens",
    methods: ["POST"],
    errors: anthropicErrors,
    async serve({ req, res, call }) {
      const version = prepare(req, res, call.requestId);
      const { request, toolsText, located } = fromAnthropic(await readJsonBody(req, options.maxBodyBytes), version, true);
      // The tools' definitions are part of the prompt the model reads: counted as one more block of text.
      const counted: ChatMessage[] = toolsText ? [...request.messages, { role: "system", content: toolsText }] : request.messages;
      const { tokens } = await gateway.countTokens(request.model, counted, call).catch((err: unknown) => {
        throw inCallerTerms(err, located);
      });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ input_tokens: tokens }));
    },
  };
  // The rest of Anthropic's API under /v1/messages (batches) is not served: said in Anthropic's shape.
  const others: RestRoute = {
    name: "messages.other",
    template: () => "/v1/messages/{other}",
    matches: (path) => path.startsWith("/v1/messages/"),
    methods: ["GET", "POST", "DELETE"],
    errors: anthropicErrors,
    serve: () => {
      throw new GatewayError("NOT_FOUND", "this gateway serves POST /v1/messages and /v1/messages/count_tokens only", {
        metadata: { field: "url" },
      });
    },
  };
  return [messages, countTokens, others];
}

const withoutThinkingText = (m: ChatMessage): ChatMessage => (m.reasoning ? { ...m, reasoning: "" } : m);

/** thinking.display "omitted": the thinking blocks and their signatures, without their text. */
async function* thinkingTextOmitted(events: AsyncIterable<ChatStreamEvent>): AsyncIterable<ChatStreamEvent> {
  for await (const e of events) {
    if (e.type === "reasoning") yield { ...e, text: "" };
    else if (e.type === "done") yield { ...e, result: { ...e.result, message: withoutThinkingText(e.result.message) } };
    else yield e;
  }
}
