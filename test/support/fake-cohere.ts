import type { IncomingMessage, ServerResponse } from "node:http";
import { fakeEmbeddings } from "./fake-embeddings.js";
import type { FakeBehaviour, RecordedRequest } from "./fake-upstream.js";

/*
 * Cohere's v2 API as the fake upstream speaks it: POST /v2/chat answers JSON, or with "stream": true
 * server-sent events named by type (message-start, content-start, content-delta, content-end,
 * tool-plan-delta, tool-call-start, tool-call-delta, tool-call-end, message-end), each event's data
 * carrying its type too, as Cohere sends them; POST /v2/embed answers vectors by type. Errors are
 * Cohere's { message } bodies; a call without a bearer token is refused (401), and a token starting
 * "invalid" is refused as Cohere refuses a revoked one (498, "invalid api token").
 */

const PATH = /^\/v2\/(chat|embed)(?:\?.*)?$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const words = (text: string): string[] => text.match(/\S+\s*/g) ?? [];

/** Usage as Cohere reports it: what it bills, and every token it counted (a few special ones more). */
function usage(text: string) {
  const output = words(text).length;
  return {
    billed_units: { input_tokens: 11, output_tokens: output },
    tokens: { input_tokens: 17, output_tokens: output + 2 },
    cached_tokens: 3,
  };
}

const TOOL_PLAN = "I will call the tools.";

function unaryAnswer(text: string, b: FakeBehaviour) {
  const toolCalls = b.toolCalls?.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  return {
    id: "fake-cohere",
    finish_reason: b.finishReason ?? (toolCalls ? "TOOL_CALL" : "COMPLETE"),
    message: {
      role: "assistant",
      ...(text ? { content: [{ type: "text", text }] } : {}),
      ...(toolCalls ? { tool_plan: TOOL_PLAN, tool_calls: toolCalls } : {}),
    },
    ...(b.omitUsage ? {} : { usage: usage(text) }),
  };
}

function* streamEvents(text: string, b: FakeBehaviour): Generator<{ type: string; data: object; text?: boolean; finish?: boolean }> {
  const ev = (type: string, data: object = {}, more: { text?: boolean; finish?: boolean } = {}) => ({
    type,
    data: { type, ...data },
    ...more,
  });
  yield ev("message-start", { id: "fake-cohere", delta: { message: { role: "assistant" } } });
  if (text) {
    yield ev("content-start", { index: 0, delta: { message: { content: { type: "text", text: "" } } } });
    for (const w of words(text)) yield ev("content-delta", { index: 0, delta: { message: { content: { text: w } } } }, { text: true });
    yield ev("content-end", { index: 0 });
  }
  if (b.toolCalls?.length) yield ev("tool-plan-delta", { delta: { message: { tool_plan: TOOL_PLAN } } });
  for (const [index, c] of (b.toolCalls ?? []).entries()) {
    const half = Math.ceil(c.arguments.length / 2);
    const start = { id: c.id, type: "function", function: { name: c.name, arguments: c.arguments.slice(0, half) } };
    yield ev("tool-call-start", { index, delta: { message: { tool_calls: start } } });
    yield ev("tool-call-delta", { index, delta: { message: { tool_calls: { function: { arguments: c.arguments.slice(half) } } } } });
    yield ev("tool-call-end", { index });
  }
  const finish = b.finishReason ?? (b.toolCalls ? "TOOL_CALL" : "COMPLETE");
  yield ev(
    "message-end",
    { id: "fake-cohere", delta: { finish_reason: finish, ...(b.omitUsage ? {} : { usage: usage(text) }) } },
    { finish: true },
  );
}

/** Cohere's embed answer, from the fake's OpenAI-format embedder: floats by type, billed input tokens in meta. */
async function embedAnswer(body: Record<string, unknown>): Promise<{ status: number; body: object }> {
  if (typeof body["input_type"] !== "string") return { status: 400, body: { message: "input_type is required for embed-v4.0" } };
  const texts = Array.isArray(body["texts"]) ? body["texts"] : [];
  const dimensions = typeof body["output_dimension"] === "number" ? body["output_dimension"] : 1536;
  const answer = await fakeEmbeddings({ input: texts, dimensions });
  if (answer.status !== 200) return { status: 400, body: { message: "invalid request: texts must be a non-empty list of strings" } };
  const data = answer.body as { data: { embedding: number[] }[]; usage: { prompt_tokens: number } };
  return {
    status: 200,
    body: {
      id: "fake-embed",
      response_type: "embeddings_by_type",
      embeddings: { float: data.data.map((d) => d.embedding) },
      texts,
      meta: { api_version: { version: "2" }, billed_units: { input_tokens: data.usage.prompt_tokens } },
    },
  };
}

/**
 * Answers the request if it is Cohere's (returning true), as scripted by the behaviour `next` gives:
 * the same FakeBehaviour fields as the other formats (retryAfter is Cohere's retry-after header);
 * rawEvents items are { event: <type>, data } or bare data objects whose `type` names the event.
 */
export async function answerCohere(call: {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  next: () => FakeBehaviour;
  defaultText: string;
}): Promise<boolean> {
  const { req, res, record, next, defaultText } = call;
  const path = PATH.exec(req.url ?? "");
  if (!path || req.method !== "POST") return false;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): true => {
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    return true;
  };
  const destroy = (): true => {
    req.socket.destroy();
    return true;
  };
  const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
  if (!token) return json(401, { message: "no api key supplied" });
  if (token.startsWith("invalid")) return json(498, { message: "invalid api token" });
  const b = next();
  if (b.reset) return destroy();
  if (b.hang) return true;
  if (b.firstByteDelayMs) await sleep(b.firstByteDelayMs);
  if (res.destroyed) return true;
  if (b.status && b.status >= 400)
    return json(b.status, { message: `fake upstream says ${b.status}` }, b.retryAfter ? { "retry-after": b.retryAfter } : {});
  if (path[1] === "embed") {
    const answer = await embedAnswer(record.body);
    return json(answer.status, answer.body);
  }
  const text = b.text ?? defaultText;
  if (record.body["stream"] !== true) return json(200, b.rawBody ?? unaryAnswer(text, b));
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const events = b.rawEvents
    ? b.rawEvents.map((e) => {
        const named = e as { event?: string; data?: object };
        return named.event
          ? { type: named.event, data: named.data ?? {} }
          : { type: String((e as { type?: unknown }).type), data: e as object };
      })
    : [...streamEvents(text, b)];
  let textChunks = 0;
  for (const e of events as { type: string; data: object; text?: boolean; finish?: boolean }[]) {
    if (res.destroyed) return true;
    if (e.text && b.abortAfterChunks !== undefined && textChunks++ >= b.abortAfterChunks) return destroy();
    if (e.finish && b.endWithoutFinish) break;
    await new Promise<void>((resolve) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`, () => resolve()));
    if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
  }
  res.end();
  return true;
}
