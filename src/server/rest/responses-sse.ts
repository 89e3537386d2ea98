import type * as http from "node:http";
import { GatewayError, isGatewayError } from "../../core/errors.js";
import type { ChatResult, ChatStreamEvent } from "../../core/types.js";
import { writable } from "./openai-sse.js";
import { errorBody } from "./openai-wire.js";
import { compactionItem } from "./responses-compaction.js";
import {
  functionCallItem,
  logprobsOf,
  messageItem,
  type OutputIds,
  outputIds,
  callId,
  outputOf,
  pendingResponse,
  type OutputStyle,
  type ResponseHead,
  reasoningItem,
  statusOf,
} from "./responses-object.js";
import type { ErrorShape } from "./route.js";

/** Where a stream was when it failed: its next sequence number, and its response so far. */
const reached = new WeakMap<GatewayError, { seq: number; response: object }>();

/**
 * OpenAI's error shape; a stream already started ends with an `error` event, then
 * `response.failed` with the response marked failed, both numbered on from the stream's last event.
 */
export const responsesErrors: ErrorShape = {
  body: errorBody,
  streamEvent(error) {
    const { message, param, code } = (errorBody(error).body as { error: { message: string; param: string | null; code: string } }).error;
    const at = reached.get(error);
    const seq = at?.seq ?? 0;
    const failed = { ...at?.response, status: "failed", error: { code, message } };
    return (
      `event: error\ndata: ${JSON.stringify({ type: "error", code, message, param, sequence_number: seq })}\n\n` +
      `event: response.failed\ndata: ${JSON.stringify({ type: "response.failed", response: failed, sequence_number: seq + 1 })}\n\n`
    );
  },
};

export interface ResponsesStreamOptions {
  head: ResponseHead;
  style: OutputStyle;
  /** Stores the answer (if asked) and returns the finished Response object. */
  finish(result: ChatResult, ids: OutputIds): Promise<object>;
}

/**
 * Writes a stream of core events as the Responses API's events, each with its sequence_number:
 * response.created and response.in_progress, then each output item (added, its parts and deltas,
 * done): reasoning, the message's output_text, and the function calls (whose arguments the core
 * gives whole, at the end); then response.completed or response.incomplete with the whole object.
 * As for chat, the head waits for the answer's first event, so a call that fails before it gets its
 * real status; a slow reader holds the upstream back; a failure mid-stream ends it with `error`.
 */
export async function responsesStream(
  res: http.ServerResponse,
  events: AsyncIterable<ChatStreamEvent>,
  options: ResponsesStreamOptions,
): Promise<void> {
  const { head, style } = options;
  const headers: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" };
  const ids = outputIds(head.id);
  let seq = 0;
  let index = 0;
  let started = false;
  const send = async (type: string, body: Record<string, unknown>) => {
    // The client has gone: stop, so that the pipeline below is closed and settles.
    if (res.destroyed || res.writableEnded) throw new GatewayError("CANCELLED", "the caller went away");
    if (!started) {
      started = true;
      res.writeHead(200, headers);
      const pending = pendingResponse(head);
      await send("response.created", { response: pending });
      await send("response.in_progress", { response: pending });
    }
    const data = { type, ...body, sequence_number: seq++ };
    if (!res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`)) await writable(res);
  };

  let reasoning: { index: number; text: string; signature?: string; closed?: boolean } | undefined;
  let message: { index: number; text: string } | undefined;
  const where = (item: { index: number }, id: string) => ({ item_id: id, output_index: item.index });

  /** Ends the reasoning item streamed so far; `item` is its final shape when known (with its signature). */
  const closeReasoning = async (text: string, item?: object) => {
    if (!reasoning || reasoning.closed) return;
    reasoning.closed = true;
    const at = where(reasoning, ids.reasoning);
    if (style.summary) {
      await send("response.reasoning_summary_text.done", { ...at, summary_index: 0, text });
      await send("response.reasoning_summary_part.done", { ...at, summary_index: 0, part: { type: "summary_text", text } });
    } else {
      await send("response.reasoning_text.done", { ...at, content_index: 0, text });
      await send("response.content_part.done", { ...at, content_index: 0, part: { type: "reasoning_text", text } });
    }
    await send("response.output_item.done", {
      output_index: reasoning.index,
      item: item ?? reasoningItem(ids.reasoning, text, reasoning.signature, style),
    });
  };

  try {
    for await (const event of events) {
      if (event.type === "cache") headers["x-cache-status"] = event.status;
      else if (event.type === "answering") headers["x-llm-provider"] ??= event.provider;
      else if (event.type === "reasoning" && !message) {
        if (!reasoning) {
          reasoning = { index: index++, text: "" };
          const at = where(reasoning, ids.reasoning);
          await send("response.output_item.added", {
            output_index: at.output_index,
            item: { type: "reasoning", id: ids.reasoning, summary: [], ...(style.summary ? {} : { content: [] }), status: "in_progress" },
          });
          if (style.summary)
            await send("response.reasoning_summary_part.added", { ...at, summary_index: 0, part: { type: "summary_text", text: "" } });
          // Reasoning as text is a content part of its item, opened before its deltas (as OpenAI does; the
          // SDK's accumulator needs the part before the first delta).
          else await send("response.content_part.added", { ...at, content_index: 0, part: { type: "reasoning_text", text: "" } });
        }
        // The signature comes when the thinking ends, before the text: clients that keep the items as
        // output_item.done gives them (Codex CLI) send it back from there.
        if (event.signature) reasoning.signature = event.signature;
        if (!event.text) continue;
        reasoning.text += event.text;
        const at = where(reasoning, ids.reasoning);
        if (style.summary) await send("response.reasoning_summary_text.delta", { ...at, summary_index: 0, delta: event.text });
        else await send("response.reasoning_text.delta", { ...at, content_index: 0, delta: event.text });
      } else if (event.type === "delta" && event.text && !style.compact) {
        if (!message) {
          // The model has done thinking: its reasoning item is whole.
          await closeReasoning(reasoning?.text ?? "");
          message = { index: index++, text: "" };
          await openMessage(message.index);
        }
        message.text += event.text;
        await send("response.output_text.delta", {
          ...where(message, ids.message),
          content_index: 0,
          delta: event.text,
          logprobs: logprobsOf(event.logprobs),
        });
      } else if (event.type === "done") await finish(event.result);
    }
  } catch (err) {
    const error = isGatewayError(err) ? err : new GatewayError("INTERNAL", "internal error", { cause: err });
    reached.set(error, { seq, response: pendingResponse(head) });
    throw error;
  }
  res.end();

  async function openMessage(at: number) {
    await send("response.output_item.added", {
      output_index: at,
      item: { type: "message", id: ids.message, status: "in_progress", role: "assistant", content: [] },
    });
    const part = { type: "output_text", text: "", annotations: [], logprobs: [] };
    await send("response.content_part.added", { item_id: ids.message, output_index: at, content_index: 0, part });
  }

  async function finish(r: ChatResult) {
    const m = r.message;
    // The reasoning's item, as the final object has it (with its signature when asked for).
    const rItem = m.reasoning ? reasoningItem(ids.reasoning, m.reasoning, m.reasoningSignature, style) : undefined;
    if (reasoning) await closeReasoning(m.reasoning ?? reasoning.text, rItem);
    else if (rItem && !message) {
      // Reasoning the stream did not carry as it came (e.g. replayed whole): its item, whole.
      const at = index++;
      await send("response.output_item.added", { output_index: at, item: { ...rItem, status: "in_progress" } });
      await send("response.output_item.done", { output_index: at, item: rItem });
    }
    const final = outputOf(r, ids, style);
    const hasMessage = final.some((x) => (x as { type: string }).type === "message");
    if (hasMessage) {
      if (!message) {
        message = { index: index++, text: "" };
        await openMessage(message.index);
      }
      const item = messageItem(ids.message, m.content, r.logprobs, statusOf(r).status);
      const part = item.content[0]!;
      const at = where(message, ids.message);
      await send("response.output_text.done", { ...at, content_index: 0, text: m.content, logprobs: part.logprobs });
      await send("response.content_part.done", { ...at, content_index: 0, part });
      await send("response.output_item.done", { output_index: message.index, item });
    }
    if (style.compact) {
      // The summary is whole only at the end; it is one item, not a message streamed as it comes.
      const at = index++;
      const item = compactionItem(ids.compaction, m.content);
      await send("response.output_item.added", { output_index: at, item });
      await send("response.output_item.done", { output_index: at, item });
    }
    for (const [i, call] of (m.toolCalls ?? []).entries()) {
      const id = callId(ids, i);
      const at = index++;
      const item = functionCallItem(id, call, style.namespaced);
      await send("response.output_item.added", { output_index: at, item: { ...item, arguments: "", status: "in_progress" } });
      await send("response.function_call_arguments.delta", { item_id: id, output_index: at, delta: call.argumentsJson });
      await send("response.function_call_arguments.done", {
        item_id: id,
        output_index: at,
        name: item.name,
        arguments: call.argumentsJson,
      });
      await send("response.output_item.done", { output_index: at, item });
    }
    const response = (await options.finish(r, ids)) as { status: string };
    await send(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
  }
}
