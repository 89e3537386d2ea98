import { createHash, hash } from "node:crypto";
import type { ChatMessage, ChatRequest } from "../core/types.js";

// Bump when the key's inputs change, so that old entries are never read with a new meaning.
const VERSION = "k3";

/**
 * Text as the model would read it: the same Unicode form, the same line
 * endings, no spaces trailing a line or framing the whole. Nothing inside a
 * line changes: two spaces may matter in code.
 */
export function normaliseText(text: string): string {
  const lines = text.normalize("NFC").replace(/\r\n?/g, "\n").split("\n");
  // A scan from each line's end, not /[ \t]+\n/: that regex retries from every blank of a long run
  // that no line break follows, and a megabyte of spaces would hold the event loop for minutes.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let end = line.length;
    while (end > 0 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
    if (end < line.length) lines[i] = line.slice(0, end);
  }
  return lines.join("\n").trim();
}

function normaliseMessage(m: ChatMessage): unknown[] {
  const out: unknown[] = [m.role, normaliseText(m.content)];
  if (m.name) out.push("n", m.name);
  if (m.toolCallId) out.push("t", m.toolCallId);
  if (m.isError) out.push("e");
  // Images, files and audio change the answer; so does reasoning sent back. Cache control does not.
  if (m.parts?.some((p) => p.type !== "text"))
    out.push(
      "p",
      m.parts.map((p) => {
        const { cacheControl: _cc, ...rest } = p;
        return p.type === "text" ? ["text", normaliseText(p.text)] : rest;
      }),
    );
  if (m.reasoning) out.push("r", m.reasoning);
  if (m.toolCalls?.length)
    out.push(
      "c",
      m.toolCalls.map((c) => [c.id, c.name, c.argumentsJson]),
    );
  return out;
}

/** What, beside the messages, changes a model's output. */
function paramsOf(request: ChatRequest, maxTokens: number): unknown[] {
  return [
    request.temperature ?? null,
    request.topP ?? null,
    request.topK ?? null,
    maxTokens,
    request.stop,
    request.seed ?? null,
    request.tools ?? null,
    request.toolChoice ?? null,
    request.parallelToolCalls ?? null,
    request.responseFormat ?? null,
    request.reasoning ?? null,
    request.presencePenalty ?? null,
    request.frequencyPenalty ?? null,
    request.logprobs ? (request.topLogprobs ?? 0) : null,
    request.serviceTier ?? null,
    request.extraBody ?? null,
  ];
}

function digest(parts: unknown): string {
  // The one-shot hash: a third of createHash's cost for inputs this small.
  return hash("sha256", JSON.stringify(parts), "base64url");
}

/**
 * The exact-cache key: a hash of the model (its catalogue name, so aliases
 * share entries), every message normalised, and every parameter that changes
 * the output. The tenant is kept apart (not hashed in) so that a tenant's
 * entries can be found and cleared.
 */
export function exactKey(model: string, request: ChatRequest, maxTokens: number): string {
  return digest([VERSION, model, request.messages.map(normaliseMessage), paramsOf(request, maxTokens)]);
}

/**
 * The semantic scope: everything but the last user message must be the same
 * for a semantic hit (model, system prompt, earlier turns, parameters), and
 * only that last message is compared by meaning.
 */
export function semanticScope(tenant: string, model: string, request: ChatRequest, maxTokens: number): string {
  return digest([VERSION, "s", tenant, model, request.messages.slice(0, -1).map(normaliseMessage), paramsOf(request, maxTokens)]);
}

/** A short, glob-safe tag for a tenant, used in store keys. */
export function tenantTag(tenant: string): string {
  return createHash("sha256").update(tenant).digest("hex").slice(0, 16);
}
