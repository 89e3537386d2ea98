import type * as http from "node:http";
import type { Clock } from "../../core/clock.js";
import { GatewayError } from "../../core/errors.js";
import type { ChatResult, ChatStreamEvent } from "../../core/types.js";
import { contentOf, sse, startUsage, stopOf, usageBody } from "./anthropic-wire.js";
import { writable } from "./openai-sse.js";

/** What every event of one stream shares. */
export interface StreamMeta {
  id: string;
  /** The model as the caller named it. */
  model: string;
  /** The prompt's size as estimated before the answer, for message_start (message_delta has the real count). */
  estimatedInputTokens: number;
}

/** No event came for a while: the stream begins if it has not, and says it is alive with a ping. */
export interface Idle {
  type: "idle";
}

/**
 * Turns core events into Anthropic's stream: message_start and a ping before the first block, then
 * each block as content_block_start, its deltas, content_block_stop (thinking with its
 * signature_delta, text), then at the end the client tool calls (the core knows them only then) as
 * tool_use blocks with their input in one input_json_delta, message_delta and message_stop. Tool
 * events of a server-side loop are the gateway's own: Anthropic's stream has no place for them.
 */
export function createEventWriter(meta: StreamMeta): (event: ChatStreamEvent | Idle) => string[] {
  let started = false;
  let index = -1;
  let open: "thinking" | "text" | undefined;
  let signed = false;
  let sawThinking = false;
  let sawText = false;

  const out: string[] = [];
  const start = () => {
    if (started) return;
    started = true;
    const message = {
      id: meta.id,
      type: "message",
      role: "assistant",
      model: meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: startUsage(meta.estimatedInputTokens),
    };
    out.push(sse("message_start", { type: "message_start", message }), sse("ping", { type: "ping" }));
  };
  const close = () => {
    if (open === undefined) return;
    out.push(sse("content_block_stop", { type: "content_block_stop", index }));
    open = undefined;
  };
  const begin = (kind: "thinking" | "text", block: object) => {
    start();
    close();
    index += 1;
    open = kind;
    out.push(sse("content_block_start", { type: "content_block_start", index, content_block: block }));
  };
  const delta = (d: object) => out.push(sse("content_block_delta", { type: "content_block_delta", index, delta: d }));

  function thinking(text: string, signature: string | undefined): void {
    if (open !== "thinking" || (signed && text)) {
      begin("thinking", { type: "thinking", thinking: "", signature: "" });
      signed = false;
    }
    sawThinking = true;
    if (text) delta({ type: "thinking_delta", thinking: text });
    if (signature) {
      delta({ type: "signature_delta", signature });
      signed = true;
    }
  }

  function text(t: string): void {
    if (open !== "text") begin("text", { type: "text", text: "" });
    sawText = true;
    delta({ type: "text_delta", text: t });
  }

  function end(r: ChatResult): void {
    start();
    const m = r.message;
    // What the stream did not carry as it came (a signature known only at the end) is sent now, in order.
    if (m.reasoningSignature && open === "thinking" && !signed) delta({ type: "signature_delta", signature: m.reasoningSignature });
    if (!sawThinking && (m.reasoning || m.reasoningSignature)) thinking(m.reasoning ?? "", m.reasoningSignature);
    if (!sawText && m.content) text(m.content);
    close();
    for (const block of contentOf({ ...m, reasoning: "", reasoningSignature: "", content: "" })) {
      const { input, ...rest } = block as { input: object };
      index += 1;
      out.push(sse("content_block_start", { type: "content_block_start", index, content_block: { ...rest, input: {} } }));
      delta({ type: "input_json_delta", partial_json: JSON.stringify(input) });
      out.push(sse("content_block_stop", { type: "content_block_stop", index }));
    }
    const { stop_reason, stop_sequence, stop_details } = stopOf(r);
    out.push(
      sse("message_delta", {
        type: "message_delta",
        delta: { stop_reason, stop_sequence, stop_details, container: null },
        usage: usageBody(r.usage),
      }),
      sse("message_stop", { type: "message_stop" }),
    );
  }

  return (event) => {
    out.length = 0;
    if (event.type === "idle") {
      if (started) out.push(sse("ping", { type: "ping" }));
      else start();
    } else if (event.type === "reasoning") thinking(event.text, event.signature);
    else if (event.type === "delta") text(event.text);
    else if (event.type === "done") end(event.result);
    return out.slice();
  };
}

/** How often a quiet stream pings, as Anthropic's does, and on which clock. */
export interface Keepalive {
  clock: Clock;
  everyMs: number;
}

/**
 * Writes a stream of core events as Anthropic's server-sent events. The head waits for the first
 * block (or the failure), so that a call failing before any output gets its real status (429, 529,
 * 504), which the SDKs retry, rather than a 200 and an error event. A slow reader holds the
 * upstream back (backpressure); a reader that has gone ends the call.
 *
 * A stream quiet for `keepalive.everyMs` begins anyway (message_start) and pings while it stays
 * quiet, as Anthropic's does. The core knows a tool call only whole, at its end: while the model
 * writes a long one (Claude Code's Write of a large file takes minutes) nothing else would be sent,
 * and Claude Code gives up on a stream silent for five minutes (its idle watchdog), then asks again.
 */
export async function anthropicStream(
  res: http.ServerResponse,
  events: AsyncIterable<ChatStreamEvent>,
  meta: StreamMeta,
  keepalive: Keepalive,
): Promise<void> {
  const writer = createEventWriter(meta);
  const head: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" };
  let started = false;
  const send = async (frames: string[]) => {
    for (const data of frames) {
      if (res.destroyed || res.writableEnded) throw new GatewayError("CANCELLED", "the caller went away");
      if (!started) {
        started = true;
        res.writeHead(200, head);
      }
      if (!res.write(data)) await writable(res);
    }
  };
  const iterator = events[Symbol.asyncIterator]();
  // The event asked for and not yet come: a ping does not ask again, so events are read one at a time.
  let next: Promise<IteratorResult<ChatStreamEvent>> | undefined;
  let finished = false;
  try {
    for (;;) {
      next ??= iterator.next();
      let cancel = () => {};
      const quiet = new Promise<"idle">((resolve) => {
        cancel = keepalive.clock.after(keepalive.everyMs, () => resolve("idle"));
      });
      const step = await Promise.race([next, quiet]).finally(cancel);
      if (step === "idle") {
        await send(writer({ type: "idle" }));
        continue;
      }
      next = undefined;
      if (step.done) break;
      const event = step.value;
      if (event.type === "cache") head["x-cache-status"] = event.status;
      else if (event.type === "answering") head["x-llm-provider"] ??= event.provider;
      await send(writer(event));
    }
    finished = true;
  } finally {
    // Leaving early (the caller went away) ends the call, as for-await would; the call's signal,
    // aborted as the caller left, ends an event still awaited, whose failure is no longer anyone's.
    if (!finished) {
      next?.catch(() => {});
      await iterator.return?.();
    }
  }
  res.end();
}
