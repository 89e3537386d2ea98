import type {
  Base64ImageSource,
  CacheControlEphemeral,
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  ToolUseBlockParam,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { invalidRequest } from "../core/errors.js";
import { parseDataUrl } from "../core/media.js";
import type { CacheControl, ChatMessage, ContentPart } from "../core/types.js";
import { argumentsObject } from "./tool-arguments.js";

/*
 * The core's messages as Anthropic Messages content: the leading system messages become the top-level
 * system prompt, later ones stay in place, content parts become text, image and document blocks, tool
 * traffic becomes tool_use and tool_result blocks, and cache control marks the blocks it was given on.
 */

/** What a tool result may carry as blocks. */
type ToolResultBlock = TextBlockParam | ImageBlockParam | DocumentBlockParam;

/** The core's cache control as Anthropic's; only ephemeral caching exists, with an optional TTL. */
export function cacheControlOf(c: CacheControl): CacheControlEphemeral {
  return c.ttl ? { type: "ephemeral", ttl: c.ttl } : { type: "ephemeral" };
}

/** Splits `data:<type>;base64,<data>` (the validation stage checked the form). */
function dataUrl(url: string, field: string): { mediaType: string; data: string } {
  const parsed = parseDataUrl(url);
  if (!parsed) throw invalidRequest(field, "a data: URL must be data:<media type>;base64,<data>");
  return parsed;
}

function imageBlock(p: Extract<ContentPart, { type: "image" }>, field: string): ImageBlockParam {
  // Anthropic sizes images itself; "auto" is what no detail means, anything else would be ignored unsaid.
  if (p.detail && p.detail !== "auto") throw invalidRequest(`${field}.detail`, `Anthropic does not take an image detail (${p.detail})`);
  let source: ImageBlockParam["source"];
  if (p.data !== undefined) {
    source = { type: "base64", media_type: p.mediaType as Base64ImageSource["media_type"], data: p.data };
  } else if (p.url?.startsWith("data:")) {
    const { mediaType, data } = dataUrl(p.url, `${field}.url`);
    source = { type: "base64", media_type: mediaType as Base64ImageSource["media_type"], data };
  } else if (p.url) {
    source = { type: "url", url: p.url };
  } else {
    throw invalidRequest(field, "an image needs a url or data");
  }
  return { type: "image", source };
}

/** A document from inline bytes: a PDF stays base64, plain text is sent as text. */
function inlineDocument(mediaType: string | undefined, data: string, field: string): DocumentBlockParam["source"] {
  if (mediaType === "application/pdf") return { type: "base64", media_type: "application/pdf", data };
  if (mediaType === "text/plain") return { type: "text", media_type: "text/plain", data: Buffer.from(data, "base64").toString("utf8") };
  throw invalidRequest(`${field}.media_type`, "Anthropic takes documents as application/pdf or text/plain");
}

function documentBlock(p: Extract<ContentPart, { type: "file" }>, field: string): DocumentBlockParam {
  let source: DocumentBlockParam["source"];
  if (p.fileId !== undefined) {
    // The stable Files API's ids; an id from another provider's file store means nothing here, and Anthropic says so.
    source = { type: "file", file_id: p.fileId };
  } else if (p.data !== undefined) {
    source = inlineDocument(p.mediaType, p.data, field);
  } else if (p.url?.startsWith("data:")) {
    const { mediaType, data } = dataUrl(p.url, `${field}.url`);
    source = inlineDocument(mediaType, data, `${field}.url`);
  } else if (p.url) {
    // Anthropic fetches documents by URL only as PDFs.
    if (p.mediaType !== undefined && p.mediaType !== "application/pdf")
      throw invalidRequest(`${field}.media_type`, "Anthropic fetches documents by URL only as application/pdf");
    source = { type: "url", url: p.url };
  } else {
    throw invalidRequest(field, "a file needs data, a url or a file_id");
  }
  const block: DocumentBlockParam = { type: "document", source };
  // The file's name is the nearest thing Anthropic has: a document's title, which the model reads.
  if (p.filename) block.title = p.filename;
  return block;
}

/** One part as a block; audio has no Anthropic block and is refused. */
function partBlock(p: ContentPart, field: string): ToolResultBlock {
  let block: ToolResultBlock;
  switch (p.type) {
    case "text":
      block = { type: "text", text: p.text };
      break;
    case "image":
      block = imageBlock(p, field);
      break;
    case "file":
      block = documentBlock(p, field);
      break;
    case "audio":
      throw invalidRequest(field, "Anthropic's Messages API takes no audio");
  }
  if (p.cacheControl) block.cache_control = cacheControlOf(p.cacheControl);
  return block;
}

/** A message's content as blocks: its parts, or its text as one block. */
function blocksOf(m: ChatMessage, i: number): ToolResultBlock[] {
  if (m.parts) return m.parts.map((p, j) => partBlock(p, `messages[${i}].parts[${j}]`));
  return m.content ? [{ type: "text", text: m.content }] : [];
}

/** Marks the last block with the message's cache control: Anthropic caches the prompt up to a marked block. */
function markLast<T extends { cache_control?: CacheControlEphemeral | null }>(
  blocks: T[],
  c: CacheControl | undefined,
  field: string,
): T[] {
  if (!c) return blocks;
  const last = blocks.at(-1);
  if (!last) throw invalidRequest(`${field}.cache_control`, "an empty message has no block to mark");
  last.cache_control = cacheControlOf(c);
  return blocks;
}

/** Blocks, or plain text when there is nothing but text (the shorter, long-standing form). */
function contentOf(m: ChatMessage, i: number): string | ContentBlockParam[] {
  if (!m.parts && !m.cacheControl) return m.content;
  return markLast(blocksOf(m, i), m.cacheControl, `messages[${i}]`);
}

function assistantContent(m: ChatMessage, i: number): string | ContentBlockParam[] {
  const calls = m.toolCalls ?? [];
  // Reasoning goes back only with its signature: Anthropic rejects a thinking block it cannot verify.
  // Unsigned reasoning (another provider's, in a session's history) stays in the gateway's records. A
  // signature without text goes back too: it is what thinking shown as "omitted" returns, and the
  // signature carries the thinking for Anthropic.
  const thinking = Boolean(m.reasoningSignature);
  if (calls.length === 0 && !thinking) return contentOf(m, i);
  const blocks: (ToolResultBlock | ToolUseBlockParam)[] = blocksOf(m, i);
  for (const c of calls) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: argumentsObject(c.argumentsJson) });
  markLast(blocks, m.cacheControl, `messages[${i}]`);
  // The thinking goes first, as it came: Anthropic needs it before the tool calls it led to.
  if (!thinking) return blocks;
  return [{ type: "thinking", thinking: m.reasoning ?? "", signature: m.reasoningSignature ?? "" }, ...blocks];
}

function toolResult(m: ChatMessage, i: number): ContentBlockParam[] {
  const content: string | ToolResultBlock[] = m.parts ? blocksOf(m, i) : m.content;
  const block: ContentBlockParam = { type: "tool_result", tool_use_id: m.toolCallId ?? "", content };
  if (m.isError) block.is_error = true;
  if (m.cacheControl) block.cache_control = cacheControlOf(m.cacheControl);
  return [block];
}

/**
 * Splits out the system prompt and turns tool traffic and parts into content blocks. The system
 * prompt stays one string unless cache control marks some of it: then it is a list of text blocks.
 * A system message after the conversation began stays where it is, as a `role: "system"` message
 * (the API version the provider speaks takes them): moved to the top, it would say its instructions
 * at another point of the conversation, and change the system prompt, whose change loses every cached
 * prefix after it (Claude Code adds such messages as a session goes on, to keep its cache).
 */
export function toAnthropicMessages(input: readonly ChatMessage[]): {
  system: string | TextBlockParam[];
  messages: MessageParam[];
} {
  const system: TextBlockParam[] = [];
  const systemText: string[] = [];
  let systemCached = false;
  const messages: MessageParam[] = [];
  input.forEach((m, i) => {
    switch (m.role) {
      case "system":
        if (messages.length > 0) {
          messages.push({ role: "system", content: contentOf(m, i) as string | TextBlockParam[] });
          break;
        }
        systemCached ||= m.cacheControl !== undefined || (m.parts?.some((p) => p.cacheControl) ?? false);
        // A system message carries only text parts (the validation stage checks), so its blocks are text.
        system.push(...markLast(blocksOf(m, i) as TextBlockParam[], m.cacheControl, `messages[${i}]`));
        systemText.push(m.content);
        break;
      case "user":
        messages.push({ role: "user", content: contentOf(m, i) });
        break;
      case "assistant":
        messages.push({ role: "assistant", content: assistantContent(m, i) });
        break;
      case "tool":
        messages.push({ role: "user", content: toolResult(m, i) });
        break;
    }
  });
  return { system: systemCached ? system : systemText.join("\n\n"), messages };
}
