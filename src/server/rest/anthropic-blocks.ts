import { z } from "zod";
import { echo, invalidRequest } from "../../core/errors.js";
import type { CacheControl, ChatMessage, ContentPart, ToolCall } from "../../core/types.js";
import { refusal } from "./refusal.js";

/*
 * The messages of an Anthropic Messages request as the core's: content blocks become parts, tool_use
 * blocks an assistant's tool calls, tool_result blocks tool messages, thinking blocks an assistant's
 * reasoning with its signature. A block the core cannot carry is refused by its path, never dropped.
 */

/**
 * Anthropic's prompt-caching marker. `scope: "global"` (Claude Code sends it, with the
 * prompt-caching-scope beta) widens who may share the cache; it changes no answer, and the
 * provider caches at its default scope.
 */
export const cacheControl = z.strictObject({
  type: z.literal("ephemeral"),
  ttl: z.enum(["5m", "1h"]).optional(),
  scope: z.literal("global").nullish(),
});

export const toCacheControl = (c: z.infer<typeof cacheControl> | null | undefined): CacheControl | undefined =>
  c ? (c.ttl ? { ttl: c.ttl } : {}) : undefined;

const cc = { cache_control: cacheControl.nullish() };

/** Citations are an answer's; sent back on a text block they must be empty (API version 2026-10-21 refuses them too). */
export const textBlock = z.strictObject({
  type: z.literal("text"),
  text: z.string(),
  citations: z.array(z.unknown()).max(0).nullish(),
  ...cc,
});

const imageBlock = z.strictObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("base64"),
      media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]),
      data: z.string().min(1),
    }),
    z.strictObject({ type: z.literal("url"), url: z.string().min(1) }),
  ]),
  transformations: z.null().optional(),
  ...cc,
});

const documentBlock = z.strictObject({
  type: z.literal("document"),
  source: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("base64"), media_type: z.literal("application/pdf"), data: z.string().min(1) }),
    z.strictObject({ type: z.literal("text"), media_type: z.literal("text/plain"), data: z.string() }),
    z.strictObject({ type: z.literal("url"), url: z.string().min(1) }),
    z.strictObject({ type: z.literal("file"), file_id: z.string().min(1) }),
  ]),
  title: z.string().nullish(),
  // Citations on documents ask for cited answers, which the core's text cannot carry.
  citations: z.strictObject({ enabled: z.literal(false).optional() }).nullish(),
  context: z.null().optional(),
  ...cc,
});

const toolUseBlock = z.strictObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  caller: z.strictObject({ type: z.literal("direct") }).optional(),
  toolset_name: z.null().optional(),
  ...cc,
});

const thinkingBlock = z.strictObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() });

const resultContent = { text: textBlock, image: imageBlock, document: documentBlock };

const toolResultBlock = z.strictObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.unknown())]).optional(),
  is_error: z.boolean().optional(),
  toolset_name: z.null().optional(),
  ...cc,
});

/** The blocks each role may send, by type. */
const USER = { ...resultContent, tool_result: toolResultBlock };
const ASSISTANT = { text: textBlock, thinking: thinkingBlock, tool_use: toolUseBlock };
const SYSTEM = { text: textBlock };
type Schemas = Record<string, z.ZodType>;

export const message = z.strictObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(z.unknown())]),
  // Per-turn control: the effort of the turn this message starts (the last message's is this call's).
  output_config: z.strictObject({ effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish() }).nullish(),
});

/** One block, checked against its type's exact shape. */
function blockOf<S extends Schemas>(raw: unknown, field: string, schemas: S, role: string): z.infer<S[keyof S]> {
  const type = typeof raw === "object" && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== "string") throw invalidRequest(`${field}.type`, "each content block needs a type");
  if (!Object.hasOwn(schemas, type))
    throw invalidRequest(
      `${field}.type`,
      `${echo(type)} blocks are not carried in a ${role} message; send ${Object.keys(schemas).join(", ")}`,
    );
  const parsed = schemas[type]!.safeParse(raw);
  if (!parsed.success) throw refusal(parsed.error.issues, field);
  return parsed.data as z.infer<S[keyof S]>;
}

const withCache = <T extends ContentPart>(part: T, c: z.infer<typeof cacheControl> | null | undefined): T => {
  const cache = toCacheControl(c);
  return cache ? { ...part, cacheControl: cache } : part;
};

/** A text, image or document block as a part. */
function partOf(b: z.infer<(typeof resultContent)[keyof typeof resultContent]>): ContentPart {
  if (b.type === "text") return withCache({ type: "text", text: b.text }, b.cache_control);
  if (b.type === "image") {
    const s = b.source;
    const image: ContentPart =
      s.type === "base64" ? { type: "image", data: s.data, mediaType: s.media_type } : { type: "image", url: s.url };
    return withCache(image, b.cache_control);
  }
  const s = b.source;
  const file: Extract<ContentPart, { type: "file" }> = { type: "file" };
  if (s.type === "base64") Object.assign(file, { data: s.data, mediaType: s.media_type });
  // Plain text travels as the core's inline bytes; Anthropic's provider turns it back into a text source.
  else if (s.type === "text") Object.assign(file, { data: Buffer.from(s.data, "utf8").toString("base64"), mediaType: "text/plain" });
  else if (s.type === "url") Object.assign(file, { url: s.url, mediaType: "application/pdf" });
  else file.fileId = s.file_id;
  if (b.title) file.filename = b.title;
  return withCache(file, b.cache_control);
}

/**
 * A core message and where the caller wrote it: the core's errors name `messages[i].parts[j]`, which
 * the face turns back into the caller's path (its system prompt comes first, and a user turn's tool
 * results become messages of their own, so the indexes differ).
 */
export interface Located {
  message: ChatMessage;
  /** The caller's path of the message. */
  path: string;
  /** The caller's path of each part. */
  parts: string[];
}

/**
 * Parts as a message's content: plain text only when the caller sent one text block. Blocks stay
 * blocks because Anthropic caches a prompt up to a block: Claude Code marks only each request's last
 * block, so a message sent as blocks on one turn and joined into one string on the next would not
 * match the prefix its previous turn cached, and every turn would write the whole conversation again.
 */
function setContent(out: ChatMessage, parts: ContentPart[]): void {
  out.content = parts.map((p) => (p.type === "text" ? p.text : "")).join("");
  if (parts.length > 1 || parts.some((p) => p.type !== "text" || p.cacheControl)) out.parts = parts;
}

function toolResultOf(b: z.infer<typeof toolResultBlock>, field: string): Located {
  const out: ChatMessage = { role: "tool", content: "", toolCallId: b.tool_use_id };
  const paths: string[] = [];
  if (typeof b.content === "string") out.content = b.content;
  else if (b.content) {
    const parts = b.content.map((raw, k) => {
      paths.push(`${field}.content[${k}]`);
      return partOf(blockOf(raw, `${field}.content[${k}]`, resultContent, "tool_result"));
    });
    setContent(out, parts);
  }
  if (b.is_error) out.isError = true;
  const cache = toCacheControl(b.cache_control);
  if (cache) out.cacheControl = cache;
  return { message: out, path: field, parts: paths };
}

function userMessages(content: unknown[], field: string): Located[] {
  const out: Located[] = [];
  const parts: ContentPart[] = [];
  const paths: string[] = [];
  content.forEach((raw, j) => {
    const path = `${field}.content[${j}]`;
    const b = blockOf(raw, path, USER, "user");
    if (b.type !== "tool_result") {
      parts.push(partOf(b));
      paths.push(path);
      return;
    }
    // As Anthropic: a message's tool results come before anything else in it.
    if (parts.length > 0) throw invalidRequest(path, "tool_result blocks must come before any other block of the message");
    out.push(toolResultOf(b, path));
  });
  if (parts.length > 0) {
    const user: ChatMessage = { role: "user", content: "" };
    setContent(user, parts);
    out.push({ message: user, path: field, parts: paths });
  }
  return out;
}

/**
 * An assistant's turn. The core keeps its text, then its tool calls, and one reasoning with its
 * signature before them: a second thinking block (interleaved thinking) has nowhere to go and is
 * refused; cache control is carried on the last block only (the message's).
 */
function assistantMessage(content: unknown[], field: string): Located {
  const out: ChatMessage = { role: "assistant", content: "" };
  const parts: ContentPart[] = [];
  const paths: string[] = [];
  const calls: ToolCall[] = [];
  let thinking = false;
  content.forEach((raw, j) => {
    const path = `${field}.content[${j}]`;
    const b = blockOf(raw, path, ASSISTANT, "assistant");
    const last = j === content.length - 1;
    if (b.type === "thinking") {
      if (thinking)
        throw invalidRequest(path, "one thinking block per assistant message is carried; this gateway keeps one reasoning per turn");
      thinking = true;
      out.reasoning = b.thinking;
      out.reasoningSignature = b.signature;
      return;
    }
    if (b.type === "text") {
      // Cache control on the last block is the message's; on an earlier text block, the part's.
      parts.push(last ? { type: "text", text: b.text } : withCache({ type: "text", text: b.text }, b.cache_control));
      paths.push(path);
    } else {
      if (b.cache_control && !last) throw invalidRequest(`${path}.cache_control`, "is carried on an assistant message's last block only");
      calls.push({ id: b.id, name: b.name, argumentsJson: JSON.stringify(b.input) });
    }
    const cache = last ? toCacheControl(b.cache_control) : undefined;
    if (cache) out.cacheControl = cache;
  });
  setContent(out, parts);
  if (calls.length > 0) out.toolCalls = calls;
  return { message: out, path: field, parts: paths };
}

/** A system prompt (the top-level field, or a system message's content at `field`): a string or text blocks. */
export function systemMessage(content: string | unknown[], field: string, path = field): Located {
  const out: ChatMessage = { role: "system", content: "" };
  const paths: string[] = [];
  if (typeof content === "string") out.content = content;
  else
    setContent(
      out,
      content.map((raw, j) => {
        paths.push(`${field}[${j}]`);
        return partOf(blockOf(raw, `${field}[${j}]`, SYSTEM, "system"));
      }),
    );
  return { message: out, path, parts: paths };
}

/** One Anthropic message as the core's messages (a user turn's tool results become tool messages). */
export function messagesOf(m: z.infer<typeof message>, i: number): Located[] {
  const field = `messages[${i}]`;
  if (m.role === "system") return [systemMessage(m.content, `${field}.content`, field)];
  if (typeof m.content === "string") return [{ message: { role: m.role, content: m.content }, path: field, parts: [] }];
  if (m.role === "assistant") return [assistantMessage(m.content, field)];
  const out = userMessages(m.content, field);
  if (out.length === 0) throw invalidRequest(`${field}.content`, "a user message needs at least one block");
  return out;
}
