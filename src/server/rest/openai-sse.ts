import type * as http from "node:http";
import { GatewayError } from "../../core/errors.js";
import type { ChatStreamEvent } from "../../core/types.js";
import type { JournalEvent } from "../../durable/journal.js";
import { FINISH, logprobsBody, toolCallsOf, usageBody } from "./openai-wire.js";

/** What every chunk of one stream shares. */
export interface ChunkMeta {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  /** A resumable stream's token: each event's last chunk then carries `id: <token>.<event id>` for Last-Event-ID. */
  resumeToken?: string | undefined;
}

/**
 * Turns core events into chat.completion.chunk bodies, in order: the first chunk carries the role.
 * Reasoning goes as delta.reasoning_content (DeepSeek's and vLLM's convention), never in
 * delta.content; logprobs ride with the text they belong to; the reasoning's signature, known at the
 * end, rides on the finishing chunk. Tool events of a server-side loop are the gateway's own: the
 * OpenAI stream has no place for them.
 */
export function createChunker(meta: ChunkMeta): (event: ChatStreamEvent) => object[] {
  const { id, created } = meta;
  let started = false;
  const chunk = (delta: Record<string, unknown>, extra: { finish?: string | null; logprobs?: object | null; top?: object } = {}) => {
    const body = {
      id,
      object: "chat.completion.chunk",
      created,
      model: meta.model,
      choices: [
        {
          index: 0,
          delta: started ? delta : { role: "assistant", ...delta },
          finish_reason: extra.finish ?? null,
          logprobs: extra.logprobs ?? null,
        },
      ],
      ...extra.top,
    };
    started = true;
    return body;
  };
  return (event) => {
    if (event.type === "delta") return [chunk({ content: event.text }, { logprobs: logprobsBody(event.logprobs) })];
    if (event.type === "reasoning") return event.text ? [chunk({ reasoning_content: event.text })] : [];
    if (event.type !== "done") return [];
    const r = event.result;
    const out: object[] = [];
    const toolCalls = toolCallsOf(r.message);
    if (toolCalls) out.push(chunk(started ? { tool_calls: toolCalls } : { content: null, tool_calls: toolCalls }));
    if (!started) out.push(chunk({ content: "" }));
    const signature = r.message.reasoningSignature ? { reasoning_signature: r.message.reasoningSignature } : {};
    out.push(
      chunk(signature, {
        finish: FINISH[r.finishReason],
        top: {
          llm_gateway: {
            provider: r.provider,
            cost_usd: r.costUsd,
            cache_status: r.cacheStatus,
            // The stream was cut and another attempt continued it (docs/resilience.md "Continuing a cut stream").
            ...(r.attempts.some((a) => a.continuation) ? { continued: true } : {}),
          },
        },
      }),
    );
    if (meta.includeUsage) out.push({ id, object: "chat.completion.chunk", created, model: r.model, choices: [], usage: usageBody(r) });
    return out;
  };
}

/** Resolves when the response can take more, or has closed (at once if it already has). */
export function writable(res: http.ServerResponse): Promise<void> {
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
export async function sseStream(res: http.ServerResponse, events: AsyncIterable<JournalEvent>, meta: ChunkMeta): Promise<void> {
  const chunksOf = createChunker(meta);
  const head: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" };
  if (meta.resumeToken) head[RESUME_TOKEN_HEADER] = meta.resumeToken;
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
  for await (const { id, event } of events) {
    if (event.type === "cache") head["x-cache-status"] = event.status;
    else if (event.type === "answering") head["x-llm-provider"] ??= event.provider;
    const chunks = chunksOf(event);
    // Only an event's last chunk names it: a client cut between two chunks of one event gets both again.
    for (const [i, c] of chunks.entries()) {
      const named = meta.resumeToken && i === chunks.length - 1 ? `id: ${meta.resumeToken}.${id}\n` : "";
      await write(`${named}data: ${JSON.stringify(c)}\n\n`);
    }
  }
  res.end("data: [DONE]\n\n");
}

/** A resumable stream's token, in the response headers (docs/resilience.md "Resuming a stream"). */
export const RESUME_TOKEN_HEADER = "x-llm-gateway-resume-token";

/** A stream's events numbered from 1, as a journal's are. */
export async function* numbered(events: AsyncIterable<ChatStreamEvent>): AsyncGenerator<JournalEvent> {
  let id = 0;
  for await (const event of events) yield { id: ++id, event };
}
