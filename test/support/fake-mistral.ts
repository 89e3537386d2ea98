import type { IncomingMessage, ServerResponse } from "node:http";
import { fakeEmbeddings } from "./fake-embeddings.js";
import type { FakeBehaviour, RecordedRequest } from "./fake-upstream.js";

/*
 * The fake upstream's Mistral face, under /mistral/v1 (point a client's base URL at <fake>/mistral):
 * Mistral's chat completions and embeddings as La Plateforme answers them. What sets it apart from
 * the OpenAI face is what the real API does differently:
 *  - every field it does not know is refused with a 422 extra_forbidden (Mistral validates bodies with
 *    pydantic's extra=forbid), top-level and per message: seed, user, stream_options, logprobs...;
 *  - tool call ids must be nine letters or digits (a 400 otherwise), in assistant calls and tool results;
 *  - reasoning (reasoning_effort other than none, or prompt_mode reasoning) comes as content chunks of
 *    type "thinking" before the answer's: the unary content is a list of chunks, a stream's deltas carry
 *    the thinking as chunk lists and then the answer as plain strings;
 *  - usage reports cached prompt tokens under prompt_tokens_details.cached_tokens, and a stream's last
 *    chunk carries the finish reason and the usage together (no stream_options needed);
 *  - a missing or wrong key is a 401 { message: "Unauthorized" }; errors are { object: "error", ... }.
 * Field lists are the request schemas of @mistralai/mistralai 2.7 (generated from Mistral's OpenAPI).
 */

const PREFIX = "/mistral/v1/";

const REQUEST_FIELDS = new Set([
  "model",
  "temperature",
  "top_p",
  "max_tokens",
  "stream",
  "stop",
  "random_seed",
  "metadata",
  "messages",
  "response_format",
  "tools",
  "tool_choice",
  "presence_penalty",
  "frequency_penalty",
  "n",
  "prediction",
  "parallel_tool_calls",
  "reasoning_effort",
  "prompt_mode",
  "guardrails",
  "prompt_cache_key",
  "service_tier",
  "safe_prompt",
]);
const EMBED_FIELDS = new Set(["model", "input", "metadata", "output_dimension", "output_dtype", "encoding_format"]);

const MESSAGE_FIELDS: Record<string, Set<string>> = {
  system: new Set(["role", "content"]),
  user: new Set(["role", "content"]),
  assistant: new Set(["role", "content", "tool_calls", "prefix"]),
  tool: new Set(["role", "content", "tool_call_id", "name"]),
};

const TOOL_CALL_ID = /^[a-zA-Z0-9]{9}$/;

type Json = Record<string, unknown>;
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  void res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const words = (text: string): string[] => text.match(/\S+\s*/g) ?? [];
const mistralError = (message: unknown, type: string, code: string | null = null) => ({
  object: "error",
  message,
  type,
  param: null,
  code,
});

/** pydantic's refusal of fields the schema does not have, as Mistral words it. */
function extraForbidden(loc: (string | number)[], input: unknown) {
  return mistralError(
    { detail: [{ type: "extra_forbidden", loc: ["body", ...loc], msg: "Extra inputs are not permitted", input }] },
    "invalid_request_error",
  );
}

/** The first reason Mistral would refuse the body with, as [status, error body], or undefined. */
function refusal(body: Json, embeddings: boolean): [number, unknown] | undefined {
  const known = embeddings ? EMBED_FIELDS : REQUEST_FIELDS;
  for (const [key, value] of Object.entries(body)) if (!known.has(key)) return [422, extraForbidden([key], value)];
  if (embeddings) return undefined;
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as Json[]) : [];
  for (const [i, m] of messages.entries()) {
    const role = String(m["role"]);
    for (const [key, value] of Object.entries(m)) {
      if (!MESSAGE_FIELDS[role]?.has(key)) return [422, extraForbidden(["messages", i, role, key], value)];
    }
    const ids = [...(role === "tool" ? [m["tool_call_id"]] : []), ...((m["tool_calls"] as Json[] | undefined) ?? []).map((c) => c["id"])];
    const bad = ids.find((id) => typeof id !== "string" || !TOOL_CALL_ID.test(id));
    if (bad !== undefined)
      return [
        400,
        mistralError(`Tool call id was ${String(bad)} but must be a-z, A-Z, 0-9, with a length of 9.`, "invalid_request_message_order"),
      ];
  }
  return undefined;
}

/** True when the request asks for reasoning: a reasoning effort other than none, or the reasoning prompt mode. */
function reasons(body: Json): boolean {
  const effort = body["reasoning_effort"];
  return (typeof effort === "string" && effort !== "none") || body["prompt_mode"] === "reasoning";
}

function usage(text: string, thinking: string) {
  const completion = words(text).length + words(thinking).length;
  return { prompt_tokens: 13, completion_tokens: completion, total_tokens: 13 + completion, prompt_tokens_details: { cached_tokens: 3 } };
}

const thinkChunk = (text: string) => ({ type: "thinking", thinking: [{ type: "text", text }] });

function toolCalls(b: FakeBehaviour) {
  return b.toolCalls?.map((c, index) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments }, index }));
}

function unary(model: string, text: string, thinking: string, b: FakeBehaviour) {
  const calls = toolCalls(b);
  const content = thinking ? [thinkChunk(thinking), ...(text ? [{ type: "text", text }] : [])] : text;
  return {
    id: "cmpl-fake",
    object: "chat.completion",
    model,
    created: 1_700_000_000,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, tool_calls: calls ?? null, prefix: false },
        finish_reason: b.finishReason ?? (calls ? "tool_calls" : "stop"),
      },
    ],
    usage: usage(text, thinking),
  };
}

/** A stream's events: [data, is it a text chunk, is it the finish]. */
function* streamed(model: string, text: string, thinking: string, b: FakeBehaviour): Iterable<[unknown, boolean, boolean]> {
  const chunk = (delta: Json, finish: string | null = null, extra: Json = {}) => ({
    id: "cmpl-fake",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });
  yield [chunk({ role: "assistant", content: "" }), false, false];
  for (const w of words(thinking)) yield [chunk({ content: [thinkChunk(w)] }), false, false];
  for (const w of words(text)) yield [chunk({ content: w }), true, false];
  // Mistral sends each tool call whole, in one chunk.
  const calls = toolCalls(b);
  if (calls) yield [chunk({ tool_calls: calls }), false, false];
  yield [chunk({ content: "" }, b.finishReason ?? (calls ? "tool_calls" : "stop"), { usage: usage(text, thinking) }), false, true];
}

/**
 * Answers the request if it is on the Mistral face (returning true), as scripted by the behaviour
 * `next` gives: status, retryAfter, reset, hang, firstByteDelayMs, chunkDelayMs, abortAfterChunks,
 * endWithoutFinish, text, toolCalls, finishReason, rawBody and rawEvents, as on the other faces.
 */
export async function answerMistral(call: {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  next: () => FakeBehaviour;
  defaultText: string;
}): Promise<boolean> {
  const { req, res, record } = call;
  const url = req.url ?? "";
  if (!url.startsWith(PREFIX)) return false;
  const body = record.body;
  const auth = String(req.headers.authorization ?? "");
  if (!auth.startsWith("Bearer ") || auth.startsWith("Bearer invalid")) {
    json(res, 401, { message: "Unauthorized", request_id: "fake-request" });
    return true;
  }
  const embeddings = url === `${PREFIX}embeddings`;
  if (!embeddings && url !== `${PREFIX}chat/completions`) {
    json(res, 404, { detail: "Not Found" });
    return true;
  }
  const refused = refusal(body, embeddings);
  if (refused) {
    json(res, refused[0], refused[1]);
    return true;
  }
  const b = call.next();
  if (b.reset) {
    req.socket.destroy();
    return true;
  }
  if (b.hang) return true;
  if (b.firstByteDelayMs) await sleep(b.firstByteDelayMs);
  if (res.destroyed) return true;
  // A scripted 422 is Mistral's usual one: a field it does not know.
  if (b.status === 422) {
    json(res, 422, extraForbidden(["seed"], 1));
    return true;
  }
  if (b.status && b.status >= 400) {
    const [message, type] =
      b.status === 429 ? ["Requests rate limit exceeded", "rate_limited"] : [`fake upstream says ${b.status}`, "api_error"];
    json(res, b.status, mistralError(message, type, b.errorCode ?? null), b.retryAfter ? { "retry-after": b.retryAfter } : {});
    return true;
  }
  if (embeddings) {
    // Mistral names the size output_dimension (mistral-embed's vectors have 1,024); the OpenAI face's answer is the same list otherwise.
    const dimensions = body["output_dimension"] ?? 1024;
    const answer = await fakeEmbeddings({ model: body["model"], input: body["input"], dimensions });
    json(res, answer.status, { id: "embd-fake", ...answer.body });
    return true;
  }
  const model = String(body["model"] ?? "mistral-fake");
  const text = b.text ?? call.defaultText;
  const thinking = reasons(body) ? "The user greets me; I answer briefly." : "";
  if (body["stream"] !== true) {
    json(res, 200, b.rawBody ?? unary(model, text, thinking, b));
    return true;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const events: Iterable<[unknown, boolean, boolean]> = b.rawEvents
    ? b.rawEvents.map((e) => [e, false, false])
    : streamed(model, text, thinking, b);
  let textChunks = 0;
  for (const [data, isText, isFinish] of events) {
    if (res.destroyed) return true;
    if (isText && b.abortAfterChunks !== undefined && textChunks++ >= b.abortAfterChunks) {
      req.socket.destroy();
      return true;
    }
    if (isFinish && b.endWithoutFinish) break;
    await new Promise<void>((resolve) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`, () => resolve()));
    if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
  }
  if (!b.endWithoutFinish && !b.rawEvents) res.write("data: [DONE]\n\n");
  res.end();
  return true;
}
