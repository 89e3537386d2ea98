import { randomBytes } from "node:crypto";
import type { ChatResult, TokenLogprob } from "../../core/types.js";
import { compactionItem } from "./responses-compaction.js";
import type { ResponseSettings } from "./responses-request.js";
import type { NamespacedNames } from "./responses-tools.js";

/** An id in OpenAI's style: a prefix and 48 hex digits (24 random bytes: not guessable). */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(24).toString("hex")}`;

/** How the answer ended, in the Responses API's words. */
export function statusOf(r: ChatResult): { status: "completed" | "incomplete"; incomplete_details: { reason: string } | null } {
  if (r.finishReason === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (r.finishReason === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

/** Log probabilities as an output_text part carries them. */
export function logprobsOf(logprobs: readonly TokenLogprob[] | undefined) {
  return (logprobs ?? []).map((t) => ({
    token: t.token,
    logprob: t.logprob,
    bytes: t.bytes ?? [],
    top_logprobs: t.topLogprobs.map((x) => ({ token: x.token, logprob: x.logprob, bytes: x.bytes ?? [] })),
  }));
}

/** The ids of one response's output items, made once so that a stream and its final object agree. */
export interface OutputIds {
  reasoning: string;
  message: string;
  compaction: string;
  calls: string[];
  /** The response's own id without its prefix, which every item id carries. */
  base: string;
}

/**
 * An output item's id is its kind and its response's id (rs_<hex>, msg_<hex>, fc_<hex>_c0), so that an
 * item_reference to it leads to the stored response that holds it: clients that store (the AI SDK by
 * default) send an earlier answer back as a reference to its item rather than as the item.
 */
export const outputIds = (responseId: string): OutputIds => {
  const base = responseId.replace(/^resp_/, "");
  return { reasoning: `rs_${base}`, message: `msg_${base}`, compaction: `cmp_${base}`, calls: [], base };
};

/** The id of the i-th function call of an answer. */
export const callId = (ids: OutputIds, i: number): string => (ids.calls[i] ??= `fc_${ids.base}_c${i}`);

/** How the output is written, as the request asked. */
export interface OutputStyle {
  /** The reasoning as a summary (asked for) rather than as reasoning text. */
  summary: boolean;
  /** The reasoning's signature as encrypted_content. */
  encrypted: boolean;
  /** The flat names of namespaced functions: their calls are given back under their namespace. */
  namespaced?: NamespacedNames;
  /** The answer is a summary, given as a compaction item rather than a message. */
  compact?: boolean;
}

export function reasoningItem(id: string, text: string, signature: string | undefined, style: OutputStyle) {
  const piece = style.summary
    ? { summary: [{ type: "summary_text", text }] }
    : { summary: [], content: [{ type: "reasoning_text", text }] };
  return {
    type: "reasoning",
    id,
    ...piece,
    ...(style.encrypted && signature ? { encrypted_content: signature } : {}),
    status: "completed",
  };
}

export function messageItem(id: string, text: string, logprobs: readonly TokenLogprob[] | undefined, status: string) {
  return {
    type: "message",
    id,
    status,
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [], logprobs: logprobsOf(logprobs) }],
  };
}

export function functionCallItem(id: string, call: { id: string; name: string; argumentsJson: string }, namespaced?: NamespacedNames) {
  const ns = namespaced?.get(call.name);
  const name = ns ? { namespace: ns.namespace, name: ns.name } : { name: call.name };
  return { type: "function_call", id, call_id: call.id, ...name, arguments: call.argumentsJson, status: "completed" };
}

/** The output items of an answer, in the order a model gives them: reasoning, text, function calls. */
export function outputOf(r: ChatResult, ids: OutputIds, style: OutputStyle): object[] {
  const out: object[] = [];
  const m = r.message;
  if (m.reasoning) out.push(reasoningItem(ids.reasoning, m.reasoning, m.reasoningSignature, style));
  const { status } = statusOf(r);
  if (style.compact) out.push(compactionItem(ids.compaction, m.content));
  else if (m.content || !m.toolCalls?.length) out.push(messageItem(ids.message, m.content, r.logprobs, status));
  (m.toolCalls ?? []).forEach((c, i) => {
    out.push(functionCallItem(callId(ids, i), c, style.namespaced));
  });
  return out;
}

export function usageOf(r: ChatResult) {
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens } = r.usage;
  return {
    input_tokens: inputTokens,
    // cache_write_tokens is required in OpenAI's ResponseUsage (openai-python 3.57 and on).
    input_tokens_details: { cached_tokens: cachedInputTokens ?? 0, cache_write_tokens: cacheWriteTokens ?? 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: reasoningTokens ?? 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

/** What a Response object is made of before and after its answer. */
export interface ResponseHead {
  id: string;
  createdAt: number;
  model: string;
  settings: ResponseSettings;
}

/** A Response object still in progress (what a stream starts with). */
export function pendingResponse(head: ResponseHead) {
  return {
    id: head.id,
    object: "response",
    created_at: head.createdAt,
    status: "in_progress",
    error: null,
    incomplete_details: null,
    model: head.model,
    output: [] as object[],
    usage: null as object | null,
    ...head.settings,
  };
}

/** The finished Response object. */
export function finishedResponse(head: ResponseHead, r: ChatResult, ids: OutputIds, style: OutputStyle, completedAt: number) {
  return {
    ...pendingResponse(head),
    ...statusOf(r),
    completed_at: completedAt,
    model: r.model,
    output: outputOf(r, ids, style),
    usage: usageOf(r),
    // What the gateway adds; OpenAI clients ignore fields they do not know.
    llm_gateway: { provider: r.provider, cost_usd: r.costUsd, cache_status: r.cacheStatus, latency_ms: r.latencyMs },
  };
}

export type ResponseObject = ReturnType<typeof finishedResponse>;
