import * as http from "node:http";
import { answerPlatform, type PlatformCall, platformRoute } from "./fake-platforms.js";
import { fakeEmbeddings } from "./fake-embeddings.js";
import { answerGemini, geminiRoute } from "./fake-gemini.js";
import type { AddressInfo } from "node:net";

/**
 * How the fake upstream answers one request. Unset fields mean a normal,
 * successful answer.
 */
export interface FakeBehaviour {
  /** Answer with this HTTP status and a provider-format error body. */
  status?: number;
  /** The retry-after header to send with an error status; retryAfterMs, Azure's retry-after-ms. */
  retryAfter?: string;
  retryAfterMs?: string;
  /** The error body's code (OpenAI format), e.g. Azure's "content_filter". */
  errorCode?: string;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Never answer (until the client gives up). */
  hang?: boolean;
  /** Wait this long before the response headers. */
  firstByteDelayMs?: number;
  /** Wait this long between streamed chunks. */
  chunkDelayMs?: number;
  /** In a stream: destroy the connection after this many text chunks. */
  abortAfterChunks?: number;
  /** In a stream: end cleanly after the text, without a finish reason or [DONE]. */
  endWithoutFinish?: boolean;
  /** The answer's text; streamed word by word. */
  text?: string;
  /** Leave usage out of the answer (OpenAI format only). */
  omitUsage?: boolean;
  /** The provider-format finish or stop reason. */
  finishReason?: string;
  /** Tool calls the model asks for. */
  toolCalls?: { id: string; name: string; arguments: string }[];
  /**
   * A unary answer's body exactly, in place of the generated one (any provider format): for what
   * the generated answers do not cover (usage details, reasoning, logprobs, content blocks).
   */
  rawBody?: unknown;
  /**
   * A streamed answer's events exactly, in place of the generated ones: each item is one event's
   * data (serialised as JSON unless a string), sent as `data: ...`; an item with `event` and `data`
   * is sent as a named event (Anthropic's format). No `[DONE]` is added.
   */
  rawEvents?: (unknown | { event: string; data: unknown })[];
}

/** A request the fake upstream received. */
export interface RecordedRequest extends PlatformCall {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body as it came (a platform's, without what it moves into the path). */
  body: Record<string, unknown>;
  /** True if the client went away before the response was complete. */
  aborted: boolean;
}

/** A scripted HTTP server that speaks the OpenAI, Anthropic and Gemini (fake-gemini.ts) wire formats. */
export interface FakeUpstream {
  /** Base URL for the OpenAI SDK (ends in /v1). */
  openAiBaseUrl: string;
  /** Base URL for the Anthropic SDK. */
  anthropicBaseUrl: string;
  requests: RecordedRequest[];
  /** Behaviours for the next requests, in order; each is used once. */
  enqueue(...behaviours: FakeBehaviour[]): void;
  /** The behaviour of every request once the queue is empty. */
  setDefault(behaviour: FakeBehaviour): void;
  /** Decides each request's behaviour when the queue is empty (a chaos script); undefined falls to the default. */
  setScript(script: ((request: RecordedRequest) => FakeBehaviour | undefined) | undefined): void;
  /** Resolves once a request has been seen to be aborted by its client. */
  waitForAbort(index: number): Promise<void>;
  close(): Promise<void>;
}

const JSON_TYPE = { "content-type": "application/json" };
const DEFAULT_TEXT = "Hello from the fake upstream, streaming word by word.";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a fake upstream on a free port of 127.0.0.1. */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const queue: FakeBehaviour[] = [];
  let fallback: FakeBehaviour = {};
  let script: ((request: RecordedRequest) => FakeBehaviour | undefined) | undefined;
  const requests: RecordedRequest[] = [];
  const abortWaiters = new Map<number, () => void>();
  const sockets = new Set<import("node:net").Socket>();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const route = await platformRoute(req, res, Buffer.concat(chunks));
    const [url, body] = [route.path, route.body];
    const record: RecordedRequest = { path: req.url ?? "", headers: req.headers, body: route.wire, aborted: false, ...route.seen };
    const index = requests.push(record) - 1;
    res.on("close", () => {
      if (!res.writableFinished) {
        record.aborted = true;
        abortWaiters.get(index)?.();
      }
    });
    if (route.refusal)
      return void res.writeHead(route.refusal.status, { ...JSON_TYPE, ...route.refusal.headers }).end(JSON.stringify(route.refusal.body));
    const next = () => queue.shift() ?? script?.(record) ?? fallback;
    if (await answerPlatform({ req, res, record, raw: Buffer.concat(chunks), next, defaultText: DEFAULT_TEXT })) return;
    const b = next();
    const format = url.startsWith("/v1/messages") ? "anthropic" : "openai";
    if (b.reset) return void req.socket.destroy();
    if (b.hang) return;
    if (b.firstByteDelayMs) await sleep(b.firstByteDelayMs);
    if (res.destroyed) return;
    const gemini = geminiRoute(url);
    if (gemini) return void (await answerGemini(req, res, gemini, b, body));
    if (b.status && b.status >= 400) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (b.retryAfter) headers["retry-after"] = b.retryAfter;
      if (b.retryAfterMs) headers["retry-after-ms"] = b.retryAfterMs;
      res.writeHead(b.status, headers).end(JSON.stringify(errorBody(format, b.status, b.errorCode)));
      return;
    }
    const model = String(body["model"] ?? "fake-model");
    if (url.startsWith("/v1/embeddings")) {
      const answer = await fakeEmbeddings(body);
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
      return;
    }
    const text = b.text ?? DEFAULT_TEXT;
    if (body["stream"] === true && b.rawEvents) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (const e of b.rawEvents) {
        if (res.destroyed) return;
        const named =
          typeof e === "object" && e !== null && "event" in e && "data" in e ? (e as { event: string; data: unknown }) : undefined;
        const data = named ? named.data : e;
        const line = `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
        await new Promise<void>((resolve) => res.write(named ? `event: ${named.event}\n${line}` : line, () => resolve()));
        if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      }
      res.end();
      return;
    }
    if (body["stream"] !== true && b.rawBody !== undefined) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(b.rawBody));
      return;
    }
    if (body["stream"] === true) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const events = format === "openai" ? openAiStream(model, text, b) : anthropicStream(model, text, b);
      let textChunks = 0;
      for (const event of events) {
        if (res.destroyed) return;
        if (event.text) {
          if (b.abortAfterChunks !== undefined && textChunks >= b.abortAfterChunks) {
            req.socket.destroy();
            return;
          }
          textChunks++;
        }
        if (event.finish && b.endWithoutFinish) break;
        // Wait for each write to reach the socket, so that a scripted abort cuts after what was sent.
        await new Promise<void>((resolve) => res.write(event.data, () => resolve()));
        if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      }
      res.end();
      return;
    }
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(format === "openai" ? openAiResponse(model, text, b) : anthropicResponse(model, text, b)));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    openAiBaseUrl: `http://127.0.0.1:${port}/v1`,
    anthropicBaseUrl: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...bs) => queue.push(...bs),
    setDefault: (b) => (fallback = b),
    setScript: (fn) => (script = fn),
    waitForAbort: (index) =>
      new Promise((resolve) => {
        if (requests[index]?.aborted) return resolve();
        abortWaiters.set(index, resolve);
      }),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// A leading space stays with the first word, as a model continuing after "to:" sends " the".
const words = (text: string): string[] => text.match(/\s*\S+\s*/g) ?? [];
/** Rough token count for usage: one token per word, as a stand-in upstream may. */
const tokens = (text: string): number => words(text).length;

function errorBody(format: "openai" | "anthropic", status: number, code = String(status)) {
  const type =
    status === 429 ? "rate_limit_error" : status === 401 ? "authentication_error" : status >= 500 ? "api_error" : "invalid_request_error";
  const message = `fake upstream says ${status}`;
  return format === "openai" ? { error: { message, type, code } } : { type: "error", error: { type, message } };
}

interface SseEvent {
  data: string;
  text?: boolean;
  finish?: boolean;
}

function openAiResponse(model: string, text: string, b: FakeBehaviour) {
  const toolCalls = b.toolCalls?.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        finish_reason: b.finishReason ?? (toolCalls ? "tool_calls" : "stop"),
        logprobs: null,
      },
    ],
    ...(b.omitUsage ? {} : { usage: { prompt_tokens: 11, completion_tokens: tokens(text), total_tokens: 11 + tokens(text) } }),
  };
}

function* openAiStream(model: string, text: string, b: FakeBehaviour): Iterable<SseEvent> {
  const chunk = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model, choices, ...extra })}\n\n`;
  yield { data: chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]) };
  for (const w of words(text)) yield { data: chunk([{ index: 0, delta: { content: w }, finish_reason: null }]), text: true };
  // Tool calls arrive like OpenAI sends them: id and name first, then the arguments in pieces.
  for (const [i, c] of (b.toolCalls ?? []).entries()) {
    const half = Math.ceil(c.arguments.length / 2);
    yield {
      data: chunk([
        {
          index: 0,
          delta: {
            tool_calls: [{ index: i, id: c.id, type: "function", function: { name: c.name, arguments: c.arguments.slice(0, half) } }],
          },
          finish_reason: null,
        },
      ]),
    };
    yield {
      data: chunk([
        { index: 0, delta: { tool_calls: [{ index: i, function: { arguments: c.arguments.slice(half) } }] }, finish_reason: null },
      ]),
    };
  }
  yield { data: chunk([{ index: 0, delta: {}, finish_reason: b.finishReason ?? (b.toolCalls ? "tool_calls" : "stop") }]), finish: true };
  if (!b.omitUsage)
    yield { data: chunk([], { usage: { prompt_tokens: 11, completion_tokens: tokens(text), total_tokens: 11 + tokens(text) } }) };
  yield { data: "data: [DONE]\n\n" };
}

function anthropicResponse(model: string, text: string, b: FakeBehaviour) {
  const content: unknown[] = text ? [{ type: "text", text }] : [];
  for (const c of b.toolCalls ?? []) content.push({ type: "tool_use", id: c.id, name: c.name, input: JSON.parse(c.arguments) });
  return {
    id: "msg_fake",
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: b.finishReason ?? (b.toolCalls ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: { input_tokens: 13, output_tokens: tokens(text), cache_creation_input_tokens: 2, cache_read_input_tokens: 3 },
  };
}

function* anthropicStream(model: string, text: string, b: FakeBehaviour): Iterable<SseEvent> {
  const ev = (type: string, payload: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
  yield {
    data: ev("message_start", {
      message: {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 13, output_tokens: 1, cache_creation_input_tokens: 2, cache_read_input_tokens: 3 },
      },
    }),
  };
  yield { data: ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) };
  for (const w of words(text)) yield { data: ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: w } }), text: true };
  yield { data: ev("content_block_stop", { index: 0 }) };
  for (const [i, c] of (b.toolCalls ?? []).entries()) {
    yield { data: ev("content_block_start", { index: i + 1, content_block: { type: "tool_use", id: c.id, name: c.name, input: {} } }) };
    yield { data: ev("content_block_delta", { index: i + 1, delta: { type: "input_json_delta", partial_json: c.arguments } }) };
    yield { data: ev("content_block_stop", { index: i + 1 }) };
  }
  yield {
    data: ev("message_delta", {
      delta: { stop_reason: b.finishReason ?? (b.toolCalls ? "tool_use" : "end_turn"), stop_sequence: null },
      usage: { output_tokens: tokens(text) },
    }),
    finish: true,
  };
  yield { data: ev("message_stop", {}) };
}
