import { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";
import { parseDataUrl } from "../../core/media.js";
import type { CacheControl, ChatMessage, ContentPart, Role } from "../../core/types.js";
import { refusal } from "./refusal.js";

/*
 * The messages of an OpenAI chat completions request, content arrays included: text, image_url,
 * file and input_audio parts, and Anthropic-style cache_control (LiteLLM's convention) on a part or
 * a message. Every unknown key of a part is refused by its path, never dropped.
 */

/** Anthropic's prompt-caching marker as LiteLLM carries it through the OpenAI format. */
export const cacheControl = z.strictObject({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() });

export const toCacheControl = (c: z.infer<typeof cacheControl> | null | undefined): CacheControl | undefined =>
  c ? (c.ttl ? { ttl: c.ttl } : {}) : undefined;

const cc = { cache_control: cacheControl.nullish() };

/** Each part type's exact shape: a key it does not list is refused by name. */
const partSchemas = {
  text: z.strictObject({ type: z.literal("text"), text: z.string(), ...cc }),
  image_url: z.strictObject({
    type: z.literal("image_url"),
    image_url: z.strictObject({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).nullish() }),
    ...cc,
  }),
  file: z.strictObject({
    type: z.literal("file"),
    file: z.strictObject({ file_data: z.string().min(1).nullish(), file_id: z.string().min(1).nullish(), filename: z.string().nullish() }),
    ...cc,
  }),
  input_audio: z.strictObject({
    type: z.literal("input_audio"),
    input_audio: z.strictObject({ data: z.string().min(1), format: z.enum(["wav", "mp3"]) }),
    ...cc,
  }),
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A file's bytes, from OpenAI's file_data: a data: URL (its media type kept) or bare base64.
 * Bare base64 carries no media type; OpenAI takes PDFs there, so PDF it is unless the filename
 * says .txt.
 */
export function fileData(value: string, filename: string | undefined, field: string): { data: string; mediaType: string } {
  if (value.startsWith("data:")) {
    const parsed = parseDataUrl(value);
    if (!parsed) throw invalidRequest(field, "a data: URL must be data:<media type>;base64,<data>");
    if (!BASE64.test(parsed.data)) throw invalidRequest(field, "is not valid base64");
    return parsed;
  }
  if (!BASE64.test(value)) throw invalidRequest(field, "must be a data: URL or base64");
  return { data: value, mediaType: filename?.toLowerCase().endsWith(".txt") ? "text/plain" : "application/pdf" };
}

/** One part of a content array, in the core's terms. */
function partOf(raw: unknown, field: string): ContentPart {
  const type = typeof raw === "object" && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== "string") throw invalidRequest(`${field}.type`, "each part needs a type: text, image_url, file or input_audio");
  if (!Object.hasOwn(partSchemas, type))
    throw invalidRequest(`${field}.type`, `${echo(type)} parts are not carried; send text, image_url, file or input_audio`);
  const parsed = partSchemas[type as keyof typeof partSchemas].safeParse(raw);
  if (!parsed.success) throw refusal(parsed.error.issues, field);
  const p = parsed.data;
  const cacheControl = toCacheControl(p.cache_control);
  const withCc = <T extends ContentPart>(part: T): T => (cacheControl ? { ...part, cacheControl } : part);
  switch (p.type) {
    case "text":
      return withCc({ type: "text", text: p.text });
    case "image_url": {
      // A data: URL stays a URL: the core and both providers take it as it is (Anthropic's decodes it).
      const image: ContentPart = { type: "image", url: p.image_url.url };
      if (p.image_url.detail) image.detail = p.image_url.detail;
      return withCc(image);
    }
    case "file": {
      const { file_data, file_id, filename } = p.file;
      if (!file_data === !file_id) throw invalidRequest(`${field}.file`, "needs exactly one of file_data and file_id");
      const file: ContentPart = { type: "file" };
      if (file_data) Object.assign(file, fileData(file_data, filename ?? undefined, `${field}.file.file_data`));
      if (file_id) file.fileId = file_id;
      if (filename) file.filename = filename;
      return withCc(file);
    }
    case "input_audio":
      if (!BASE64.test(p.input_audio.data)) throw invalidRequest(`${field}.input_audio.data`, "must be base64");
      return withCc({ type: "audio", data: p.input_audio.data, format: p.input_audio.format });
  }
}

const toolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal("function").optional(),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

export const message = z.strictObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([z.string(), z.array(z.unknown())]).nullish(),
  name: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
  tool_call_id: z.string().nullish(),
  // Prompt caching up to the end of this message (LiteLLM's convention for Anthropic).
  cache_control: cacheControl.nullish(),
  // An assistant's reasoning as this face answered it, sent back (Anthropic needs it, signed, for tool use with thinking).
  reasoning_content: z.string().nullish(),
  reasoning_signature: z.string().nullish(),
  // Echoed back by clients that append the assistant's message as they received it.
  refusal: z.null().optional(),
  audio: z.null().optional(),
  function_call: z.null().optional(),
  annotations: z.array(z.unknown()).max(0).optional(),
});

/** A message in the core's terms; `i` is its index, for the paths of errors. */
export function messageOf(m: z.infer<typeof message>, i: number): ChatMessage {
  // "developer" is OpenAI's newer name for system instructions.
  const role: Role = m.role === "developer" ? "system" : m.role;
  const out: ChatMessage = { role, content: "" };
  if (typeof m.content === "string") out.content = m.content;
  else if (m.content) {
    const parts = m.content.map((p, j) => partOf(p, `messages[${i}].content[${j}]`));
    out.content = parts.map((p) => (p.type === "text" ? p.text : "")).join("");
    // Parts only when they say more than the text does: a plain text array stays plain content.
    if (parts.some((p) => p.type !== "text" || p.cacheControl)) out.parts = parts;
  }
  if (m.name) out.name = m.name;
  if (m.tool_call_id) out.toolCallId = m.tool_call_id;
  if (m.tool_calls?.length)
    out.toolCalls = m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, argumentsJson: c.function.arguments }));
  const messageCache = toCacheControl(m.cache_control);
  if (messageCache) out.cacheControl = messageCache;
  if (m.reasoning_content || m.reasoning_signature) {
    if (role !== "assistant") throw invalidRequest(`messages[${i}].reasoning_content`, "only an assistant's message has reasoning");
    if (m.reasoning_content) out.reasoning = m.reasoning_content;
    if (m.reasoning_signature) out.reasoningSignature = m.reasoning_signature;
  }
  return out;
}
