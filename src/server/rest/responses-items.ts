import { invalidRequest } from "../../core/errors.js";
import type { ChatMessage, ContentPart } from "../../core/types.js";
import { functionCallItem, reasoningItem } from "./responses-object.js";

/*
 * A stored conversation as the Responses API's items, for GET /v1/responses/{id}/input_items: the
 * messages the core keeps, written back as the items they came from. Items get ids from their
 * response and position, the same on every read, so that a page's last id is a cursor.
 */

function partItem(p: ContentPart): object {
  switch (p.type) {
    case "text":
      return { type: "input_text", text: p.text };
    case "image":
      return {
        type: "input_image",
        image_url: p.url ?? `data:${p.mediaType ?? "image/png"};base64,${p.data ?? ""}`,
        detail: p.detail ?? "auto",
      };
    case "file":
      return {
        type: "input_file",
        ...(p.fileId ? { file_id: p.fileId } : {}),
        ...(p.url ? { file_url: p.url } : {}),
        ...(p.data ? { file_data: `data:${p.mediaType ?? "application/pdf"};base64,${p.data}` } : {}),
        ...(p.filename ? { filename: p.filename } : {}),
      };
    case "audio":
      // The Responses API has no audio input part; a chain never stores one (the face takes none).
      return { type: "input_text", text: "" };
  }
}

/** The items of one stored message, each with its id. */
function itemsOf(m: ChatMessage, id: (kind: string, n: number) => string): object[] {
  if (m.role === "tool")
    return [{ type: "function_call_output", id: id("fco", 0), call_id: m.toolCallId ?? "", output: m.content, status: "completed" }];
  if (m.role !== "assistant") {
    const content = m.parts ? m.parts.map(partItem) : [{ type: "input_text", text: m.content }];
    return [{ type: "message", id: id("msg", 0), role: m.role, status: "completed", content }];
  }
  const out: object[] = [];
  if (m.reasoning) out.push(reasoningItem(id("rs", 0), m.reasoning, undefined, { summary: false, encrypted: false }));
  if (m.content)
    out.push({
      type: "message",
      id: id("msg", 0),
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: m.content, annotations: [] }],
    });
  for (const [i, c] of (m.toolCalls ?? []).entries()) out.push(functionCallItem(id("fc", i), c));
  return out;
}

/** Every item of a conversation, oldest first, with ids made from the response's and their position. */
export function conversationItems(responseId: string, messages: readonly ChatMessage[]): object[] {
  const base = responseId.replace(/^resp_/, "");
  return messages.flatMap((m, i) => itemsOf(m, (kind, n) => `${kind}_${base}_${i}${n ? `_${n}` : ""}`));
}

/** The list query of input_items: limit (1 to 100, 20 by default), order (desc by default), after, include. */
export function pageOf(items: readonly object[], query: URLSearchParams) {
  for (const key of query.keys())
    if (!["limit", "order", "after", "include", "include[]"].includes(key))
      throw invalidRequest(key, "is not a parameter of this endpoint");
  for (const x of [...query.getAll("include"), ...query.getAll("include[]")])
    if (x !== "message.output_text.logprobs" && x !== "reasoning.encrypted_content")
      throw invalidRequest("include", "is not carried for stored items");
  const limit = query.has("limit") ? Number(query.get("limit")) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalidRequest("limit", "must be an integer from 1 to 100");
  const order = query.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw invalidRequest("order", "must be asc or desc");
  const ordered = order === "asc" ? [...items] : [...items].reverse();
  let from = 0;
  const after = query.get("after");
  if (after !== null) {
    const at = ordered.findIndex((x) => (x as { id: string }).id === after);
    if (at < 0) throw invalidRequest("after", "is not an item of this response");
    from = at + 1;
  }
  const data = ordered.slice(from, from + limit) as { id: string }[];
  return { object: "list", data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: from + limit < ordered.length };
}
